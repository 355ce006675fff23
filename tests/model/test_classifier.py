"""The custom estimators honour scikit-learn's contract, then do their one job."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from regime.learning.calibration import logit
from regime.learning.logistic import LastFit, StandardizedLogistic, fit_gate
from regime.model.classifier import SplitGateClassifier
from regime.model.serialize import classifier_from_dict, classifier_to_dict


@parametrize_with_checks([SplitGateClassifier(), StandardizedLogistic()])
def test_scikit_learn_estimator_contract(estimator, check):
    check(estimator)


def two_sided_sample(n: int = 800, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A bear flag splits the rows; the signal points one way in bulls and the other in bears."""
    rng = np.random.default_rng(seed)
    in_bear = (rng.uniform(size=n) < 0.4).astype(float)
    signal = rng.normal(size=n)
    gate = np.where(in_bear == 1, signal < 0.3, signal > 0.8)
    rest = np.where(rng.uniform(size=n) < 0.5, "neutral", "narrow_rally")
    X = pd.DataFrame(
        {
            "in_bear": in_bear,
            "signal": signal,
            "is_neutral": (rest == "neutral").astype(float),
            "is_narrow": (rest == "narrow_rally").astype(float),
        }
    )
    return X, np.where(gate, "risk_off", rest)


def split_model(**changes: object) -> SplitGateClassifier:
    params: dict[str, object] = dict(
        side_feature="in_bear",
        entry_features=["signal"],
        exit_features=["signal"],
        entry_C=10.0,
        exit_C=10.0,
        rest_features={"neutral": "is_neutral", "narrow_rally": "is_narrow"},
        gate_class="risk_off",
    )
    params.update(changes)
    return SplitGateClassifier(**params)  # type: ignore[arg-type]


def test_each_side_has_its_own_gate_so_opposite_signals_are_both_learned():
    X, y = two_sided_sample()
    model = split_model().fit(X, y)
    probe = pd.DataFrame(
        {
            "in_bear": [0.0, 0.0, 1.0, 1.0],
            "signal": [2.0, -2.0, 2.0, -2.0],
            "is_neutral": 1.0,
            "is_narrow": 0.0,
        }
    )
    p_risk_off = model.gate_proba(probe)
    assert p_risk_off[0] > 0.9 and p_risk_off[1] < 0.1  # bull leg: a high signal warns
    assert p_risk_off[2] < 0.1 and p_risk_off[3] > 0.9  # bear leg: a low signal warns


def test_the_rest_of_the_probability_goes_to_the_flagged_class():
    X, y = two_sided_sample()
    model = split_model().fit(X, y)
    row = pd.DataFrame(
        {"in_bear": [0.0], "signal": [-3.0], "is_neutral": [0.0], "is_narrow": [1.0]}
    )
    proba = dict(zip(model.classes_, model.predict_proba(row)[0], strict=True))
    assert proba["narrow_rally"] == pytest.approx(1 - proba["risk_off"])
    assert proba["neutral"] == 0.0


def test_no_probability_falls_below_the_floor():
    X, y = two_sided_sample()
    proba = split_model(min_proba=0.01).fit(X, y).predict_proba(X)
    assert proba.min() >= 0.01 / (1 + 3 * 0.01) - 1e-12
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_a_gate_never_trains_on_a_row_with_a_missing_feature():
    X, y = two_sided_sample()
    poisoned = X.copy()
    poisoned.loc[:99, "signal"] = np.nan
    flipped = y.copy()
    flipped[:100] = np.where(y[:100] == "risk_off", "neutral", "risk_off")  # would mislead
    clean = split_model().fit(X.iloc[100:], y[100:])
    model = split_model().fit(poisoned, flipped)
    np.testing.assert_allclose(model.gate_proba(X.iloc[100:]), clean.gate_proba(X.iloc[100:]))


def test_a_missing_feature_at_prediction_takes_the_training_median():
    X, y = two_sided_sample()
    model = split_model().fit(X, y)
    row = X.iloc[[0]].copy()
    row["signal"] = np.nan
    at_median = X.iloc[[0]].copy()
    at_median["signal"] = X.loc[X["in_bear"] == row["in_bear"].iloc[0], "signal"].median()
    assert model.gate_proba(row)[0] == pytest.approx(model.gate_proba(at_median)[0])


def test_a_calibration_map_reshapes_the_gate_probability():
    X, y = two_sided_sample()
    raw = split_model().fit(X, y)
    damped = split_model(entry_calibration=(0.5, 0.0), exit_calibration=(0.5, 0.0)).fit(X, y)
    expected = 1 / (1 + np.exp(-0.5 * logit(raw.gate_proba(X))))
    np.testing.assert_allclose(damped.gate_proba(X), expected, atol=1e-9)


def test_a_gate_whose_rows_hold_one_outcome_is_a_constant():
    X = np.array([[0.0], [1.0], [2.0]])
    gate = fit_gate(X, np.array([0, 0, 0]), C=1.0, max_iter=100)
    assert gate.predict_proba(np.array([[5.0]]))[0, 1] == 0.0


def test_the_same_data_give_the_same_model_and_it_survives_a_round_trip_as_data():
    X, y = two_sided_sample()
    first, second = split_model().fit(X, y), split_model().fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    back = classifier_from_dict(classifier_to_dict(first))
    np.testing.assert_array_equal(back.predict_proba(X), first.predict_proba(X))
    np.testing.assert_array_equal(back.predict(X), first.predict(X))


def test_last_fit_keeps_its_gate_for_the_same_rows_and_refits_when_they_change(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    X[::17, 1] = np.nan
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    fits: list[float] = []

    def counted(X, target, C, max_iter):
        fits.append(C)
        return fit_gate(X, target, C, max_iter)

    monkeypatch.setattr("regime.learning.logistic.fit_gate", counted)
    fit = LastFit()
    first = fit(X, y, 1.0, 100)
    assert fit(X.copy(), y.copy(), 1.0, 100) is first  # equal rows: no second fit
    assert fits == [1.0]
    grown = fit(np.vstack([X, X[:1]]), np.append(y, 1), 1.0, 100)
    assert fit(np.vstack([X, X[:1]]), np.append(y, 1), 0.1, 100) is not grown  # C changed
    assert fits == [1.0, 1.0, 0.1]
    fresh = fit_gate(np.vstack([X, X[:1]]), np.append(y, 1), 1.0, 100)
    np.testing.assert_array_equal(grown.coef_, fresh.coef_)
