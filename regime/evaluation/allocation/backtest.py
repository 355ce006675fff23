"""The allocation backtest: the policy of allocation.py against buy-and-hold, on total returns.

Decisions run from the first judged week (`walk_forward.first_test`) to `walk_forward.last_test`
(or the last week of data); every strategy is held over the same weeks (simulation.py):

- `allocation`: the policy chosen at each refit, steered by the out-of-sample probabilities;
- `buy_hold_spx`, `buy_hold_rut`: the large- and small-cap total-return series, never traded;
- `buy_hold_50_50`: rebalanced to 50/50 at every weekly close, its costs counted.

Reported: performance.py's figures for each, the allocation's Sharpe ratio minus each
buy-and-hold's with a circular block bootstrap interval, the five worst drawdowns, and the
calendar years.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from regime.bootstrap import bootstrap_interval
from regime.config import Settings
from regime.evaluation.allocation.performance import (
    calendar_years,
    drawdown_path,
    drawdowns,
    performance,
    sharpe,
)
from regime.evaluation.allocation.signals import (
    PolicyChoice,
    choose_policies,
    chosen_targets,
)
from regime.evaluation.allocation.simulation import (
    WEIGHT_COLUMNS,
    constant_weights,
    held_weights,
    simulate,
)
from regime.model.schedule import ONE_WEEK, Refit

STRATEGY = "allocation"
BENCHMARKS: dict[str, dict[str, float]] = {
    "buy_hold_spx": {"large_cap": 1.0},
    "buy_hold_rut": {"small_cap": 1.0},
    "buy_hold_50_50": {"small_cap": 0.5, "large_cap": 0.5},
}
NOTES = (
    "Total returns: the Russell 2000 and Russell 1000 total-return indices until 2019-01-10, then "
    "IWM's and SPY's adjusted closes (which carry the funds' costs); buy_hold_spx is the Russell "
    "1000 before 2019.",
    "Cash earns the 3-month T-bill rate (DTB3) known at the start of each week.",
    "buy_hold_50_50 is rebalanced to 50/50 at every weekly close (its turnover and costs are "
    "counted); buy_hold_spx and buy_hold_rut never trade.",
    "Turnover: value traded in a year (sells plus buys) as a fraction of the portfolio; cost "
    "drag: CAGR before costs minus CAGR after them.",
)


@dataclass(frozen=True)
class BacktestResult:
    """Weekly paths per strategy, the tables, and the policy chosen at each refit."""

    paths: dict[str, pd.DataFrame]
    cash: pd.Series
    table: dict[str, dict[str, float]]
    sharpe_difference: dict[str, dict[str, Any]]
    drawdowns: dict[str, list[dict[str, Any]]]
    years: list[dict[str, Any]]
    choices: list[PolicyChoice]
    grid: dict[str, list[float]]
    description: str
    signals: pd.DataFrame = field(repr=False)

    @property
    def returns(self) -> pd.DataFrame:
        """Weekly returns after costs, one column per strategy."""
        return pd.DataFrame({name: path["return"] for name, path in self.paths.items()})

    @property
    def equity(self) -> pd.DataFrame:
        return (1 + self.returns).cumprod()

    @property
    def drawdown(self) -> pd.DataFrame:
        return self.equity.apply(drawdown_path)

    def to_dict(self) -> dict[str, Any]:
        weeks = self.returns.index
        chosen = Counter(c.policy for c in self.choices)
        return {
            "period": [weeks[0].date().isoformat(), weeks[-1].date().isoformat()],
            "n_weeks": len(weeks),
            "description": self.description,
            "notes": list(NOTES),
            "strategies": self.table,
            "sharpe_difference": self.sharpe_difference,
            "drawdowns": self.drawdowns,
            "calendar_years": self.years,
            "grid": self.grid,
            "policies_chosen": [
                {**policy.to_dict(), "refits": n} for policy, n in sorted(chosen.items())
            ],
            "choices": [c.to_dict() for c in self.choices],
        }

    def weekly_frame(self) -> pd.DataFrame:
        """The CSV of `--backtest-returns`: each week's returns, cash and the weights held."""
        names = {"buy_hold_spx": "spx", "buy_hold_rut": "rut", "buy_hold_50_50": "fifty_fifty"}
        frame = pd.DataFrame({"strategy": self.paths[STRATEGY]["return"]})
        for name, column in names.items():
            frame[column] = self.paths[name]["return"]
        frame["cash"] = self.cash.loc[frame.index]
        for column in WEIGHT_COLUMNS:
            frame[column] = self.paths[STRATEGY][column]
        frame["turnover"] = self.paths[STRATEGY]["turnover"]
        frame["cost"] = self.paths[STRATEGY]["cost"]
        frame.index.name = "date"
        return frame


