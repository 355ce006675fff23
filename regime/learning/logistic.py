"""The small logistic model every walk-forward in `regime` refits thousands of times.

The gates, the outlook and the recession nowcast each fit a logistic regression on a few
standardised features, on the training rows where every feature exists, and predict rows whose
stale features take the training median. `StandardizedLogistic` is that model as one scikit-learn
estimator; `fit_gate` falls back to a constant when the rows hold one outcome only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from regime.learning.calibration import sigmoid


class StandardizedLogistic(ClassifierMixin, BaseEstimator):
    """Logistic regression on standardised features; missing values get the training median.

    The gates' and the outlook's model: one small estimator instead of an imputer-scaler-logistic
    pipeline, which the walk-forward refits thousands of times. Two classes give a binary
    logistic regression, more a multinomial one. Training rows with a missing value are left out
    (a model never trains on an imputed value); the medians stand in only for a prediction row's
    missing (stale) feature. Everything it learns is plain arrays, so it stores as data.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> model = StandardizedLogistic(C=10.0).fit(X, y)
    >>> model.predict(np.array([[np.nan], [3.0]])).tolist()
    [0, 1]
    """

    def __init__(self, C: float = 1.0, max_iter: int = 1000):
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> StandardizedLogistic:
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        complete = ~np.isnan(X).any(axis=1)
        X, y = X[complete], y[complete]
        n_classes = len(np.unique(y))
        if n_classes < 2:
            raise ValueError(
                f"StandardizedLogistic needs y with at least two classes; got {n_classes} class"
            )
        self.median_ = np.median(X, axis=0)
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        logistic = LogisticRegression(C=self.C, max_iter=self.max_iter, solver="newton-cholesky")
        logistic.fit((X - self.mean_) / self.scale_, y)
        self.classes_ = logistic.classes_
        # Binary: one row of coefficients for the second class. Multinomial: one per class.
        self.coef_ = np.asarray(logistic.coef_, dtype=float)
        self.intercept_ = np.asarray(logistic.intercept_, dtype=float)
        self.n_iter_ = logistic.n_iter_
        return self

    def decision_function(self, X: Any) -> NDArray[np.float64]:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        X = np.where(np.isnan(X), self.median_, X)
        scores = ((X - self.mean_) / self.scale_) @ self.coef_.T + self.intercept_
        return np.asarray(scores[:, 0] if len(self.classes_) == 2 else scores)

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        scores = self.decision_function(X)
        if len(self.classes_) == 2:
            p = sigmoid(scores)
            return np.column_stack([1 - p, p])
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=float)

    def predict(self, X: Any) -> NDArray[Any]:
        check_is_fitted(self)
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def fit_gate(X: NDArray[np.float64], target: NDArray[np.int_], C: float, max_iter: int) -> Any:
    """A gate fitted on the rows of X with no missing value, or a constant if it cannot be.

    Rows with a missing feature are left out: a bear market never trains on an imputed value.
    With fewer than two outcome classes the gate is a constant (the share of positives, or 0).
    """
    complete = ~np.isnan(X).any(axis=1)
    if len(np.unique(target[complete])) < 2:
        kept = target[complete]
        return ConstantGate(float(kept.mean()) if len(kept) else 0.0, X.shape[1])
    return StandardizedLogistic(C, max_iter).fit(X, target)


class LastFit:
    """`fit_gate` for one walk-forward, refit after refit, remembering its last fit.

    Called again on the same training rows (the exit gate's between bear markets, the
    nowcast's while the NBER dates no new month), it returns the gate it fitted on them
    instead of fitting the same gate again: fitting is deterministic.
    """

    def __init__(self) -> None:
        self._inputs: tuple[Any, ...] | None = None
        self._gate: Any = None

    def __call__(
        self, X: NDArray[np.float64], target: NDArray[np.int_], C: float, max_iter: int
    ) -> Any:
        inputs = (X.shape, X.tobytes(), target.dtype.str, target.tobytes(), C, max_iter)
        if inputs != self._inputs:
            self._gate = fit_gate(X, target, C, max_iter)
            self._inputs = inputs
        return self._gate


def gate_probability(gate: Any, X: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(positive) from a fitted gate, for every row of X (missing values imputed)."""
    return np.asarray(gate.predict_proba(X)[:, -1], dtype=float)


class ConstantGate:
    """Stands in for a gate whose training rows hold one outcome only."""

    def __init__(self, probability: float, n_features: int):
        self.probability = probability
        self.n_features = n_features

    def predict_proba(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        p = np.full(len(X), self.probability)
        return np.column_stack([1 - p, p])


def gate_to_dict(gate: Any) -> dict[str, Any]:
    """A fitted StandardizedLogistic or ConstantGate as plain data (JSON-ready)."""
    if isinstance(gate, ConstantGate):
        return {"kind": "constant", "probability": gate.probability, "n_features": gate.n_features}
    return {
        "kind": "logistic",
        "C": float(gate.C),
        "max_iter": int(gate.max_iter),
        "classes": [c.item() if isinstance(c, np.generic) else c for c in gate.classes_],
        "median": [float(v) for v in gate.median_],
        "mean": [float(v) for v in gate.mean_],
        "scale": [float(v) for v in gate.scale_],
        "coef": [[float(v) for v in row] for row in gate.coef_],
        "intercept": [float(v) for v in gate.intercept_],
        "n_features": int(gate.n_features_in_),
    }


def gate_from_dict(data: dict[str, Any]) -> Any:
    """The model `gate_to_dict` described (KeyError/ValueError/TypeError if malformed)."""
    if data["kind"] == "constant":
        return ConstantGate(float(data["probability"]), int(data["n_features"]))
    if data["kind"] != "logistic":
        raise ValueError(f"unknown gate kind {data['kind']!r}")
    gate = StandardizedLogistic(C=float(data["C"]), max_iter=int(data["max_iter"]))
    gate.classes_ = np.asarray(data["classes"])
    gate.median_ = np.asarray(data["median"], dtype=float)
    gate.mean_ = np.asarray(data["mean"], dtype=float)
    gate.scale_ = np.asarray(data["scale"], dtype=float)
    gate.coef_ = np.asarray(data["coef"], dtype=float)
    gate.intercept_ = np.asarray(data["intercept"], dtype=float)
    gate.n_features_in_ = int(data["n_features"])
    return gate
