"""Bootstrap intervals of the difference between two models scored on the same weeks.

Weekly errors cluster (a bear market is many wrong weeks in a row), so weeks are never
resampled one by one. Two schemes:

- circular block: blocks of consecutive weeks, wrapping around the end, glued to the original
  length. Keeps short-range dependence, but a resample can cut a bear market in two.
- episodes: the weeks split into units, each bear market (a run of risk_off weeks) and each calm
  span between two of them; a resample draws as many bear units as there are, with replacement,
  and as many calm units, and pools them. It asks "what if history had dealt other bear
  markets?", and with 13 bear markets its intervals are honestly wide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.constants import RISK_OFF

# (k, n) row positions -> k values.
Statistic = Callable[[np.ndarray], np.ndarray]
# (k, units) how often each unit was drawn -> k values.
UnitStatistic = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Interval:
    """A point estimate and its bootstrap percentile interval.

    `resampling` says how: {"scheme": "circular_block", "block_weeks": 26} or
    {"scheme": "episodes", "bear_units": 13, "calm_units": 14}.
    """

    estimate: float
    low: float
    high: float
    confidence: float
    samples: int
    seed: int
    resampling: dict[str, Any]

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
    low, high = _percentiles(values, confidence)
    resampling = {"scheme": "circular_block", "block_weeks": min(block, n)}
    return Interval(estimate, low, high, confidence, samples, seed, resampling)


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


def skill_rows(ours: NDArray[np.float64], theirs: NDArray[np.float64]) -> Statistic:
    """A statistic: 1 - mean(ours) / mean(theirs) over each resample (a skill score)."""
    return lambda rows: 1 - ours[rows].mean(axis=1) / theirs[rows].mean(axis=1)


def difference_rows(ours: NDArray[np.float64], theirs: NDArray[np.float64]) -> Statistic:
    """A statistic: mean(ours - theirs) over each resample."""
    gap = ours - theirs
    return lambda rows: gap[rows].mean(axis=1)


def auroc_rows(event: NDArray[np.float64], score: NDArray[np.float64]) -> Statistic:
    """A statistic: the AUROC of `score` for the 0/1 `event` in each resample (Mann-Whitney,
    ties count half; 0.5 when a resample holds one class only)."""
    from scipy.stats import rankdata  # here: scipy is heavy, and only scoring needs it

    event = np.asarray(event, dtype=float)
    score = np.asarray(score, dtype=float)

    def statistic(rows: np.ndarray) -> np.ndarray:
        y = event[rows]
        ranks = rankdata(score[rows], axis=1)
        positives = y.sum(axis=1)
        negatives = y.shape[1] - positives
        u = (ranks * y).sum(axis=1) - positives * (positives + 1) / 2
        pairs = positives * negatives
        return np.asarray(np.divide(u, pairs, out=np.full(len(y), 0.5), where=pairs > 0))

    return statistic


@dataclass(frozen=True)
class Units:
    """The weeks cut into consecutive runs: each bear episode and each calm span between them.

    `ids[t]` is the unit of week t (units numbered in time order); `bear[u]` whether unit u is
    a run of risk_off weeks.
    """

    ids: NDArray[np.int64]
    bear: NDArray[np.bool_]

    @classmethod
    def of(cls, truth: pd.Series | NDArray[np.str_]) -> Units:
        flags = np.asarray(truth) == RISK_OFF
        if len(flags) == 0:
            raise ValueError("no weeks to cut into units")
        ids = np.cumsum(np.r_[False, flags[1:] != flags[:-1]]).astype(np.int64)
        starts = np.r_[0, np.flatnonzero(np.diff(ids)) + 1]
        return cls(ids, flags[starts])

    @property
    def n_bear(self) -> int:
        return int(self.bear.sum())

    @property
    def n_calm(self) -> int:
        return int((~self.bear).sum())

    def sums(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per unit, the sum of a per-week value."""
        sums = np.bincount(self.ids, weights=values, minlength=len(self.bear))
        return np.asarray(sums, dtype=float)


def episode_draws(units: Units, samples: int, seed: int) -> np.ndarray:
    """(samples, units): how often each unit is drawn when, in every resample, as many bear
    units as there are are drawn from the bear units with replacement, and likewise calm ones."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((samples, len(units.bear)))
    for kind in (units.bear, ~units.bear):
        members = np.flatnonzero(kind)
        if len(members) == 0:
            continue
        drawn = members[rng.integers(0, len(members), size=(samples, len(members)))]
        for row, picks in enumerate(drawn):
            counts[row] += np.bincount(picks, minlength=len(units.bear))
    return counts


def episode_interval(
    statistic: UnitStatistic,
    units: Units,
    *,
    samples: int,
    seed: int,
    confidence: float = 0.95,
) -> Interval:
    """Percentile interval of `statistic` over episode resamples (see module docstring).

    `statistic` takes a (k, units) array of draw counts; its value with every unit drawn once
    is the estimate (the statistic of the weeks as they are).
    """
    estimate = float(statistic(np.ones((1, len(units.bear))))[0])
    values = statistic(episode_draws(units, samples, seed))
    low, high = _percentiles(values, confidence)
    resampling = {"scheme": "episodes", "bear_units": units.n_bear, "calm_units": units.n_calm}
    return Interval(estimate, low, high, confidence, samples, seed, resampling)


def balanced_accuracy_units(
    truth: np.ndarray, predicted: np.ndarray, units: Units
) -> UnitStatistic:
    """A unit statistic: balanced accuracy of the pooled weeks of each resample."""
    truth = np.asarray(truth)
    correct = truth == np.asarray(predicted)
    classes = np.unique(truth)
    count = np.stack([units.sums((truth == c).astype(float)) for c in classes], axis=1)
    hits = np.stack([units.sums(((truth == c) & correct).astype(float)) for c in classes], axis=1)

    def statistic(draws: np.ndarray) -> np.ndarray:
        n, k = draws @ count, draws @ hits
        present = n > 0
        recall = np.divide(k, n, out=np.zeros_like(k), where=present)
        return np.asarray(recall.sum(axis=1) / present.sum(axis=1))

    return statistic


def mean_units(values: np.ndarray, units: Units) -> UnitStatistic:
    """A unit statistic: the mean of a per-week value over the pooled weeks of each resample."""
    total = units.sums(np.asarray(values, dtype=float))
    weeks = units.sums(np.ones(len(units.ids)))
    return lambda draws: np.asarray((draws @ total) / (draws @ weeks))


def _percentiles(values: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
