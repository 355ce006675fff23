"""The inner walk-forward's choice, shared by the gates, the outlook and the recession nowcast:
of the candidates offered, the one with the lowest log loss on the weeks a refit may judge.

A week may be judged at a refit when an earlier refit predicted it out of sample, it lies on or
before the refit, and its outcome was settled by then. Log loss is a proper score: it rewards
calibrated probabilities, not just ranking. Too few judged weeks, and the choice falls back to
the simplest candidate: the pool comes ordered simplest first, and only a strictly lower loss
displaces an earlier candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

Candidate = TypeVar("Candidate")
# The target code of a week that may neither train nor be judged at a refit: its outcome was
# not settled by then (an unconfirmed label, a month the NBER had not yet dated).
UNKNOWN = -1
_CLIP = 1e-6
_TIE = 1e-12


def lowest_loss(
    pool: Sequence[Candidate],
    weekly_loss: Callable[[Candidate], NDArray[np.float64]],
    judged: NDArray[np.bool_],
    min_weeks: int,
) -> tuple[Candidate, float, int]:
    """The candidate with the lowest mean loss on the `judged` weeks it has a loss for, with
    that loss and the number of weeks; (pool[0], inf, 0) if none has `min_weeks` of them."""
    best, best_loss, weeks = pool[0], np.inf, 0
    for candidate in pool:
        values = weekly_loss(candidate)
        usable = judged & ~np.isnan(values)
        n = int(usable.sum())
        if n < min_weeks:
            continue
        loss = float(np.mean(values[usable]))
        if loss < best_loss - _TIE:
            best, best_loss, weeks = candidate, loss, n
    return best, best_loss, weeks


def binary_log_loss_weekly(p: NDArray[np.float64], y: NDArray[np.integer]) -> NDArray[np.float64]:
    """-log P(outcome) of each week for P(positive) `p` and 0/1 outcomes `y` (NaN stays NaN)."""
    return LogTerms.of(p).weekly_loss(y)


@dataclass(frozen=True)
class LogTerms:
    """log P(positive) and log P(negative) of each week, clipped: what a binary log loss needs
    of the probabilities, computed once for a series judged against many outcome vectors."""

    positive: NDArray[np.float64]
    negative: NDArray[np.float64]

    @classmethod
    def of(cls, p: NDArray[np.float64]) -> LogTerms:
        q = np.clip(p, _CLIP, 1 - _CLIP)
        return cls(np.log(q), np.log(1 - q))

    def weekly_loss(self, y: NDArray[np.integer]) -> NDArray[np.float64]:
        """`binary_log_loss_weekly` of these probabilities against the 0/1 outcomes `y`."""
        return np.asarray(-(y * self.positive + (1 - y) * self.negative), dtype=float)
