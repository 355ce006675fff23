"""The regime classifier: two binary gates, one per side of the rulebook, and the known rest.

The hindsight label of every week is either `risk_off` or one label that is already known on
the week itself (`rulebook_if_not_bear_*`, see rulebook.rules.realtime_state). So the only thing
to learn is one probability, P(risk_off), and the rulebook splits it into two questions:

- the entry gate, on weeks the rulebook sees as a bull leg: has a bear market already begun
  (is the highest close so far its peak)?
- the exit gate, on weeks inside a confirmed bear: is the trough still ahead?

Each gate is a logistic regression on its own features, fitted only on rows where all of them
exist (a feature never trains on an imputed value), optionally followed by a fixed sigmoid
recalibration learned out of sample (calibration.py). `SplitGateClassifier` puts the gates, the
rest and a decision rule (decision.py) behind the scikit-learn estimator API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from regime.learning.calibration import Sigmoid
from regime.learning.logistic import fit_gate, gate_probability
from regime.model.decision import decide

Columns = Sequence[str] | Sequence[int] | None


class SplitGateClassifier(ClassifierMixin, BaseEstimator):
    """Class probabilities from two gates for one class, split by a binary side feature.

    Rows whose `side_feature` is above 0.5 are answered by the exit gate, the others by the
    entry gate; each gate gives P(gate_class) from its own columns. The remaining probability
    goes to the other classes as `rest` (a shallow decision tree on all columns, fitted on the
    rows that are not `gate_class`) says. Every probability is at least `min_proba`.

    Parameters
    ----------
    side_feature : column name (DataFrame input) or index of the binary side flag; None: every
        row is answered by the entry gate.
    entry_features, exit_features : the columns each gate reads (names or indices); None: every
        column but the side flag.
    entry_C, exit_C : inverse L2 regularisation of each gate's logistic regression.
    entry_calibration, exit_calibration : (slope, intercept) of a sigmoid applied to the gate's
        log-odds, learned out of sample elsewhere; (1.0, 0.0) leaves them as they are.
    rest_features : {class: column} naming, for each class other than `gate_class`, a 0/1
        column that flags it; the rest probability then goes to the flagged class of each row
        (nothing is learned). None: a shallow decision tree on all columns learns where it goes.
    gate_class : the class the gates predict; None: the last class in sorted order.
    decision : "argmax", "balanced" or "balanced_hysteresis" (see decision.py).
    hysteresis : the factor of the hysteresis rule.
    class_prior : training frequency of each class, in sorted class order, for the balanced
        rules; None: the frequencies in y.
    min_proba : floor of every class probability.
    logistic_max_iter : iterations of each logistic regression.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0, 0.0], [0, 1.0], [0, 2.0], [0, 3.0], [1, 0.0], [1, 3.0]])
    >>> y = np.array(["a", "a", "gate", "gate", "gate", "a"])
    >>> model = SplitGateClassifier(side_feature=0, gate_class="gate").fit(X, y)
    >>> model.predict(np.array([[0, 3.0]])).tolist()
    ['gate']
    """

    def __init__(
        self,
        side_feature: str | int | None = None,
        entry_features: Columns = None,
        exit_features: Columns = None,
        entry_C: float = 1.0,
        exit_C: float = 1.0,
        entry_calibration: tuple[float, float] = (1.0, 0.0),
        exit_calibration: tuple[float, float] = (1.0, 0.0),
        rest_features: Mapping[Any, str | int] | None = None,
        gate_class: Any = None,
        decision: str = "argmax",
        hysteresis: float = 1.0,
        class_prior: Sequence[float] | None = None,
        min_proba: float = 0.0,
        logistic_max_iter: int = 1000,
    ):
        self.side_feature = side_feature
        self.entry_features = entry_features
        self.exit_features = exit_features
        self.entry_C = entry_C
        self.exit_C = exit_C
        self.entry_calibration = entry_calibration
        self.exit_calibration = exit_calibration
        self.rest_features = rest_features
        self.gate_class = gate_class
        self.decision = decision
        self.hysteresis = hysteresis
        self.class_prior = class_prior
        self.min_proba = min_proba
        self.logistic_max_iter = logistic_max_iter

    def fit(self, X: Any, y: Any) -> SplitGateClassifier:
        names = list(X.columns) if isinstance(X, pd.DataFrame) else None
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", ensure_min_samples=2)
        check_classification_targets(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError("SplitGateClassifier needs at least two classes in y")
        gate = self.classes_[-1] if self.gate_class is None else self.gate_class
        if gate not in self.classes_:
            raise ValueError(f"gate_class {gate!r} is not among the classes of y")
        self.gate_index_ = int(np.flatnonzero(self.classes_ == gate)[0])
        self.class_prior_ = (
            counts / counts.sum() if self.class_prior is None else np.asarray(self.class_prior)
        )
        self.side_index_ = (
            None if self.side_feature is None else _position(self.side_feature, names)
        )
        every = [i for i in range(X.shape[1]) if i != self.side_index_]
        self.entry_columns_ = _positions(self.entry_features, names, every)
        self.exit_columns_ = _positions(self.exit_features, names, every)
        side = self._side(X)
        is_gate = (y == gate).astype(int)
        self.entry_gate_ = fit_gate(
            X[~side][:, self.entry_columns_], is_gate[~side], self.entry_C, self.logistic_max_iter
        )
        self.exit_gate_ = fit_gate(
            X[side][:, self.exit_columns_], is_gate[side], self.exit_C, self.logistic_max_iter
        )
        rest = y != gate
        if self.rest_features is not None:
            self.rest_ = None
            self.rest_columns_ = {
                label: _position(column, names) for label, column in self.rest_features.items()
            }
        else:
            # Only the generic form learns a tree: prediction with indicators needs neither.
            from sklearn.impute import SimpleImputer
            from sklearn.pipeline import Pipeline
            from sklearn.tree import DecisionTreeClassifier

            self.rest_columns_ = {}
            self.rest_ = Pipeline(
                [
                    ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                    ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
                ]
            )
            if rest.any():
                self.rest_.fit(X[rest], y[rest])
        return self

    def gate_proba(self, X: Any) -> NDArray[np.float64]:
        """P(gate_class) of each row: its side's gate, recalibrated."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        side = self._side(X)
        p = np.zeros(len(X))
        for mask, gate, columns, calibration in (
            (~side, self.entry_gate_, self.entry_columns_, self.entry_calibration),
            (side, self.exit_gate_, self.exit_columns_, self.exit_calibration),
        ):
            if mask.any():
                raw = gate_probability(gate, X[mask][:, columns])
                p[mask] = Sigmoid(*calibration)(raw)
        return p

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        gate = self.gate_proba(X)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        proba = self._rest_proba(X)
        proba *= (1.0 - gate)[:, None]
        proba[:, self.gate_index_] = gate
        if self.min_proba > 0:
            proba = np.maximum(proba, self.min_proba)
        return np.asarray(proba / proba.sum(axis=1, keepdims=True), dtype=float)

    def _rest_proba(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        """How the probability left by the gate splits among the classes (rows sum to 1)."""
        proba = np.zeros((len(X), len(self.classes_)))
        if self.rest_columns_:
            labels = list(self.rest_columns_)
            flags = X[:, [self.rest_columns_[label] for label in labels]]
            flagged = np.argmax(np.nan_to_num(flags, nan=-np.inf), axis=1)
            for k, label in enumerate(labels):
                proba[flagged == k, self._class_position(label)] = 1.0
        elif self.rest_ is not None and hasattr(self.rest_, "classes_"):
            rest = np.asarray(self.rest_.predict_proba(X), dtype=float)
            for column, label in enumerate(self.rest_.classes_):
                proba[:, self._class_position(label)] = rest[:, column]
        return proba

    def _class_position(self, label: Any) -> int:
        return int(np.flatnonzero(self.classes_ == label)[0])

    def predict(self, X: Any) -> NDArray[Any]:
        """The called class of each row, by `decision`; rows are consecutive weeks in order."""
        proba = self.predict_proba(X)
        return decide(
            proba,
            [str(c) for c in self.classes_],
            self.class_prior_,
            self.decision,
            str(self.classes_[self.gate_index_]),
            self.hysteresis,
        ).astype(self.classes_.dtype)

    def _side(self, X: NDArray[np.float64]) -> NDArray[np.bool_]:
        if self.side_index_ is None:
            return np.zeros(len(X), dtype=bool)
        return np.asarray(X[:, self.side_index_] > 0.5)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def _position(column: str | int, names: list[str] | None) -> int:
    if isinstance(column, str):
        if names is None or column not in names:
            raise ValueError(f"column {column!r} is not among the features")
        return names.index(column)
    return int(column)


def _positions(columns: Columns, names: list[str] | None, default: list[int]) -> list[int]:
    if columns is None:
        return default
    return [_position(c, names) for c in columns]
