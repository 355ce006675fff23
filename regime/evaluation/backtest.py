"""A regime-timed allocation against buy-and-hold, on weekly closes. Pure: frames in, frames out.

Conventions (also printed with every result):
- weeks end on Friday closes; the return of week t runs from the close of t-1 to the close of t;
- the prediction made at week t is traded at the close of week t + `trade_delay_weeks`, so with
  the default delay of 1 it first earns the return of week t+2;
- every strategy is rebalanced to its target weights at each weekly close; the cost is
  `cost_bps` per unit of traded value (sells plus buys, cash included); the first position is
  taken without cost;
- cash earns the 3-month T-bill rate known at the start of the week, rate / 52;
- index closes are price indices: no dividends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from regime.config import Allocation, BacktestSettings
from regime.constants import WEEKS_PER_YEAR

ASSETS = ("small_cap", "large_cap", "cash")
NOTES = (
    "Index closes are price indices without dividends: every equity figure understates total "
    "return (most for SPX, whose dividend yield is higher).",
    "Buy-and-hold 50/50 is rebalanced to 50/50 at every weekly close (its turnover and costs "
    "are counted); buy-and-hold SPX and RUT never trade.",
)


@dataclass(frozen=True)
class BacktestResult:
    """Weekly paths (`returns`, `equity`, `drawdown`: one column per strategy) and the table."""

    returns: pd.DataFrame
    equity: pd.DataFrame
    drawdown: pd.DataFrame
    table: dict[str, dict[str, float]]
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": [
                self.returns.index[0].date().isoformat(),
                self.returns.index[-1].date().isoformat(),
            ],
            "n_weeks": len(self.returns),
            "description": self.description,
            "notes": list(NOTES),
            "strategies": self.table,
        }


def asset_returns(closes: pd.DataFrame, cash_rate: pd.Series) -> pd.DataFrame:
    """Weekly simple returns of `small_cap`, `large_cap` and `cash` (row t: close t-1 to t).

    `cash_rate` is an annual percentage (e.g. DTB3) on the same weekly index, as known each
    week; a missing value carries the last known rate forward.
    """
    equity = closes[["small_cap", "large_cap"]].pct_change()
    cash = cash_rate.reindex(closes.index).ffill().shift(1) / 100.0 / WEEKS_PER_YEAR
    return equity.assign(cash=cash).iloc[1:].dropna()


def regime_weights(predicted: pd.Series, allocation: Allocation) -> pd.DataFrame:
    """Target weights (columns `ASSETS`) for each week's predicted regime."""
    table = {regime: getattr(allocation, regime).model_dump() for regime in Allocation.model_fields}
    unknown = sorted(set(predicted) - set(table))
    if unknown:
        raise ValueError(f"no allocation for regime(s) {unknown}")
    rows = [[table[regime][asset] for asset in ASSETS] for regime in predicted]
    return pd.DataFrame(rows, index=predicted.index, columns=list(ASSETS), dtype=float)


def held_weights(decided: pd.DataFrame, index: pd.DatetimeIndex, delay_weeks: int) -> pd.DataFrame:
    """Weights earning each week's return in `index`, from weights decided on earlier weeks.

    Weights decided at week t are traded at the close of week t + delay and so earn the return
    of the week after that. Weeks before the first trade are dropped.
    """
    aligned = decided.reindex(index)
    return aligned.shift(1 + delay_weeks).dropna()


def simulate(weights: pd.DataFrame, returns: pd.DataFrame, cost_bps: float) -> pd.DataFrame:
    """Weekly portfolio `return` (after costs), `turnover` and `cost` for target `weights`.

    `weights` row t is held over week t; before it the portfolio drifted with last week's
    returns, and trading back to the target costs `cost_bps` per unit of value traded.
    """
    weights = weights.loc[weights.index.intersection(returns.index)]
    r = returns.loc[weights.index, list(ASSETS)].to_numpy(dtype=float)
    w = weights[list(ASSETS)].to_numpy(dtype=float)
    n = len(w)
    turnover = np.zeros(n)
    for t in range(1, n):
        grown = w[t - 1] * (1 + r[t - 1])
        drifted = grown / grown.sum()
        turnover[t] = np.abs(w[t] - drifted).sum()
    cost = turnover * cost_bps / 1e4
    gross = (w * r).sum(axis=1)
    net = (1 - cost) * (1 + gross) - 1
    return pd.DataFrame({"return": net, "turnover": turnover, "cost": cost}, index=weights.index)


def performance(path: pd.DataFrame, cash: pd.Series) -> dict[str, float]:
    """CAGR, annualised volatility, maximum drawdown, Sharpe (over cash), annual turnover."""
    r = path["return"]
    years = len(r) / WEEKS_PER_YEAR
    equity = (1 + r).cumprod()
    excess = r - cash.loc[r.index]
    sd = excess.std(ddof=1)
    return {
        "cagr": float(equity.iloc[-1] ** (1 / years) - 1),
        "volatility": float(r.std(ddof=1) * np.sqrt(WEEKS_PER_YEAR)),
        "max_drawdown": float(max_drawdown(equity)),
        "sharpe": float(excess.mean() / sd * np.sqrt(WEEKS_PER_YEAR)) if sd > 0 else 0.0,
        "turnover": float(path["turnover"].sum() / years),
        "total_cost": float(path["cost"].sum()),
    }


def max_drawdown(equity: pd.Series) -> float:
    """The worst fall from a running peak (a negative fraction; 0 if it never falls).

    The starting value 1 counts as a peak.
    """
    peak = np.maximum.accumulate(np.r_[1.0, equity.to_numpy()])[1:]
    return float((equity.to_numpy() / peak - 1).min())


def drawdown_path(equity: pd.Series) -> pd.Series:
    peak = np.maximum.accumulate(np.r_[1.0, equity.to_numpy()])[1:]
    return equity / peak - 1


def run_backtest(
    predicted: pd.Series, closes: pd.DataFrame, cash_rate: pd.Series, settings: BacktestSettings
) -> BacktestResult:
    """The regime-timed strategy and the buy-and-hold benchmarks over the same weeks."""
    returns = asset_returns(closes, cash_rate)
    held = held_weights(
        regime_weights(predicted, settings.allocation), returns.index, settings.trade_delay_weeks
    )
    weeks = held.index
    fixed = {
        "buy_hold_spx": {"large_cap": 1.0},
        "buy_hold_rut": {"small_cap": 1.0},
        "buy_hold_50_50": {"small_cap": 0.5, "large_cap": 0.5},
    }
    strategies = {"regime_timed": held}
    for name, mix in fixed.items():
        strategies[name] = pd.DataFrame(
            {asset: mix.get(asset, 0.0) for asset in ASSETS}, index=weeks, dtype=float
        )
    paths = {name: simulate(w, returns, settings.cost_bps) for name, w in strategies.items()}
    weekly = pd.DataFrame({name: p["return"] for name, p in paths.items()})
    equity = (1 + weekly).cumprod()
    description = (
        f"prediction of week t traded at the close of week t+{settings.trade_delay_weeks}; "
        f"cost {settings.cost_bps:g} bps per unit traded; weekly rebalancing to target weights"
    )
    return BacktestResult(
        returns=weekly,
        equity=equity,
        drawdown=equity.apply(drawdown_path),
        table={name: performance(p, returns["cash"]) for name, p in paths.items()},
        description=description,
    )
