"""Training rows: point-in-time features joined to the labels known on a given date.

The single place where features meet labels, so the rule "train only on final labels, recomputed
from prices known by then" is enforced once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from regime.config import Settings
from regime.features.table import build_features, weekly_index_closes, weekly_rows
from regime.labels.hindsight import label_weeks
from regime.sources.market_data import MarketData


@dataclass(frozen=True)
class Dataset:
    """Everything derived from one `MarketData`: features, weekly closes, hindsight labels."""

    features: pd.DataFrame
    closes: pd.DataFrame
    labels: pd.DataFrame

    @classmethod
    def build(cls, data: MarketData, settings: Settings) -> Dataset:
        features = build_features(data, settings)
        closes = weekly_index_closes(data, settings, weekly_rows(data, settings)).dropna()
        return cls(features, closes, label_weeks(closes, settings.labels))


def model_columns(features: pd.DataFrame, settings: Settings) -> list[str]:
    """The feature columns the model uses: those matching `model.features` prefixes."""
    prefixes = settings.model.features
    return [column for column in features.columns if column.startswith(prefixes)]


def training_rows(
    dataset: Dataset, settings: Settings, known_on: date | pd.Timestamp | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """(X, y) for fitting as of `known_on`: labels from closes up to then, final weeks only.

    Labels are recomputed from the closes known on `known_on`, so no training label can use a
    later price; provisional weeks (the unconfirmed last leg) are dropped.
    """
    closes = dataset.closes if known_on is None else dataset.closes.loc[: pd.Timestamp(known_on)]
    labels = label_weeks(closes, settings.labels)
    labels = labels.loc[pd.Timestamp(settings.model.train_start) :]
    final = labels.loc[~labels["provisional"], "label"]
    X = dataset.features.loc[final.index, model_columns(dataset.features, settings)]
    return X, final
