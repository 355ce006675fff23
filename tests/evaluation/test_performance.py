"""Growth, risk and drawdown figures of hand-built return paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.evaluation.allocation.performance import (
    calendar_years,
    drawdowns,
    max_drawdown,
    performance,
    sortino,
)

WEEKS = pd.date_range("2001-01-05", periods=7, freq="W-FRI")


def _path(net, gross=None, turnover=0.0, cost=0.0) -> pd.DataFrame:
    index = pd.date_range("2001-01-05", periods=len(net), freq="W-FRI")
    gross = net if gross is None else gross
    return pd.DataFrame(
        {"return": net, "gross": gross, "turnover": turnover, "cost": cost}, index=index
    )


def test_cagr_volatility_drawdown_sharpe_and_turnover_of_a_known_path():
    weekly = np.full(52, 0.01)
    weekly[10] = -0.2
    path = _path(weekly, turnover=0.5)
    result = performance(path, pd.Series(0.0, index=path.index))
    assert result["cagr"] == pytest.approx(1.01**51 * 0.8 - 1)
    assert result["volatility"] == pytest.approx(np.std(weekly, ddof=1) * np.sqrt(52))
    assert result["max_drawdown"] == pytest.approx(-0.2)
    assert result["sharpe"] == pytest.approx(weekly.mean() / np.std(weekly, ddof=1) * np.sqrt(52))
    assert result["turnover"] == pytest.approx(26.0)  # 0.5 a week for a year
    assert result["cost_drag"] == 0.0


def test_cost_drag_is_the_cagr_lost_to_costs():
    gross = np.full(104, 0.002)
    net = (1 - 0.001) * (1 + gross) - 1
    result = performance(_path(net, gross), pd.Series(0.0, index=_path(net).index))
    assert result["cost_drag"] == pytest.approx(1.002**52 - (0.999 * 1.002) ** 52)


def test_sortino_divides_the_mean_excess_return_by_the_root_mean_square_of_the_losses():
    excess = np.array([[0.02, -0.01, 0.03, -0.02]])
    downside = np.sqrt((0.01**2 + 0.02**2) / 4)
    assert sortino(excess)[0] == pytest.approx(0.005 / downside * np.sqrt(52))
    assert sortino(np.array([[0.01, 0.02]]))[0] == 0.0  # no losing week: no downside to divide


def test_the_excess_over_cash_is_what_the_ratios_reward():
    path = _path(np.full(52, 0.001) + np.tile([0.001, -0.001], 26))
    cash = pd.Series(0.001, index=path.index)
    assert performance(path, cash)["sharpe"] == pytest.approx(0.0, abs=1e-9)


def test_drawdown_counts_a_fall_from_the_starting_value():
    assert max_drawdown(pd.Series([0.9, 0.95, 1.2, 0.6])) == pytest.approx(-0.5)
    assert max_drawdown(pd.Series([1.1, 1.2])) == 0.0


def test_the_worst_drawdowns_with_their_peak_trough_recovery_and_length():
    equity = pd.Series([1.2, 0.9, 1.3, 1.17, 1.3, 0.65, 0.8], index=WEEKS)
    start = WEEKS[0] - pd.Timedelta(days=7)
    found = drawdowns(equity, start, count=2)
    day = [d.date().isoformat() for d in WEEKS]
    assert found == [
        {
            "peak": day[4],
            "trough": day[5],
            "recovery": None,  # not recovered by the last week
            "depth": pytest.approx(-0.5),
            "weeks_to_trough": 1,
            "weeks": 2,
        },
        {
            "peak": day[0],
            "trough": day[1],
            "recovery": day[2],
            "depth": pytest.approx(-0.25),
            "weeks_to_trough": 1,
            "weeks": 2,
        },
    ]
    # A close back at the peak's level ends the drawdown (1.3 after 1.3).
    assert drawdowns(equity, start, count=5)[2]["recovery"] == day[4]


def test_a_fall_from_the_start_is_dated_from_the_close_where_the_position_was_taken():
    equity = pd.Series([0.9, 0.8, 1.0], index=WEEKS[:3])
    start = WEEKS[0] - pd.Timedelta(days=7)
    (first,) = drawdowns(equity, start)
    assert (first["peak"], first["trough"], first["recovery"]) == (
        start.date().isoformat(),
        WEEKS[1].date().isoformat(),
        WEEKS[2].date().isoformat(),
    )
    assert first["depth"] == pytest.approx(-0.2) and first["weeks"] == 3


def test_calendar_years_compound_their_weeks():
    index = pd.DatetimeIndex(["2001-12-21", "2001-12-28", "2002-01-04"])
    returns = pd.DataFrame({"a": [0.1, 0.1, -0.5], "b": [0.0, 0.0, 0.0]}, index=index)
    assert calendar_years(returns) == [
        {"year": 2001, "weeks": 2, "a": pytest.approx(0.21), "b": 0.0},
        {"year": 2002, "weeks": 1, "a": pytest.approx(-0.5), "b": 0.0},
    ]
