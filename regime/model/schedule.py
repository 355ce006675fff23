"""The regime walk-forward's refits (learning/schedule.py) and the weeks it is judged on."""

from __future__ import annotations

import pandas as pd

from regime.config import Settings
from regime.learning.schedule import ONE_WEEK, Refit, refit_of, refits
from regime.model.training_rows import Dataset

__all__ = ["ONE_WEEK", "Refit", "judged_weeks", "refit_of", "refit_schedule"]


def refit_schedule(dataset: Dataset, settings: Settings) -> list[Refit]:
    """Refits every `refit_weeks` weeks from `first_refit` through the latest week of data."""
    wf = settings.walk_forward
    return refits(dataset.features.index, wf.first_refit, wf.refit_weeks)


def judged_weeks(dataset: Dataset, settings: Settings) -> pd.DatetimeIndex:
    """Weeks judged out of sample: from `first_test` to `last_test`, with a final label."""
    wf = settings.walk_forward
    labels = dataset.labels.loc[pd.Timestamp(wf.first_test) :]
    if wf.last_test is not None:
        labels = labels.loc[: pd.Timestamp(wf.last_test)]
    return labels.index[~labels["provisional"].to_numpy()]
