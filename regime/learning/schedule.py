"""When a walk-forward refits and which weeks each refit predicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

ONE_WEEK = pd.Timedelta(days=7)


@dataclass(frozen=True)
class Refit:
    """A refit: models learn from what was known on `date` and predict the weeks of `block`.

    `date` is the Friday before the block's first week: labels known then and point-in-time
    features up to it.
    """

    date: pd.Timestamp
    block: pd.DatetimeIndex


def refits(weeks: pd.DatetimeIndex, first_refit: date, every: int) -> list[Refit]:
    """Blocks of `every` consecutive weeks from `first_refit` to the last of `weeks`."""
    weeks = weeks[weeks >= pd.Timestamp(first_refit)]
    blocks = [weeks[i : i + every] for i in range(0, len(weeks), every)]
    return [Refit(block[0] - ONE_WEEK, block) for block in blocks]


def refit_of(schedule: list[Refit], week: pd.Timestamp) -> Refit:
    """The refit whose block holds `week` (ValueError before the first block)."""
    for refit in reversed(schedule):
        if refit.block[0] <= week:
            return refit
    raise ValueError(f"{week.date()} comes before the walk-forward's first week")
