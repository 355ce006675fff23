"""The rulebook-state features the gates read, and the macro series that reach back before the
daily ones exist: each as its definition says, and only once it was public."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import LabelRules
from regime.features.state import state_features
from regime.features.table import build_features
from regime.sources import MarketData
from tests.conftest import weekly_closes


def test_the_bull_barrier_is_the_random_walk_odds_of_falling_20_percent_before_a_new_high():
    state = state_features(weekly_closes([100, 100, 90, 85, 95]), LabelRules())
    drawdowns = np.array([0.0, 0.0, -0.10, -0.15, -0.05])
    p = np.clip(-np.log1p(drawdowns) / -np.log(0.8), 0.01, 0.99)
    np.testing.assert_allclose(state["rulebook_barrier_bull"], np.log(p / (1 - p)))
    assert (state["rulebook_barrier_bear"] == 0).all()
    assert state["rulebook_weeks_since_extreme"].tolist() == [0, 0, 1, 2, 3]


def test_inside_a_confirmed_bear_the_exit_features_describe_the_fall_and_the_bounce():
    closes = [100, 90, 80, 70, 77, 70.0]  # confirmed at 80; low 70; a 10% bounce; back to 70
    state = state_features(weekly_closes(closes), LabelRules())
    in_bear = state["rulebook_risk_off"] == 1
    assert in_bear.tolist() == [False, False, True, True, True, True]
    assert state["rulebook_bear_age"].tolist() == [0, 0, 1, 2, 3, 4]
    assert state["rulebook_bear_depth"].iloc[3] == pytest.approx(np.log(0.7))
    q = np.clip(np.log(1.1) / np.log(1.2), 0.01, 0.99)
    assert state["rulebook_barrier_bear"].iloc[4] == pytest.approx(np.log((1 - q) / q))
    assert (state.loc[in_bear, "rulebook_barrier_bull"] == 0).all()


@pytest.fixture(scope="module")
def features(embedded_dataset) -> pd.DataFrame:
    return embedded_dataset.features


def test_credit_before_1990_is_monthly_baa_published_a_month_later(
    features, embedded_data, project_settings
):
    # Moody's Baa for March 1980 (dated 1 March) is public 38 days later, on 8 April.
    spread = features["credit_spread_zscore"]
    assert spread.loc["1979-12-28":"1989-12-29"].notna().all()
    baa = embedded_data["BAA"]
    changed = {**embedded_data.series, "BAA": baa.where(baa.index != "1980-03-01", baa * 2)}
    shocked = build_features(MarketData(changed, embedded_data.origin), project_settings)
    assert shocked.loc["1980-04-04", "credit_spread_zscore"] == spread.loc["1980-04-04"]
    assert shocked.loc["1980-04-11", "credit_spread_zscore"] != spread.loc["1980-04-11"]


def test_volatility_is_the_vix_where_it_exists_and_realised_volatility_before(features):
    vol = features["volatility_zscore"]
    assert vol.loc["1980":"1990-06"].notna().all()
    assert vol.loc["1980":"1990-06"].equals(
        features["realised_volatility_zscore"].loc["1980":"1990-06"]
    )
    assert vol.loc["1995":].equals(features["vix_zscore"].loc["1995":])


def test_the_term_spread_uses_the_three_month_bill_before_fred_has_10y_minus_3m(features):
    spread = features["term_spread"]
    assert (
        spread.loc["1980":"1981"].notna().all() and features["slope_10y3m"].loc["1980"].isna().all()
    )
    assert spread.loc["1990":].equals(features["slope_10y3m"].loc["1990":])
