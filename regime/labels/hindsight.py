"""Hindsight labels: the regime each past week was in, as the full price history shows it.

Pure: weekly closes in, a label table out. Weeks whose label could still change when more prices
arrive (the unconfirmed last leg) are flagged `provisional` and must never be used for training.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regime.config import LabelRules
from regime.constants import RISK_OFF
from regime.rulebook.rules import classify_outside_bear, scan_closes, trailing_returns
from regime.rulebook.turning_points import BEAR

LABEL_COLUMNS = (
    "label",
    "provisional",
    "small_cap_close",
    "large_cap_close",
    "small_cap_return",
    "large_cap_return",
    "relative_return",
    "last_peak",
    "last_trough",
)


def label_weeks(closes: pd.DataFrame, rules: LabelRules) -> pd.DataFrame:
    """Label every week of `closes` (columns `small_cap`, `large_cap`, Friday index).

    Weeks without `lookback_weeks` of history are left out: no rule can be decided there.
    Returns the columns of `LABEL_COLUMNS`; `last_peak` / `last_trough` date the turning points
    that decided each week (NaT when none).
    """
    closes = closes.dropna()
    state = scan_closes(closes, rules)
    n = len(closes)
    risk_off = np.zeros(n, dtype=bool)
    provisional = np.zeros(n, dtype=bool)
    peak_of = np.full(n, -1)
    trough_of = np.full(n, -1)

    for peak, trough in zip(state.peaks, state.troughs, strict=False):
        risk_off[peak + 1 : trough + 1] = True
        peak_of[peak + 1 : trough + 1] = peak
    if n:
        # The open last leg: its candidate turning point is not confirmed.
        open_extreme = int(state.extreme[-1])
        provisional[open_extreme + 1 :] = True
        if state.leg[-1] == BEAR:
            open_peak = state.peaks[-1]
            risk_off[open_peak + 1 :] = True
            peak_of[open_peak + 1 :] = open_peak

    # The trough each week comes after (the latest one at or before it, confirmed in hindsight).
    troughs = np.array(state.troughs, dtype=int)
    where = np.searchsorted(troughs, np.arange(n), side="left") - 1
    trough_of = (
        np.where(where >= 0, troughs[np.clip(where, 0, None)], -1) if len(troughs) else trough_of
    )
    since_trough = np.where(trough_of >= 0, np.arange(n) - trough_of, -1)

    returns = trailing_returns(closes, rules.lookback_weeks)
    small_ret = returns["small_cap"].to_numpy()
    large_ret = returns["large_cap"].to_numpy()
    label = classify_outside_bear(since_trough, small_ret, large_ret, rules)
    label = np.where(risk_off, RISK_OFF, label)

    dates = closes.index
    table = pd.DataFrame(
        {
            "label": label,
            "provisional": provisional,
            "small_cap_close": closes["small_cap"].to_numpy(),
            "large_cap_close": closes["large_cap"].to_numpy(),
            "small_cap_return": small_ret,
            "large_cap_return": large_ret,
            "relative_return": small_ret - large_ret,
            "last_peak": _dates_at(dates, np.maximum.accumulate(_peaks_seen(state.peaks, n))),
            "last_trough": _dates_at(dates, trough_of),
        },
        index=dates,
    )
    table.index.name = "date"
    return table.iloc[rules.lookback_weeks :]


def _peaks_seen(peaks: tuple[int, ...], n: int) -> np.ndarray:
    marks = np.full(n, -1)
    for peak in peaks:
        marks[peak] = peak
    return marks


def _dates_at(dates: pd.DatetimeIndex, positions: np.ndarray) -> pd.DatetimeIndex:
    out = pd.Series(pd.NaT, index=range(len(positions)), dtype="datetime64[ns]")
    ok = positions >= 0
    out[ok] = dates[positions[ok]]
    return pd.DatetimeIndex(out)
