"""What a weekly return path earned: growth, risk, drawdowns, calendar years. Pure.

Ratios are on excess returns over cash (the T-bill), annualised with 52 weeks a year:
- Sharpe: mean excess return / its standard deviation;
- Sortino: mean excess return / downside deviation, the root mean square of the weeks' excess
  returns below 0 (every week counts in the mean; weeks above 0 count as 0);
- cost drag: the CAGR before costs minus the CAGR after them.
Drawdowns count the starting value as a peak.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.constants import WEEKS_PER_YEAR

_ANNUAL = np.sqrt(WEEKS_PER_YEAR)


def performance(path: pd.DataFrame, cash: pd.Series) -> dict[str, float]:
    """CAGR, volatility, Sharpe, Sortino, maximum drawdown, turnover and cost drag a year.

    `path` has `return` (after costs), `gross` (before), `turnover` and `cost` per week (see
    backtest.simulate); `cash` the cash return of each week.
    """
    r = path["return"]
    years = len(r) / WEEKS_PER_YEAR
    excess = (r - cash.loc[r.index]).to_numpy(dtype=float)
    net = cagr(r.to_numpy(dtype=float), years)
    return {
        "cagr": net,
        "volatility": float(r.std(ddof=1) * _ANNUAL),
        "sharpe": float(sharpe(excess[None, :])[0]),
        "sortino": float(sortino(excess[None, :])[0]),
        "max_drawdown": max_drawdown((1 + r).cumprod()),
        "turnover": float(path["turnover"].sum() / years),
        "cost_drag": cagr(path["gross"].to_numpy(dtype=float), years) - net,
    }


def cagr(returns: NDArray[np.float64], years: float) -> float:
    return float(np.prod(1 + returns) ** (1 / years) - 1)


def sharpe(excess: NDArray[np.float64]) -> NDArray[np.float64]:
    """Annualised Sharpe ratio of each row of weekly excess returns (0 where they never vary)."""
    sd = excess.std(axis=1, ddof=1)
    mean = excess.mean(axis=1)
    return np.asarray(np.divide(mean, sd, out=np.zeros_like(mean), where=sd > 0) * _ANNUAL)


def sortino(excess: NDArray[np.float64]) -> NDArray[np.float64]:
    """Annualised Sortino ratio of each row of weekly excess returns (0 with no losing week)."""
    downside = np.sqrt(np.mean(np.minimum(excess, 0.0) ** 2, axis=1))
    mean = excess.mean(axis=1)
    ratio = np.divide(mean, downside, out=np.zeros_like(mean), where=downside > 0)
    return np.asarray(ratio * _ANNUAL)


def max_drawdown(equity: pd.Series) -> float:
    """The worst fall from a running peak (a negative fraction; 0 if it never falls)."""
    return float(drawdown_path(equity).min()) if len(equity) else 0.0


def drawdown_path(equity: pd.Series) -> pd.Series:
    """Each week's value against the highest value so far (the start, 1, included)."""
    peak = np.maximum.accumulate(np.r_[1.0, equity.to_numpy(dtype=float)])[1:]
    return equity / peak - 1


def drawdowns(equity: pd.Series, start: pd.Timestamp, count: int = 5) -> list[dict[str, Any]]:
    """The `count` deepest drawdowns, deepest first, each from a peak to the first close back at
    or above it.

    `equity` is the growth of 1 at each week's close, `start` the date of the close where it
    was 1. Each: `peak`, `trough`, `recovery` (None: not recovered by the last week), `depth`
    (trough against peak), `weeks_to_trough`, `weeks` (peak to recovery, or to the last week).
    """
    values = np.r_[1.0, equity.to_numpy(dtype=float)]
    dates = [start, *equity.index]
    found: list[tuple[int, int, int | None]] = []
    peak = trough = 0
    for i in range(1, len(values)):
        if values[i] >= values[peak]:
            if trough != peak:
                found.append((peak, trough, i))
            peak = trough = i
        elif values[i] < values[trough]:
            trough = i
    if trough != peak:
        found.append((peak, trough, None))
    found.sort(key=lambda e: values[e[1]] / values[e[0]])
    last = len(values) - 1
    return [
        {
            "peak": _iso(dates[p]),
            "trough": _iso(dates[t]),
            "recovery": None if r is None else _iso(dates[r]),
            "depth": float(values[t] / values[p] - 1),
            "weeks_to_trough": t - p,
            "weeks": (last if r is None else r) - p,
        }
        for p, t, r in found[:count]
    ]


def calendar_years(returns: pd.DataFrame) -> list[dict[str, Any]]:
    """Each calendar year's compounded return per column, and how many weeks it holds."""
    years = returns.index.year
    grouped = (1 + returns).groupby(years).prod() - 1
    weeks = returns.groupby(years).size()
    return [
        {"year": int(year), "weeks": int(weeks.loc[year]), **{c: float(row[c]) for c in returns}}
        for year, row in grouped.iterrows()
    ]


def _iso(day: pd.Timestamp) -> str:
    return day.date().isoformat()
