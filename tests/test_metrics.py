"""Scores on tiny hand-made inputs, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.constants import REGIMES
from regime.metrics import (
    classification_scores,
    detection,
    reliability_table,
    weekly_log_loss,
)

WEEKS = pd.date_range("2002-01-04", periods=6, freq="W-FRI")


def _proba(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, index=WEEKS[: len(rows)], columns=list(REGIMES))


def test_weekly_log_loss_is_minus_log_of_the_true_class_probability():
    truth = pd.Series(["neutral", "risk_off"], index=WEEKS[:2])
    proba = _proba([[0.1, 0.1, 0.5, 0.3], [0.0, 0.0, 0.75, 0.25]])
    assert weekly_log_loss(truth, proba) == pytest.approx([-np.log(0.5), -np.log(0.25)])


def test_reliability_table_bins_top_class_confidence_against_accuracy():
    truth = pd.Series(["neutral", "neutral", "risk_off", "neutral"], index=WEEKS[:4])
    proba = _proba([[0, 0, 0.95, 0.05], [0, 0, 0.91, 0.09], [0, 0, 0.92, 0.08], [0, 0, 0.3, 0.7]])
    table = reliability_table(truth, proba, bins=10)
    assert table["bin"].tolist() == [7, 9]
    top = table.set_index("bin").loc[9]
    assert top["weeks"] == 3
    assert top["accuracy"] == pytest.approx(2 / 3)
    assert top["confidence"] == pytest.approx((0.95 + 0.91 + 0.92) / 3)


def test_a_model_without_probabilities_has_empty_probability_scores():
    truth = pd.Series(["neutral", "risk_off", "risk_off"], index=WEEKS[:3])
    predicted = pd.Series(["neutral", "neutral", "risk_off"], index=WEEKS[:3])
    scores = classification_scores(truth, predicted)
    assert scores["log_loss"] is None and scores["brier"] is None and scores["ece"] is None
    assert scores["balanced_accuracy"] == pytest.approx(0.75)
    assert scores["recall"]["risk_off"] == pytest.approx(0.5)


def test_detection_lag_counts_weeks_from_the_peak_and_false_alarms_outside_episodes():
    truth = pd.Series(
        ["neutral", "risk_off", "risk_off", "risk_off", "neutral", "neutral"], index=WEEKS
    )
    predicted = pd.Series(
        ["neutral", "neutral", "risk_off", "risk_off", "neutral", "risk_off"], index=WEEKS
    )
    found = detection(truth, predicted)
    assert found["episodes"][0]["lag_weeks"] == 2
    assert found["false_alarm_weeks"] == 1
    assert found["missed_episodes"] == 0
