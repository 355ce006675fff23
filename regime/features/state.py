"""The rulebook's own state as it could be known each week, shaped for the two gates.

The entry gate asks, in a bull leg, whether the highest close so far was a bear market's peak;
the exit gate asks, inside a confirmed bear, whether the lowest close so far was its trough.
For a random walk without drift the answers have a closed form: the chance of falling by the
bear threshold before rising above the peak is log(peak / close) / -log(1 - decline), and the
chance of rising by the bull threshold before falling below the low is
log(close / low) / log(1 + rise). Their log-odds (`rulebook_barrier_*`) are the gates' main
inputs: the gates learn how far real markets stray from that baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regime.config import LabelRules
from regime.constants import REGIMES, RISK_OFF
from regime.rulebook.rules import realtime_state

# Two years after a turning point and twenty years after look the same to the rules.
WEEKS_CAP = 104
# Keeps the barrier log-odds finite at a new high or low.
_BARRIER_CLIP = 0.01


def state_features(closes: pd.DataFrame, rules: LabelRules) -> pd.DataFrame:
    """Rulebook-state columns (`rulebook_*`) for each week of `closes` (no missing closes)."""
    state = realtime_state(closes, rules)
    in_bear = state["in_bear"].to_numpy()
    out = {f"rulebook_{name}": (state["label"] == name).astype(float) for name in REGIMES}
    for name in REGIMES:
        if name != RISK_OFF:
            out[f"rulebook_if_not_bear_{name}"] = (state["label_if_not_bear"] == name).astype(float)
    out["rulebook_drawdown_from_peak"] = state["drawdown_from_peak"]
    out["rulebook_drawdown_in_bull"] = state["drawdown_in_bull"]
    out["rulebook_rise_in_bear"] = state["rise_in_bear"]
    since_trough = state["weeks_since_trough"].where(state["weeks_since_trough"] >= 0, WEEKS_CAP)
    out["rulebook_weeks_since_trough"] = since_trough.clip(upper=WEEKS_CAP).astype(float)
    out["rulebook_weeks_since_extreme"] = (
        state["weeks_since_extreme"].clip(upper=WEEKS_CAP).astype(float)
    )
    bull_odds, bear_odds = _barrier_log_odds(state, rules)
    out["rulebook_barrier_bull"] = pd.Series(np.where(in_bear, 0.0, bull_odds), index=state.index)
    out["rulebook_barrier_bear"] = pd.Series(np.where(in_bear, bear_odds, 0.0), index=state.index)
    out["rulebook_drawdown_change_4w"] = state["drawdown_in_bull"].diff(4)
    depth = np.log1p(state["drawdown_from_peak"].clip(lower=-0.99))
    out["rulebook_bear_depth"] = depth.where(state["in_bear"], 0.0)
    out["rulebook_bear_age"] = _weeks_in_bear(state["in_bear"]).clip(upper=WEEKS_CAP)
    return pd.DataFrame(out, index=closes.index)


def _barrier_log_odds(state: pd.DataFrame, rules: LabelRules) -> tuple[np.ndarray, np.ndarray]:
    """Random-walk log-odds that the candidate peak (bull) / trough (bear) is the real one.

    Bull leg: odds that the close falls `bear_decline` below the peak before passing it.
    Bear leg: odds that the close does *not* rise `bull_rise` above the low before breaking it,
    i.e. that the trough is still ahead (the exit gate predicts risk_off, "still in the bear").
    """
    drawdown = state["drawdown_in_bull"].clip(upper=0.0, lower=-0.99).to_numpy()
    rise = state["rise_in_bear"].clip(lower=0.0).to_numpy()
    to_bear = np.clip(
        -np.log1p(drawdown) / -np.log1p(-rules.bear_decline), _BARRIER_CLIP, 1 - _BARRIER_CLIP
    )
    to_bull = np.clip(np.log1p(rise) / np.log1p(rules.bull_rise), _BARRIER_CLIP, 1 - _BARRIER_CLIP)
    return np.log(to_bear / (1 - to_bear)), np.log((1 - to_bull) / to_bull)


def _weeks_in_bear(in_bear: pd.Series) -> pd.Series:
    """Weeks since the current bear was confirmed (0 in a bull leg)."""
    runs = (~in_bear).cumsum()
    return in_bear.astype(float).groupby(runs).cumsum()
