"""The custom estimators honour scikit-learn's contract, then do their one job."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from regime.config import ModelSettings
from regime.model.calibration import PooledTimeSeriesCalibrator
from regime.model.classifier import GatedClassifier, build_classifier


@parametrize_with_checks([GatedClassifier(), PooledTimeSeriesCalibrator(n_splits=3)])
def test_scikit_learn_estimator_contract(estimator, check):
    check(estimator)


def test_the_gate_class_gets_the_gate_probability_and_the_rest_share_the_remainder():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = np.where(X[:, 0] > 0.5, "risk_off", np.where(X[:, 1] > 0, "neutral", "narrow_rally"))
    model = GatedClassifier(gate_class="risk_off").fit(X, y)
    proba = model.predict_proba(np.array([[2.0, 1.0], [-2.0, 1.0], [-2.0, -1.0]]))
    assert list(model.classes_) == ["narrow_rally", "neutral", "risk_off"]
    assert proba[0, 2] > 0.9  # deep in gate territory
    assert proba[1, 1] > 0.9 and proba[2, 0] > 0.9
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_no_probability_falls_below_the_floor():
    X = np.arange(20, dtype=float)[:, None]
    y = np.array(["a"] * 10 + ["gate"] * 10)
    proba = GatedClassifier(gate_class="gate", min_proba=0.01).fit(X, y).predict_proba(X)
    assert proba.min() >= 0.01 / (1 + 0.01) - 1e-12


def test_pooled_calibration_keeps_a_rare_clustered_event_that_fold_averaging_loses():
    # Events cluster in two bursts, as bear markets do; most time-ordered folds hold none.
    rng = np.random.default_rng(1)
    n = 600
    event = np.zeros(n, dtype=int)
    event[100:160] = 1
    event[420:480] = 1
    X = (event * 2.0 + rng.normal(size=n))[:, None]
    model = PooledTimeSeriesCalibrator(LogisticRegression(), n_splits=4).fit(X, event)
    p_event = model.predict_proba(np.array([[2.0], [0.0]]))[:, 1]
    assert p_event[0] > 0.6 and p_event[1] < 0.2


def test_the_configured_pipeline_handles_missing_features():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 3))
    y = np.where(X[:, 0] > 0.8, "risk_off", "neutral")
    X[::7, 1] = np.nan
    pipeline = build_classifier(ModelSettings()).fit(X, y)
    assert np.isfinite(pipeline.predict_proba(X)).all()


@pytest.mark.parametrize("classifier", ["logistic", "gradient_boosting"])
def test_the_same_data_and_settings_give_the_same_probabilities(classifier):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    y = np.where(
        X[:, 0] + X[:, 1] > 1, "risk_off", np.where(X[:, 2] > 0, "neutral", "narrow_rally")
    )
    settings = ModelSettings(classifier=classifier)
    first = build_classifier(settings).fit(X, y).predict_proba(X)
    second = build_classifier(settings).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
