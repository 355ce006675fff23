"""The regime classifier: a scikit-learn estimator and the pipeline built from the settings.

The hindsight label of every week is either `risk_off` or one label that is already known on
the week itself (`rulebook_if_not_bear_*`, see `regime.rulebook.rules.realtime_state`). So the
only thing left to learn is one probability: is this week inside a bear market that the 20% rule
has not confirmed yet, or has already left? `GatedClassifier` models exactly that: a calibrated
binary "gate" for one class, and a second classifier for how the rest of the probability splits.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from regime.config import ModelSettings
from regime.constants import RISK_OFF
from regime.model.calibration import PooledTimeSeriesCalibrator


class GatedClassifier(ClassifierMixin, BaseEstimator):
    """Multi-class probabilities from a binary gate and a classifier of the rest.

    P(gate_class | x) comes from `gate_estimator` fitted on "is gate_class"; the remaining
    1 - P(gate_class | x) is shared among the other classes as `rest_estimator` (fitted on the
    other rows only) says. Every probability is at least `min_proba`, so a confident mistake
    costs a bounded log loss.

    Parameters
    ----------
    gate_estimator : classifier with predict_proba, default LogisticRegression()
    rest_estimator : classifier with predict_proba, default DecisionTreeClassifier(max_depth=4)
    gate_class : label of the gated class; None means the last class in sorted order.
    min_proba : float in [0, 1 / n_classes), floor of every class probability.
    decision : "argmax" calls the most probable class; "balanced" calls the class whose
        probability is highest relative to its frequency in the training labels, the call
        that maximises expected balanced accuracy (a rare class is called sooner).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> y = np.array(["a", "a", "b", "b", "gate", "gate"])
    >>> model = GatedClassifier(gate_class="gate").fit(X, y)
    >>> model.predict([[5.0]]).tolist()
    ['gate']
    """

    def __init__(
        self,
        gate_estimator: BaseEstimator | None = None,
        rest_estimator: BaseEstimator | None = None,
        gate_class: Hashable | None = None,
        min_proba: float = 0.0,
        decision: str = "argmax",
    ) -> None:
        self.gate_estimator = gate_estimator
        self.rest_estimator = rest_estimator
        self.gate_class = gate_class
        self.min_proba = min_proba
        self.decision = decision

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        X_checked, y_checked = validate_data(self, X, y, ensure_min_samples=2)
        check_classification_targets(y_checked)
        if self.decision not in ("argmax", "balanced"):
            raise ValueError(f"decision must be 'argmax' or 'balanced', got {self.decision!r}")
        self.classes_, counts = np.unique(y_checked, return_counts=True)
        self.class_prior_ = counts / counts.sum()
        if len(self.classes_) < 2:
            raise ValueError("GatedClassifier needs at least two classes in y")
        gate = self.classes_[-1] if self.gate_class is None else self.gate_class
        if gate not in self.classes_:
            raise ValueError(f"gate_class {gate!r} is not among the classes of y")
        self.gate_index_ = int(np.flatnonzero(self.classes_ == gate)[0])
        is_gate = y_checked == gate
        gate_model = (
            self.gate_estimator if self.gate_estimator is not None else LogisticRegression()
        )
        self.gate_ = _fit_or_constant(gate_model, X_checked, is_gate.astype(int))
        rest_model = (
            self.rest_estimator
            if self.rest_estimator is not None
            else DecisionTreeClassifier(max_depth=4, random_state=0)
        )
        self.rest_ = _fit_or_constant(rest_model, X_checked[~is_gate], y_checked[~is_gate])
        return self

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        check_is_fitted(self)
        X_checked = validate_data(self, X, reset=False)
        gate = _proba_of(self.gate_, X_checked, 1)
        proba = np.zeros((X_checked.shape[0], len(self.classes_)))
        rest = _proba_matrix(self.rest_, X_checked)
        for column, label in enumerate(self.rest_.classes_):
            proba[:, np.flatnonzero(self.classes_ == label)[0]] = rest[:, column]
        proba *= (1.0 - gate)[:, None]
        proba[:, self.gate_index_] = gate
        if self.min_proba > 0:
            proba = np.maximum(proba, self.min_proba)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        proba = self.predict_proba(X)
        if self.decision == "balanced":
            proba = proba / self.class_prior_
        return self.classes_[np.argmax(proba, axis=1)]


class _Constant:
    """Stands in for a sub-model when its training rows hold a single class."""

    def __init__(self, label: Any) -> None:
        self.classes_ = np.array([label])

    def predict_proba(self, X: NDArray[Any]) -> NDArray[np.float64]:
        return np.ones((len(X), 1))


def _fit_or_constant(estimator: BaseEstimator, X: NDArray[Any], y: NDArray[Any]) -> Any:
    labels = np.unique(y)
    if len(labels) == 1:
        return _Constant(labels[0])
    return clone(estimator).fit(X, y)


def _proba_matrix(model: Any, X: NDArray[Any]) -> NDArray[np.float64]:
    return np.asarray(model.predict_proba(X), dtype=float)


def _proba_of(model: Any, X: NDArray[Any], label: Any) -> NDArray[np.float64]:
    """P(label | X) from `model`; zero if the model never saw `label`."""
    classes = list(model.classes_)
    if label not in classes:
        return np.zeros(len(X))
    return _proba_matrix(model, X)[:, classes.index(label)]


def build_classifier(settings: ModelSettings) -> Pipeline:
    """The model the settings describe, unfitted: imputation, scaling, the gated classifier.

    With `calibration.method` other than "none", the gate (risk_off or not) is recalibrated on
    pooled time-ordered folds (see calibration.py).
    """
    if settings.classifier == "logistic":
        gate = LogisticRegression(
            C=settings.logistic.C,
            max_iter=settings.logistic.max_iter,
            class_weight=settings.class_weight,
        )
    else:
        gb = settings.gradient_boosting
        gate = HistGradientBoostingClassifier(
            learning_rate=gb.learning_rate,
            max_iter=gb.max_iter,
            max_leaf_nodes=gb.max_leaf_nodes,
            min_samples_leaf=gb.min_samples_leaf,
            l2_regularization=gb.l2_regularization,
            class_weight=settings.class_weight,
            random_state=settings.random_state,
        )
    if settings.calibration.method != "none":
        gate = PooledTimeSeriesCalibrator(
            gate, n_splits=settings.calibration.folds, method=settings.calibration.method
        )
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            (
                "classify",
                GatedClassifier(
                    gate_estimator=gate,
                    rest_estimator=DecisionTreeClassifier(max_depth=4, random_state=0),
                    gate_class=RISK_OFF,
                    min_proba=settings.min_probability,
                    decision=settings.decision,
                ),
            ),
        ]
    )
