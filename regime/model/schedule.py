"""When the walk-forward refits, which weeks each refit predicts, and which weeks are judged."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from regime.config import Settings
from regime.model.training_rows import Dataset

ONE_WEEK = pd.Timedelta(days=7)


@dataclass(frozen=True)
class Refit:
    """A refit: models learn from what was known on `date` and predict the weeks of `block`.

    `date` is the Friday before the block's first week: labels recomputed from the closes known
    then (final weeks only) and point-in-time features up to it.
    """

    date: pd.Timestamp
    block: pd.DatetimeIndex


def refit_schedule(dataset: Dataset, settings: Settings) -> list[Refit]:
    """Refits every `refit_weeks` weeks from `first_refit` through the latest week of data."""
    weeks = dataset.features.index
    weeks = weeks[weeks >= pd.Timestamp(settings.walk_forward.first_refit)]
    size = settings.walk_forward.refit_weeks
    blocks = [weeks[i : i + size] for i in range(0, len(weeks), size)]
    return [Refit(block[0] - ONE_WEEK, block) for block in blocks]


def judged_weeks(dataset: Dataset, settings: Settings) -> pd.DatetimeIndex:
    """Weeks judged out of sample: from `first_test` to `last_test`, with a final label."""
    wf = settings.walk_forward
    labels = dataset.labels.loc[pd.Timestamp(wf.first_test) :]
    if wf.last_test is not None:
        labels = labels.loc[: pd.Timestamp(wf.last_test)]
    return labels.index[~labels["provisional"].to_numpy()]


def refit_of(schedule: list[Refit], week: pd.Timestamp) -> Refit:
    """The refit whose block holds `week` (ValueError before the first block)."""
    for refit in reversed(schedule):
        if refit.block[0] <= week:
            return refit
    raise ValueError(f"{week.date()} comes before the walk-forward's first week")
