"""Training rows: point-in-time features joined to the labels known on a given date.

The single place where features meet labels, so the rule "train only on final labels, recomputed
from prices known by then" is enforced once, for the small cap and for the pooled indices alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES, RISK_OFF
from regime.features.known import known_on
from regime.features.table import build_features, weekly_index_closes, weekly_rows
from regime.labels.hindsight import label_weeks
from regime.macro.nowcast import NowcastInputs
from regime.sources.market_data import MarketData


@dataclass(frozen=True)
class IndexHistory:
    """One index's weekly features and closes (the index in the `small_cap` column)."""

    symbol: str
    features: pd.DataFrame
    closes: pd.DataFrame
    start: pd.Timestamp

    @classmethod
    def build(cls, data: MarketData, settings: Settings, symbol: str, start: date) -> IndexHistory:
        features = build_features(data, settings, index=symbol)
        rows = weekly_rows(data, settings, index=symbol)
        closes = weekly_index_closes(data, settings, rows, symbol).dropna()
        return cls(symbol, features, closes, pd.Timestamp(start))

    def known_labels(self, settings: Settings, known_on: date | pd.Timestamp | None) -> pd.Series:
        """Final hindsight labels from `start`, as the closes known on `known_on` give them."""
        return final_labels(self.closes, settings, known_on).loc[self.start :]


@dataclass(frozen=True)
class Dataset:
    """Everything derived from one `MarketData`: the small cap's features, weekly closes and
    hindsight labels, plus the pooled indices whose bear markets the gates also learn from."""

    features: pd.DataFrame
    closes: pd.DataFrame
    labels: pd.DataFrame
    pooled: tuple[IndexHistory, ...] = ()
    # Weekly total-return levels (`small_cap`, `large_cap`) as known each week; may be empty.
    total_returns: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The recession nowcast's macro inputs from 1968 and its NBER truth (None: not built).
    recession: NowcastInputs | None = None

    @classmethod
    def build(cls, data: MarketData, settings: Settings) -> Dataset:
        features = build_features(data, settings)
        rows = weekly_rows(data, settings)
        closes = weekly_index_closes(data, settings, rows).dropna()
        total_returns = pd.DataFrame(
            {
                role: known_on(settings, data, symbol, rows)
                for role, symbol in settings.indices.total_return.items()
            },
            index=rows,
        )
        pooled: tuple[IndexHistory, ...] = ()
        starts = pool_starts(settings)
        if starts:
            pooled = tuple(
                IndexHistory.build(data, settings, symbol, min(starts))
                for symbol in settings.indices.pooled
            )
        labels = label_weeks(closes, settings.labels)
        recession = NowcastInputs.build(data, settings, rows[-1])
        return cls(features, closes, labels, pooled, total_returns, recession)

    def histories(self, settings: Settings) -> tuple[IndexHistory, ...]:
        """The small cap (from `model.train_start`), then each pooled index."""
        own = IndexHistory(
            "small_cap", self.features, self.closes, pd.Timestamp(settings.model.train_start)
        )
        return (own, *self.pooled)


def pool_starts(settings: Settings) -> list[date]:
    """Every date from which pooled rows may be offered (fixed or nested)."""
    model = settings.model
    if model.selection == "fixed":
        return [] if model.fixed.pool_from is None else [model.fixed.pool_from]
    return list(model.pool_from)


def final_labels(
    closes: pd.DataFrame, settings: Settings, known_on: date | pd.Timestamp | None = None
) -> pd.Series:
    """The final hindsight labels of the weeks up to `known_on`, from closes known then.

    Labels are recomputed from the closes known on `known_on`, so no label can use a later
    price; provisional weeks (the unconfirmed last leg) are dropped.
    """
    known = closes if known_on is None else closes.loc[: pd.Timestamp(known_on)]
    labels = label_weeks(known, settings.labels)
    return labels.loc[~labels["provisional"].to_numpy(), "label"]


def model_columns(settings: Settings) -> list[str]:
    """Every feature column a candidate gate may use, in a stable order."""
    model = settings.model
    columns = [*model.state_features.entry, *model.state_features.exit]
    for members in model.families.values():
        columns += members
    return list(dict.fromkeys(columns))


def training_rows(
    dataset: Dataset, settings: Settings, known_on: date | pd.Timestamp | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """The small cap's (X, y) as of `known_on`: final labels from `model.train_start` on.

    X holds every column a gate may use, plus the rulebook-state columns the classifier needs.
    """
    labels = final_labels(dataset.closes, settings, known_on)
    labels = labels.loc[pd.Timestamp(settings.model.train_start) :]
    X = dataset.features.loc[labels.index, classifier_columns(settings)]
    return X, labels


def classifier_columns(settings: Settings) -> list[str]:
    """The columns `SplitGateClassifier` reads: gate features, the side flag, the rest labels."""
    rest = [f"rulebook_if_not_bear_{name}" for name in REGIMES if name != RISK_OFF]
    return list(dict.fromkeys([SIDE_COLUMN, *rest, *model_columns(settings)]))


# The rulebook's real-time "inside a confirmed bear" flag: which gate answers for a week.
SIDE_COLUMN = "rulebook_risk_off"
