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
from regime.turning_points import BEAR, Scan, scan

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
        (weeks_since_trough > 0)
        & (weeks_since_trough <= rules.recovery_weeks)
        & (relative > _EPS)
    )
    narrow = (large_return > _EPS) & (relative <= -rules.narrow_gap + _EPS)
    return np.where(recovering, EARLY_RECOVERY, np.where(narrow, NARROW_RALLY, NEUTRAL))


def scan_closes(closes: pd.DataFrame, rules: LabelRules) -> Scan:
    """Bull/bear dating of the small-cap column of weekly `closes`."""
    return scan(closes["small_cap"].to_numpy(), rules.bear_decline, rules.bull_rise)


def realtime_state(closes: pd.DataFrame, rules: LabelRules) -> pd.DataFrame:
    """The rulebook as it could be known each week, from closes up to that week only.

    Columns: `label` (the rulebook's real-time call), `drawdown_from_peak` (close against the
    highest close since the last trough, or against the confirmed peak in a bear leg),
    `rise_from_trough` (close against the lowest close since the last peak, or against the
    confirmed trough in a bull leg), `weeks_since_trough` (-1 before the first trough).
    """
    state = scan_closes(closes, rules)
    small = closes["small_cap"].to_numpy()
    n = len(small)
    positions = np.arange(n)
    in_bear = state.leg == BEAR
    since_trough = np.where(state.last_trough >= 0, positions - state.last_trough, -1)
    returns = trailing_returns(closes, rules.lookback_weeks)
    label = classify_outside_bear(
        since_trough,
        returns["small_cap"].to_numpy(),
        returns["large_cap"].to_numpy(),
        rules,
    )
    label = np.where(in_bear, RISK_OFF, label)
    peak_ref = np.where(in_bear, state.last_peak, state.extreme)
    trough_ref = np.where(in_bear, state.extreme, np.maximum(state.last_trough, 0))
    if n:
        drawdown = small / small[peak_ref] - 1
        rise = np.where(in_bear | (state.last_trough >= 0), small / small[trough_ref] - 1, 0.0)
    else:
        drawdown = rise = np.array([], dtype=float)
    return pd.DataFrame(
        {
            "label": label,
            "drawdown_from_peak": drawdown,
            "rise_from_trough": rise,
            "weeks_since_trough": since_trough,
        },
        index=closes.index,
    )
