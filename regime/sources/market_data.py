"""`MarketData`: the raw observations every later stage starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from regime.config import Settings


@dataclass(frozen=True)
class MarketData:
    """Raw observations keyed by FRED id or index symbol.

    Each series is a float `pd.Series` indexed by observation date (a `DatetimeIndex`, sorted,
    unique, no NaN). `origin` says where each series came from ("snapshot" or "cache").
    """

    series: Mapping[str, pd.Series]
    origin: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> pd.Series:
        return self.series[key]

    def __contains__(self, key: object) -> bool:
        return key in self.series

    def last_observation(self) -> dict[str, date]:
        return {key: s.index[-1].date() for key, s in self.series.items() if len(s)}

    def truncated(self, through: date | pd.Timestamp) -> MarketData:
        """The same data with every observation dated after `through` removed.

        Observation date, not publication date: the feature builder still applies publication
        lags, so this is the right cut for "the world as the data stood on `through`".
        """
        cut = pd.Timestamp(through)
        return MarketData(
            series={key: s.loc[:cut] for key, s in self.series.items()},
            origin=dict(self.origin),
        )


def load_market_data(settings: Settings) -> MarketData:
    """Load every series the settings name: the embedded snapshot, overlaid by the cache.

    Raises DataSourceError naming the file when a series is missing or malformed.
    """
    from regime.sources.snapshot import read_snapshot

    return read_snapshot(settings)
