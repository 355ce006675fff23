"""Simulating an allocation on hand-built paths with answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.evaluation.allocation.simulation import asset_returns, held_weights, simulate

WEEKS = pd.date_range("2001-01-05", periods=6, freq="W-FRI")


def _returns(small, large, cash=0.0) -> pd.DataFrame:
    index = WEEKS[: len(small)]
    return pd.DataFrame({"small_cap": small, "large_cap": large, "cash": cash}, index=index)


def _weights(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, index=WEEKS[: len(rows)], columns=["small_cap", "large_cap", "cash"])


def test_switching_fully_from_one_asset_to_another_trades_twice_the_portfolio_and_pays_for_it():
    returns = _returns([0.10, 0.0, 0.0], [0.0, 0.05, 0.0])
    path = simulate(_weights([[1, 0, 0], [0, 1, 0], [0, 1, 0]]), returns, cost_bps=10)
    assert path["turnover"].tolist() == pytest.approx([0.0, 2.0, 0.0])
    assert path["cost"].tolist() == pytest.approx([0.0, 0.002, 0.0])
    assert path["return"].tolist() == pytest.approx([0.10, 0.998 * 1.05 - 1, 0.0])
    assert path["gross"].tolist() == pytest.approx([0.10, 0.05, 0.0])


def test_weekly_rebalancing_without_a_band_trades_back_the_drift():
    # 50/50, small caps +20%: holdings drift to 60/50 of 110 -> 0.5455/0.4545; back to 0.5/0.5.
    returns = _returns([0.20, 0.0], [0.0, 0.0])
    path = simulate(_weights([[0.5, 0.5, 0], [0.5, 0.5, 0]]), returns, cost_bps=0)
    assert path["turnover"].iloc[1] == pytest.approx(2 * (0.6 / 1.1 - 0.5))
    assert path["small_cap_weight"].iloc[1] == pytest.approx(0.5)


def test_the_band_stops_small_trades_and_the_holdings_drift():
    returns = _returns([0.20, 0.0, 0.0], [0.0, 0.0, 0.0])
    targets = _weights([[0.5, 0.5, 0], [0.55, 0.45, 0], [0.5, 0.5, 0]])
    path = simulate(targets, returns, cost_bps=10, band=0.1)
    assert path["turnover"].tolist() == [0.0, 0.0, 0.0]
    assert path["cost"].sum() == 0.0
    drifted = 0.6 / 1.1
    assert path["small_cap_weight"].tolist() == pytest.approx([0.5, drifted, drifted])


def test_outside_the_band_it_trades_only_to_the_bands_edge_and_pays_for_what_it_trades():
    returns = _returns([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    # The target moves 0.4 into cash; with a band of 0.1 the trade covers 3/4 of the gap, so the
    # weight furthest from its target ends exactly on the band's edge.
    targets = _weights([[0.5, 0.5, 0], [0.3, 0.3, 0.4], [0.3, 0.3, 0.4]])
    path = simulate(targets, returns, cost_bps=10, band=0.1)
    held = path.loc[WEEKS[1], ["small_cap_weight", "large_cap_weight", "cash_weight"]]
    assert held.tolist() == pytest.approx([0.35, 0.35, 0.3])
    assert path["turnover"].tolist() == pytest.approx([0.0, 0.6, 0.0])  # 0.15 + 0.15 + 0.3
    assert path["cost"].iloc[1] == pytest.approx(0.6 * 10 / 1e4)
    assert (held - targets.loc[WEEKS[1]].to_numpy()).abs().max() == pytest.approx(0.1)


def test_a_band_that_changes_week_by_week_applies_to_its_own_week():
    returns = _returns([0.0] * 3, [0.0] * 3)
    targets = _weights([[0.5, 0.5, 0], [0.7, 0.3, 0], [0.7, 0.3, 0]])
    band = pd.Series([0.0, 0.3, 0.0], index=WEEKS[:3])
    path = simulate(targets, returns, cost_bps=0, band=band)
    assert path["turnover"].tolist() == pytest.approx([0.0, 0.0, 0.4])


def test_a_decision_first_earns_the_week_after_its_trade():
    decided = pd.DataFrame({"small_cap": [1.0, 0.0]}, index=WEEKS[:2])
    assert held_weights(decided, WEEKS, delay_weeks=0).index[0] == WEEKS[1]
    held = held_weights(decided, WEEKS, delay_weeks=1)
    assert held.index.tolist() == [WEEKS[2], WEEKS[3]]
    assert held["small_cap"].tolist() == [1.0, 0.0]


def test_cash_earns_the_rate_known_at_the_start_of_the_week():
    levels = pd.DataFrame({"small_cap": [100.0, 110.0], "large_cap": [50.0, 50.0]}, index=WEEKS[:2])
    rate = pd.Series([5.2, 99.0], index=WEEKS[:2])
    returns = asset_returns(levels, rate)
    assert returns.loc[WEEKS[1]].tolist() == pytest.approx([0.10, 0.0, 0.001])


def test_a_constant_mix_without_drift_never_trades():
    returns = _returns(np.full(4, 0.01), np.full(4, 0.01))
    path = simulate(_weights([[0.5, 0.5, 0]] * 4), returns, cost_bps=10)
    assert path["turnover"].sum() == 0.0
