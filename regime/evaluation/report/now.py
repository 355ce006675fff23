""" "Now": the current call and what the report needs beside it from today's data and model.

The only module of the report that loads anything (the model, the data); everything else draws
from the `Now` it returns and an `EvaluationRecord`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from regime.config import Settings
from regime.features.table import build_features
from regime.macro.backdrop import backdrop_inputs, macro_backdrop
from regime.macro.readings import Backdrop
from regime.model.predict import RegimeModel, RegimePrediction, load_model
from regime.model.training_rows import Dataset
from regime.sources.market_data import MarketData


@dataclass(frozen=True)
class Now:
    """The current call and its context.

    `dataset` is built with the report's settings (hindsight labels with their provisional
    flag, closes, total-return indices); `features` with the model's own settings, for its
    calls on the latest weeks. `generated` is when the page was made: the only thing on it
    that changes from one run to the next.
    """

    prediction: RegimePrediction
    model: RegimeModel
    dataset: Dataset
    features: pd.DataFrame
    generated: datetime
    # Each macro family's reading on the latest week, with the report's own thresholds (None:
    # the dataset has no macro inputs).
    backdrop: Backdrop | None = None

    @property
    def latest_week(self) -> pd.Timestamp:
        return pd.Timestamp(self.dataset.closes.index[-1])


def now_of(
    settings: Settings,
    data: MarketData,
    generated: datetime,
    dataset: Dataset | None = None,
    model: RegimeModel | None = None,
) -> Now:
    """The active model's call for the latest week of `data`, and what the report draws it with.

    Pass `dataset` when an evaluation has built it already, `model` to use another version.
    """
    model = model if model is not None else load_model(settings=settings)
    dataset = dataset if dataset is not None else Dataset.build(data, settings)
    backdrop = None
    if dataset.recession is not None:
        week = dataset.closes.index[-1]
        table = backdrop_inputs(data, settings, week.date(), macro=dataset.recession.features)
        backdrop = macro_backdrop(table, week, settings)
    return Now(
        prediction=model.predict_current(data=data),
        model=model,
        dataset=dataset,
        features=build_features(data, model.settings),
        generated=generated,
        backdrop=backdrop,
    )


def version_note(now: Now, evaluated_version: str) -> str | None:
    """A sentence when the current call's model is not the one the evaluation describes."""
    version = now.model.version
    if version == evaluated_version:
        return None
    return (
        f"the current call comes from model {version}, the evaluation describes "
        f"{evaluated_version} (other settings or data): retrain with `regime train`, or "
        "evaluate with the model's own settings"
    )