def run_backtest(
    signals: pd.DataFrame, returns: pd.DataFrame, schedule: list[Refit], settings: Settings
) -> BacktestResult:
    """The allocation and the buy-and-holds over the same weeks (see the module docstring).

    `signals`: the out-of-sample probabilities of every week since the walk-forward began
    (allocation.SIGNALS); `returns`: backtest.asset_returns of the total-return series.
    """
    bt = settings.backtest
    wf = settings.walk_forward
    choices = choose_policies(signals, returns, [r.date for r in schedule], bt)
    decided, bands = chosen_targets(signals, schedule, choices)
    decided = decided.loc[_span(decided.index, wf.first_test, wf.last_test)]
    held = held_weights(decided, returns.index, bt.trade_delay_weeks)
    band = bands.reindex(returns.index).shift(1 + bt.trade_delay_weeks).loc[held.index]
    paths = {STRATEGY: simulate(held, returns, bt.cost_bps, band)}
    for name, mix in BENCHMARKS.items():
        paths[name] = simulate(constant_weights(mix, held.index), returns, bt.cost_bps)
    cash = returns["cash"].loc[held.index]
    start = held.index[0] - ONE_WEEK
    judged = [
        c for r, c in zip(schedule, choices, strict=True) if r.block.isin(decided.index).any()
    ]
    return BacktestResult(
        paths=paths,
        cash=cash,
        table={name: performance(path, cash) for name, path in paths.items()},
        sharpe_difference=_sharpe_differences(paths, cash, settings),
        drawdowns={
            name: drawdowns((1 + path["return"]).cumprod(), start) for name, path in paths.items()
        },
        years=calendar_years(pd.DataFrame({n: p["return"] for n, p in paths.items()})),
        choices=judged,
        grid={
            "sensitivity": list(bt.risk_sensitivity),
            "tilt": list(bt.tilt),
            "band": list(bt.band),
        },
        description=(
            f"weights decided on week t from its out-of-sample probabilities, traded at the close "
            f"of week t+{bt.trade_delay_weeks}; {bt.cost_bps:g} bps per unit traded; policy "
            f"(sensitivity, tilt, band) chosen at each refit by the net Sharpe ratio of the "
            f"earlier weeks, turnover at most {bt.max_turnover:.0%} a year"
        ),
        signals=signals.loc[decided.index],
    )


def _span(weeks: pd.DatetimeIndex, first: date, last: date | None) -> pd.DatetimeIndex:
    keep = weeks >= pd.Timestamp(first)
    if last is not None:
        keep &= weeks <= pd.Timestamp(last)
    return weeks[keep]


def _sharpe_differences(
    paths: dict[str, pd.DataFrame], cash: pd.Series, settings: Settings
) -> dict[str, dict[str, Any]]:
    """The allocation's Sharpe ratio minus each buy-and-hold's, weeks resampled in blocks."""
    ev = settings.evaluation
    excess = {n: (p["return"] - cash).to_numpy(dtype=float) for n, p in paths.items()}
    ours = excess[STRATEGY]
    out = {}
    for name in BENCHMARKS:
        theirs = excess[name]

        def statistic(rows: np.ndarray, theirs: np.ndarray = theirs) -> np.ndarray:
            return np.asarray(sharpe(ours[rows]) - sharpe(theirs[rows]))

        out[name] = bootstrap_interval(
            statistic,
            len(ours),
            block=ev.bootstrap_block_weeks,
            samples=ev.bootstrap_samples,
            seed=ev.seed,
            confidence=ev.confidence,
        ).to_dict()
    return out
