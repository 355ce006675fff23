"""Simulating a weekly allocation on total returns, with costs and a no-trade band. Pure.

Conventions (also printed with every result):
- weeks end on Friday closes; row t of the returns is week t, from the close of t-1 to that of t;
- weights decided on week t (from what is known at its close) are traded at the close of week
  t + `trade_delay_weeks`, so with the default delay of 1 they first earn the return of week t+2;
- equities earn total returns (dividends reinvested); cash earns the 3-month T-bill rate known at
  the start of the week, rate / 52;
- between trades the holdings drift with the returns; at each close they trade towards the
  target only when some weight is further than the band from it, and then only as far as the
  band's edge (a band of 0 rebalances fully every week); a trade costs `cost_bps` per unit of
  value traded (sells plus buys, cash included); the first position is taken without cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.constants import WEEKS_PER_YEAR

ASSETS = ("small_cap", "large_cap", "cash")
WEIGHT_COLUMNS = tuple(f"{asset}_weight" for asset in ASSETS)
# A gap this small is rounding, not a reason to trade.
_TOLERANCE = 1e-12


def asset_returns(total_returns: pd.DataFrame, cash_rate: pd.Series) -> pd.DataFrame:
    """Weekly simple returns of `small_cap`, `large_cap` and `cash` (row t: close t-1 to t).

    `total_returns` holds total-return levels; `cash_rate` is an annual percentage (e.g. DTB3)
    on the same weekly index, as known each week; a missing value carries the last known rate
    forward, and a week earns the rate known at its start.
    """
    equity = total_returns[["small_cap", "large_cap"]].pct_change()
    cash = cash_rate.reindex(total_returns.index).ffill().shift(1) / 100.0 / WEEKS_PER_YEAR
    return equity.assign(cash=cash).iloc[1:].dropna()


def held_weights(decided: pd.DataFrame, index: pd.DatetimeIndex, delay_weeks: int) -> pd.DataFrame:
    """What decisions apply to each week of `index`: those made `1 + delay_weeks` weeks before.

    A decision of week t is traded at the close of week t + delay and so first earns the
    return of the week after that. Weeks before the first decision arrives are dropped.
    """
    return decided.reindex(index).shift(1 + delay_weeks).dropna()


def simulate(
    targets: pd.DataFrame,
    returns: pd.DataFrame,
    cost_bps: float,
    band: float | pd.Series = 0.0,
) -> pd.DataFrame:
    """The weekly path of a portfolio steered towards `targets` (columns `ASSETS`).

    Row t of `targets` is the target in force for week t (see `held_weights`), `band` the no-trade
    band in force then (a number, or a series on the same weeks). Columns of the result:
    `return` (after costs), `gross` (before), `turnover` (value traded at the close before the
    week, sells plus buys, as a fraction of the portfolio), `cost`, and the weights held over
    the week (`WEIGHT_COLUMNS`).
    """
    weeks = targets.index.intersection(returns.index)
    w = targets.loc[weeks, list(ASSETS)].to_numpy(dtype=float)
    r = returns.loc[weeks, list(ASSETS)].to_numpy(dtype=float)
    if isinstance(band, pd.Series):
        limits = band.reindex(weeks).to_numpy(dtype=float)
    else:
        limits = np.full(len(weeks), float(band))
    held, turnover = hold(w, r, limits)
    cost = turnover * cost_bps / 1e4
    gross = (held * r).sum(axis=1)
    frame = pd.DataFrame(
        {
            "return": (1 - cost) * (1 + gross) - 1,
            "gross": gross,
            "turnover": turnover,
            "cost": cost,
        },
        index=weeks,
    )
    for j, column in enumerate(WEIGHT_COLUMNS):
        frame[column] = held[:, j]
    return frame


def hold(
    targets: NDArray[np.float64], returns: NDArray[np.float64], bands: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(weights held each week, turnover of the trade before it), trading only outside the band.

    Week 0 holds its target (the first position, free). Before week t the holdings of week t-1
    have drifted with its returns; when some weight is further than `bands[t]` from the target
    of week t, they trade towards it just far enough to bring every weight within the band (the
    no-trade region of proportional costs: the rest of the gap is left for later), and
    otherwise stay as they drifted. A band of 0 trades all the way every week.
    """
    n = len(targets)
    held = np.empty_like(targets)
    turnover = np.zeros(n)
    if n == 0:
        return held, turnover
    current = targets[0]
    held[0] = current
    for t in range(1, n):
        grown = current * (1 + returns[t - 1])
        drifted = grown / grown.sum()
        gap = targets[t] - drifted
        worst = np.abs(gap).max()
        if worst > bands[t] + _TOLERANCE:
            step = gap * (1 - bands[t] / worst)
            current = drifted + step
            turnover[t] = np.abs(step).sum()
        else:
            current = drifted
        held[t] = current
    return held, turnover


def constant_weights(mix: dict[str, float], weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """The same target every week (assets not named get 0)."""
    return pd.DataFrame({asset: mix.get(asset, 0.0) for asset in ASSETS}, index=weeks, dtype=float)
