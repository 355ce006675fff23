"""Scores of outlook probabilities on hand-built outcomes, checked by hand or against sklearn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from regime.constants import REGIMES
from regime.evaluation.outlook.scores import (
    auroc_rows,
    reliability,
    scores,
    skill_rows,
    weekly_brier,
)
from regime.model.horizons import Target

EVENT = Target("leadership", 13)
REGIME = Target("regime", 13)


def _event(p: list[float], y: list[int]) -> tuple[pd.Series, pd.DataFrame]:
    index = pd.date_range("2001-01-05", periods=len(p), freq="W-FRI")
    p1 = np.asarray(p)
    return pd.Series(y, index=index), pd.DataFrame({0: 1 - p1, 1: p1}, index=index)


def test_an_events_brier_score_is_the_squared_miss_of_its_probability():
    truth, proba = _event([0.8, 0.3], [1, 1])
    assert weekly_brier(truth, proba, EVENT).tolist() == pytest.approx([0.04, 0.49])


def test_the_regimes_brier_score_sums_over_the_four_regimes():
    index = pd.date_range("2001-01-05", periods=1, freq="W-FRI")
    proba = pd.DataFrame([[0.1, 0.2, 0.6, 0.1]], index=index, columns=list(REGIMES))
    truth = pd.Series(["neutral"], index=index)
    assert weekly_brier(truth, proba, REGIME)[0] == pytest.approx(0.01 + 0.04 + 0.16 + 0.01)


def test_auroc_matches_sklearn_on_the_weeks_and_on_every_resample():
    rng = np.random.default_rng(3)
    p = np.round(rng.uniform(size=60), 1)  # ties count half
    y = (rng.uniform(size=60) < p).astype(int)
    truth, proba = _event(list(p), list(y))
    assert scores(truth, proba, EVENT, 10)["auroc"] == pytest.approx(roc_auc_score(y, p))
    rows = rng.integers(0, 60, size=(5, 60))
    found = auroc_rows(truth, proba)(rows)
    expected = [roc_auc_score(y[r], p[r]) for r in rows]
    assert found.tolist() == pytest.approx(expected)


def test_skill_is_one_minus_the_ratio_of_brier_scores():
    ours, theirs = np.array([0.1, 0.3]), np.array([0.4, 0.4])
    assert skill_rows(ours, theirs)(np.arange(2)[None, :])[0] == pytest.approx(1 - 0.2 / 0.4)


def test_reliability_bins_the_forecasts_and_counts_their_weeks():
    truth, proba = _event([0.05, 0.15, 0.12, 0.95], [0, 1, 0, 1])
    table = reliability(truth, proba, EVENT, bins=10)
    assert [(b["low"], b["weeks"]) for b in table] == [(0.0, 1), (0.1, 2), (0.9, 1)]
    assert table[1]["forecast"] == pytest.approx(0.135)
    assert table[1]["observed"] == pytest.approx(0.5)
    ece = scores(truth, proba, EVENT, 10)["ece"]
    assert ece == pytest.approx((0.05 + 2 * abs(0.135 - 0.5) + 0.05) / 4)
