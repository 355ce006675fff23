"""Circular block bootstrap of the difference between two models scored on the same weeks.

Weekly errors cluster (a bear market is many wrong weeks in a row), so weeks are resampled in
blocks of consecutive weeks, wrapping around the end, which keeps that dependence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

Statistic = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Interval:
    """A point estimate and its bootstrap percentile interval."""

    estimate: float
    low: float
    high: float
    confidence: float
    block_weeks: int
    samples: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def circular_block_indices(n: int, block: int, samples: int, seed: int) -> np.ndarray:
    """(samples, n) row positions: each row glues random blocks of `block` consecutive weeks.

    Blocks start anywhere and wrap past the end (circular), so every week is equally likely.
    """
    if n < 1 or block < 1 or samples < 1:
        raise ValueError("n, block and samples must be positive")
    block = min(block, n)
    rng = np.random.default_rng(seed)
    n_blocks = -(-n // block)
    starts = rng.integers(0, n, size=(samples, n_blocks))
    positions = (starts[:, :, None] + np.arange(block)[None, None, :]) % n
    return positions.reshape(samples, -1)[:, :n]


def bootstrap_interval(
    statistic: Statistic,
    n: int,
    *,
    block: int,
    samples: int,
    seed: int,
    confidence: float = 0.95,
) -> Interval:
    """Percentile interval of `statistic` over block-bootstrap resamples of n weeks.

    `statistic` takes a (k, n) array of row positions and returns k values; its value on the
    original order (`arange(n)`) is the estimate.
    """
    estimate = float(statistic(np.arange(n)[None, :])[0])
    values = statistic(circular_block_indices(n, block, samples, seed))
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return Interval(estimate, float(low), float(high), confidence, min(block, n), samples, seed)


def balanced_accuracy_rows(truth: np.ndarray, predicted: np.ndarray) -> Statistic:
    """A statistic: balanced accuracy of each resample (classes absent from it are skipped)."""
    truth = np.asarray(truth)
    correct = truth == np.asarray(predicted)
    classes = np.unique(truth)

    def statistic(rows: np.ndarray) -> np.ndarray:
        recalls, present = [], []
        for label in classes:
            member = truth[rows] == label
            count = member.sum(axis=1)
            hits = (member & correct[rows]).sum(axis=1)
            recalls.append(np.divide(hits, count, out=np.zeros(len(rows)), where=count > 0))
            present.append(count > 0)
        return np.sum(recalls, axis=0) / np.sum(present, axis=0)

    return statistic


def mean_rows(values: np.ndarray) -> Statistic:
    """A statistic: the mean of per-week `values` over each resample."""
    values = np.asarray(values, dtype=float)
    return lambda rows: values[rows].mean(axis=1)
