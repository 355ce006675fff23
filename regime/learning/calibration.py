"""Sigmoid (Platt) recalibration of a gate's probabilities, fitted on out-of-sample weeks.

A gate's probabilities can be recalibrated only on weeks its models did not train on. The
walk-forward provides exactly those: at each refit, every earlier week has a probability from a
model fitted before it. One logistic regression on the log-odds of those probabilities maps a
raw probability to a calibrated one: p -> sigmoid(slope * logit(p) + intercept). The identity
map (slope 1, intercept 0) is "no calibration".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from regime.learning.choice import UNKNOWN
from regime.learning.schedule import Refit

_CLIP = 1e-6
# A whisper of ridge keeps the two-parameter fit finite when the log-odds separate the outcomes.
_RIDGE = 1e-4
_NEWTON_STEPS = 50


@dataclass(frozen=True)
class Sigmoid:
    """p -> sigmoid(slope * logit(p) + intercept)."""

    slope: float = 1.0
    intercept: float = 0.0

    def __call__(self, p: ArrayLike) -> NDArray[np.float64]:
        if self.slope == 1.0 and self.intercept == 0.0:
            return np.asarray(p, dtype=float)
        return sigmoid(self.slope * logit(p) + self.intercept)

    def as_tuple(self) -> tuple[float, float]:
        return (self.slope, self.intercept)


IDENTITY = Sigmoid()


def fit_sigmoid(probabilities: ArrayLike, outcomes: ArrayLike) -> Sigmoid:
    """The Platt map that best turns `probabilities` into the observed 0/1 `outcomes`.

    Maximum likelihood by Newton's method on (slope, intercept). With one outcome class only
    there is nothing to fit: the identity map is returned.
    """
    y = np.asarray(outcomes, dtype=float)
    if len(y) == 0 or y.min() == y.max():
        return IDENTITY
    Z = np.column_stack([logit(probabilities), np.ones(len(y))])
    beta = np.array([1.0, 0.0])
    for _ in range(_NEWTON_STEPS):
        p = sigmoid(Z @ beta)
        gradient = Z.T @ (p - y) + _RIDGE * beta
        hessian = (Z * (p * (1 - p))[:, None]).T @ Z + _RIDGE * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return Sigmoid(float(beta[0]), float(beta[1]))


def sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """1 / (1 + exp(-z)), without overflow for large |z|."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float))), dtype=float)


def logit(p: ArrayLike) -> NDArray[np.float64]:
    q = np.clip(np.asarray(p, dtype=float), _CLIP, 1 - _CLIP)
    return np.asarray(np.log(q / (1 - q)), dtype=float)


def calibrate_walk_forward(
    raw: pd.Series,
    targets: Mapping[pd.Timestamp, NDArray[np.int8]],
    schedule: Sequence[Refit],
    min_weeks: int,
) -> tuple[pd.Series, dict[pd.Timestamp, Sigmoid]]:
    """`raw` out-of-sample probabilities, each refit's block recalibrated by a sigmoid fitted on
    the weeks before its refit.

    Those weeks were predicted by earlier refits and are judged by the outcomes known at this
    refit (`targets[refit.date]`, aligned with `raw`: 1, 0, or UNKNOWN). Until `min_weeks` of
    them exist, the block is left as it is (the identity map).
    """
    out = raw.copy()
    maps: dict[pd.Timestamp, Sigmoid] = {}
    values = raw.to_numpy()
    dates = raw.index
    for refit in schedule:
        target = targets[refit.date]
        past = (dates <= refit.date) & (target != UNKNOWN) & ~np.isnan(values)
        fitted = IDENTITY
        if past.sum() >= min_weeks:
            fitted = fit_sigmoid(values[past], target[past])
        maps[refit.date] = fitted
        block = dates.isin(refit.block) & ~np.isnan(values)
        out.iloc[np.flatnonzero(block)] = fitted(values[block])
    return out, maps
