"""The allocation backtest on hand-built paths with answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import Allocation, BacktestSettings
from regime.evaluation.backtest import (
    asset_returns,
    held_weights,
    max_drawdown,
    performance,
    regime_weights,
    run_backtest,
    simulate,
)

WEEKS = pd.date_range("2001-01-05", periods=5, freq="W-FRI")


def _returns(small, large, cash=0.0) -> pd.DataFrame:
    index = WEEKS[: len(small)]
    return pd.DataFrame({"small_cap": small, "large_cap": large, "cash": cash}, index=index)


def _weights(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, index=WEEKS[: len(rows)], columns=["small_cap", "large_cap", "cash"])


def test_switching_fully_from_one_asset_to_another_trades_twice_the_portfolio_and_pays_for_it():
    returns = _returns([0.10, 0.0, 0.0], [0.0, 0.05, 0.0])
    weights = _weights([[1, 0, 0], [0, 1, 0], [0, 1, 0]])
    path = simulate(weights, returns, cost_bps=10)
    assert path["turnover"].tolist() == pytest.approx([0.0, 2.0, 0.0])
    assert path["cost"].tolist() == pytest.approx([0.0, 0.002, 0.0])
    assert path["return"].tolist() == pytest.approx([0.10, 0.998 * 1.05 - 1, 0.0])


def test_weekly_rebalancing_trades_back_the_drift():
    # 50/50, small caps +20%: holdings drift to 60/50 of 110 -> 0.5455/0.4545; back to 0.5/0.5.
    returns = _returns([0.20, 0.0], [0.0, 0.0])
    path = simulate(_weights([[0.5, 0.5, 0], [0.5, 0.5, 0]]), returns, cost_bps=0)
    assert path["turnover"].iloc[1] == pytest.approx(2 * (0.6 / 1.1 - 0.5))


def test_cagr_volatility_drawdown_and_sharpe_of_a_known_path():
    index = pd.date_range("2001-01-05", periods=52, freq="W-FRI")
    weekly = np.full(52, 0.01)
    weekly[10] = -0.2
    path = pd.DataFrame({"return": weekly, "turnover": 0.0, "cost": 0.0}, index=index)
    cash = pd.Series(0.0, index=index)
    result = performance(path, cash)
    assert result["cagr"] == pytest.approx(1.01**51 * 0.8 - 1)
    assert result["volatility"] == pytest.approx(np.std(weekly, ddof=1) * np.sqrt(52))
    assert result["max_drawdown"] == pytest.approx(-0.2)
    assert result["sharpe"] == pytest.approx(weekly.mean() / np.std(weekly, ddof=1) * np.sqrt(52))
    assert result["turnover"] == 0.0


def test_drawdown_counts_a_fall_from_the_starting_value():
    assert max_drawdown(pd.Series([0.9, 0.95, 1.2, 0.6])) == pytest.approx(-0.5)
    assert max_drawdown(pd.Series([1.1, 1.2])) == 0.0


def test_a_prediction_first_earns_the_week_after_its_trade():
    decided = pd.DataFrame({"small_cap": [1.0, 0.0]}, index=WEEKS[:2])
    assert held_weights(decided, WEEKS, delay_weeks=0).index[0] == WEEKS[1]
    held = held_weights(decided, WEEKS, delay_weeks=1)
    assert held.index.tolist() == [WEEKS[2], WEEKS[3]]
    assert held["small_cap"].tolist() == [1.0, 0.0]


def test_cash_earns_the_rate_known_at_the_start_of_the_week():
    closes = pd.DataFrame({"small_cap": [100.0, 110.0], "large_cap": [50.0, 50.0]}, index=WEEKS[:2])
    rate = pd.Series([5.2, 99.0], index=WEEKS[:2])
    returns = asset_returns(closes, rate)
    assert returns.loc[WEEKS[1]].tolist() == pytest.approx([0.10, 0.0, 0.001])


def test_each_regime_gets_its_configured_weights():
    weights = regime_weights(pd.Series(["risk_off", "neutral"], index=WEEKS[:2]), Allocation())
    assert weights.to_numpy().tolist() == [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]]


def test_backtest_runs_every_strategy_over_the_same_weeks():
    index = pd.date_range("2001-01-05", periods=60, freq="W-FRI")
    rng = np.random.default_rng(1)
    closes = pd.DataFrame(
        {
            "small_cap": 100 * np.cumprod(1 + rng.normal(0, 0.02, 60)),
            "large_cap": 100 * np.cumprod(1 + rng.normal(0, 0.01, 60)),
        },
        index=index,
    )
    predicted = pd.Series(["risk_off"] * 30 + ["early_recovery"] * 30, index=index)
    result = run_backtest(predicted, closes, pd.Series(2.0, index=index), BacktestSettings())
    assert list(result.table) == ["regime_timed", "buy_hold_spx", "buy_hold_rut", "buy_hold_50_50"]
    assert result.table["buy_hold_spx"]["turnover"] == 0.0
    assert result.equity.notna().all().all()
    assert result.to_dict()["notes"][0].startswith(
        "Index closes are price indices without dividends"
    )
