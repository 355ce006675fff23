"""The label rules, shared by the hindsight labeller and its real-time reading.

- risk_off: inside a peak-to-trough decline confirmed by bull/bear dating (see turning_points).
- early_recovery: within `recovery_weeks` after a confirmed trough, while RUT beat SPX over the
  trailing `lookback_weeks`.
- narrow_rally: SPX rose over the trailing `lookback_weeks` and RUT trailed it by at least
  `narrow_gap`.
- neutral: everything else.

Real time, a week is risk_off from the week its peak is confirmed until its trough is; with
hindsight it is risk_off from the week after the peak through the trough. That gap is exactly
what the model is for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regime.config import LabelRules
from regime.constants import EARLY_RECOVERY, NARROW_RALLY, NEUTRAL, RISK_OFF
from regime.rulebook.turning_points import BEAR, Scan, scan

_EPS = 1e-12


def trailing_returns(closes: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Simple returns of each column over the trailing `weeks` (NaN where history is short)."""
    return closes / closes.shift(weeks) - 1


def classify_outside_bear(
    weeks_since_trough: np.ndarray,
    small_return: np.ndarray,
    large_return: np.ndarray,
    rules: LabelRules,
) -> np.ndarray:
    """Label weeks that are not risk_off. `weeks_since_trough` is -1 where there is no trough."""
    relative = small_return - large_return
    recovering = (
        (weeks_since_trough > 0) & (weeks_since_trough <= rules.recovery_weeks) & (relative > _EPS)
    )
    narrow = (large_return > _EPS) & (relative <= -rules.narrow_gap + _EPS)
    return np.where(recovering, EARLY_RECOVERY, np.where(narrow, NARROW_RALLY, NEUTRAL))


def scan_closes(closes: pd.DataFrame, rules: LabelRules) -> Scan:
    """Bull/bear dating of the small-cap column of weekly `closes`."""
    return scan(closes["small_cap"].to_numpy(), rules.bear_decline, rules.bull_rise)


def realtime_state(closes: pd.DataFrame, rules: LabelRules) -> pd.DataFrame:
    """The rulebook as it could be known each week, from closes up to that week only.

    Columns:
    - `label`: the rulebook's real-time call;
    - `label_if_not_bear`: the label the week gets in hindsight unless it turns out to lie
      inside a bear (see below);
    - `in_bear`: a peak is confirmed and its trough is not;
    - `drawdown_from_peak`: the close against the candidate peak in a bull leg, or against the
      confirmed peak in a bear leg;
    - `drawdown_in_bull`: in a bull leg, the close against the highest close since the last
      trough (0 in a bear leg);
    - `rise_in_bear`: in a bear leg, the close against the lowest close since the confirmed
      peak (0 in a bull leg);
    - `weeks_since_trough`: weeks since the last confirmed trough (-1 before the first);
    - `weeks_since_extreme`: weeks since the highest close of the bull leg, or the lowest close
      of the bear leg, so far (the candidate turning point).
    The drawdowns and the rise say how close the rules are to their next confirmation.
    """
    state = scan_closes(closes, rules)
    small = closes["small_cap"].to_numpy()
    n = len(small)
    positions = np.arange(n)
    in_bear = state.leg == BEAR
    since_trough = np.where(state.last_trough >= 0, positions - state.last_trough, -1)
    returns = trailing_returns(closes, rules.lookback_weeks)
    small_return = returns["small_cap"].to_numpy()
    large_return = returns["large_cap"].to_numpy()
    label = classify_outside_bear(since_trough, small_return, large_return, rules)
    # If a week inside a confirmed bear turns out, in hindsight, not to be risk_off, the bear's
    # trough already happened, and it can only be the lowest close so far: the running minimum.
    # In a bull leg no newer trough can exist before the next confirmed peak. So the hindsight
    # label of every week is either risk_off or this, and this is known on the week itself.
    since_running_low = np.where(in_bear, positions - state.extreme, since_trough)
    label_if_not_bear = classify_outside_bear(since_running_low, small_return, large_return, rules)
    label = np.where(in_bear, RISK_OFF, label)
    if n:
        from_extreme = small / small[state.extreme] - 1
    else:
        from_extreme = np.array([], dtype=float)
    if n:
        peak_ref = np.where(in_bear, state.last_peak, state.extreme)
        from_peak = small / small[peak_ref] - 1
    else:
        from_peak = np.array([], dtype=float)
    drawdown = np.where(in_bear, 0.0, from_extreme)
    rise = np.where(in_bear, from_extreme, 0.0)
    return pd.DataFrame(
        {
            "label": label,
            "label_if_not_bear": label_if_not_bear,
            "in_bear": in_bear,
            "drawdown_from_peak": from_peak,
            "drawdown_in_bull": drawdown,
            "rise_in_bear": rise,
            "weeks_since_trough": since_trough,
            "weeks_since_extreme": positions - state.extreme,
        },
        index=closes.index,
    )
