"""Calibration on time-ordered folds that pools every fold's out-of-sample scores.

scikit-learn's CalibratedClassifierCV fits one calibrator per fold and averages them. With rare,
clustered events (a handful of bear markets) most time-ordered folds hold no event at all, and
their calibrators learn "never": averaged, they flatten a good classifier into its base rate.
Pooling the out-of-sample scores of all folds before fitting one calibrator keeps every event.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TimeSeriesSplit
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

_LOGIT_CLIP = 1e-6


class PooledTimeSeriesCalibrator(ClassifierMixin, BaseEstimator):
    """A binary classifier whose probabilities are calibrated on later, unseen rows.

    Rows must be in time order. For each of `n_splits` expanding-window folds, `estimator` is
    fitted on the earlier rows and scores the next block; a single calibrator (Platt's sigmoid
    on the logit of the score, or isotonic) is fitted on all those out-of-sample scores. The
    final `estimator` is then refitted on every row. Folds whose training rows hold one class
    only are skipped; with no usable fold the raw probabilities are returned.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> model = PooledTimeSeriesCalibrator(LogisticRegression()).fit(X, y)
    >>> model.predict_proba(X[:1]).shape
    (1, 2)
    """

    def __init__(
        self, estimator: BaseEstimator | None = None, n_splits: int = 4, method: str = "sigmoid"
    ) -> None:
        self.estimator = estimator
        self.n_splits = n_splits
        self.method = method

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        X_checked, y_checked = validate_data(self, X, y, ensure_min_samples=2)
        check_classification_targets(y_checked)
        self.classes_ = np.unique(y_checked)
        if len(self.classes_) != 2:
            raise ValueError(
                "Only binary classification is supported. PooledTimeSeriesCalibrator needs y "
                "with exactly two classes"
            )
        if self.method not in ("sigmoid", "isotonic"):
            raise ValueError(f"method must be 'sigmoid' or 'isotonic', got {self.method!r}")
        base = self.estimator if self.estimator is not None else LogisticRegression()
        target = (y_checked == self.classes_[1]).astype(int)
        scores, outcomes = [], []
        splits = min(self.n_splits, len(y_checked) - 1)
        for train, test in TimeSeriesSplit(n_splits=splits).split(X_checked):
            if len(np.unique(target[train])) < 2:
                continue
            fold_model = clone(base).fit(X_checked[train], target[train])
            scores.append(_positive_score(fold_model, X_checked[test]))
            outcomes.append(target[test])
        self.calibrator_ = None
        if scores:
            pooled, seen = np.concatenate(scores), np.concatenate(outcomes)
            if len(np.unique(seen)) == 2:
                self.calibrator_ = self._fit_calibrator(pooled, seen)
        self.estimator_ = clone(base).fit(X_checked, target)
        return self

    def _fit_calibrator(self, scores: NDArray[np.float64], outcomes: NDArray[np.int_]) -> Any:
        if self.method == "isotonic":
            return IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(scores, outcomes)
        return LogisticRegression(C=1e6).fit(_logit(scores)[:, None], outcomes)

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        check_is_fitted(self)
        score = _positive_score(self.estimator_, validate_data(self, X, reset=False))
        if self.calibrator_ is None:
            positive = score
        elif self.method == "isotonic":
            positive = self.calibrator_.predict(score)
        else:
            positive = self.calibrator_.predict_proba(_logit(score)[:, None])[:, 1]
        return np.column_stack([1 - positive, positive])

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        positive = self.predict_proba(X)[:, 1]
        return self.classes_[(positive > 0.5).astype(int)]

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


def _positive_score(model: Any, X: NDArray[Any]) -> NDArray[np.float64]:
    return np.asarray(model.predict_proba(X), dtype=float)[:, 1]


def _logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    p = np.clip(p, _LOGIT_CLIP, 1 - _LOGIT_CLIP)
    return np.log(p / (1 - p))
