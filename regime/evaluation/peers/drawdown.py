"""The drawdown-and-rebound peer: the rulebook's own idea with thresholds a trader might pick.

Risk_off starts when the small cap closes `entry` below the highest close of the current up
leg, and ends when it closes `exit` above the lowest close since; every other week gets the
label the rulebook already knows for a week that is not in a bear (`rulebook_if_not_bear_*`).
With entry = exit = 20% this is the real-time rulebook; smaller thresholds call bears sooner,
and leave them sooner, at the price of false alarms. The pair is chosen at each refit, from the
configured grids, by balanced accuracy on the weeks whose labels are final then. Calls only (no
probabilities): a 0/1 rule with a floor would say nothing about confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.constants import RISK_OFF
from regime.model.selection import balanced_accuracy

# Thresholds are inclusive, like the rulebook's (a fall of exactly `entry` starts a bear).
_EPS = 1e-12


def drawdown_rebound(closes: NDArray[np.float64], entry: float, exit: float) -> NDArray[np.bool_]:
    """True on the weeks the rule calls risk_off, from each week's close and earlier ones only.

    The series starts in an up leg whose high is the first close.

    >>> import numpy as np
    >>> drawdown_rebound(np.array([100, 95, 89, 92, 96, 101.0]), entry=0.10, exit=0.10).tolist()
    [False, False, True, True, True, False]
    """
    out = np.zeros(len(closes), dtype=bool)
    in_bear = False
    high = low = float(closes[0]) if len(closes) else 0.0
    for i, close in enumerate(np.asarray(closes, dtype=float)):
        if in_bear:
            low = min(low, close)
            if close >= low * (1 + exit) - _EPS:
                in_bear, high = False, close
        else:
            high = max(high, close)
            if close <= high * (1 - entry) + _EPS:
                in_bear, low = True, close
        out[i] = in_bear
    return out


@dataclass(frozen=True)
class DrawdownRebound:
    """Every (entry, exit) pair's calls on every week, computed once; chosen per refit.

    `rest` is the rulebook's label-if-not-in-a-bear of each week (same index as `closes`).
    """

    calls: dict[tuple[float, float], NDArray[np.str_]]
    index: pd.DatetimeIndex

    @classmethod
    def build(
        cls,
        closes: pd.Series,
        rest: NDArray[np.str_],
        entry_grid: Sequence[float],
        exit_grid: Sequence[float],
    ) -> DrawdownRebound:
        values = closes.to_numpy(dtype=float)
        calls = {
            (entry, exit): np.where(drawdown_rebound(values, entry, exit), RISK_OFF, rest)
            for entry in entry_grid
            for exit in exit_grid
        }
        return cls(calls, closes.index)

    def choose(self, known: pd.Series) -> tuple[float, float]:
        """The pair with the best balanced accuracy against `known` labels (ties: grid order)."""
        where = self.index.get_indexer(known.index)
        if (where < 0).any():
            raise ValueError("labels for weeks the rule has no close for")
        truth = known.to_numpy().astype(str)
        best, best_score = next(iter(self.calls)), -np.inf
        for pair, calls in self.calls.items():
            score = balanced_accuracy(truth, calls[where])
            if score > best_score + 1e-12:
                best, best_score = pair, score
        return best

    def predict(self, pair: tuple[float, float], weeks: pd.DatetimeIndex) -> pd.Series:
        return pd.Series(self.calls[pair][self.index.get_indexer(weeks)], index=weeks)
