"""`MarketData`: the raw observations every later stage starts from."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from regime.config import Settings
from regime.errors import DataSourceError, InvalidDataError

if TYPE_CHECKING:
    from regime.sources.validate import Reading

log = logging.getLogger(__name__)


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


def load_market_data(
    settings: Settings,
    only: Collection[str] | None = None,
    *,
    through: date | None = None,
    today: date | None = None,
    strict: bool = False,
) -> MarketData:
    """Load every series the settings name (or those in `only`, with the predecessors they
    need): the embedded snapshot, overlaid by the cache, each checked as it is read.

    Cache observations win on shared dates; a series' origin is "cache" when the cache reaches
    past the snapshot's last date. With `fetch.vintages: first_release`, cached first releases
    replace the latest values of `fetch.vintage_series` on the dates they cover.

    Each index with a predecessor (`indices.predecessors`, e.g. FRED's RU2000PR before ^RUT) is
    then chained to it by returns (see splice.py); the predecessor itself is not kept.

    Every file is checked by validate.py, judged on `today` (default: `regime.clock.today()`):
    an impossible row raises InvalidDataError (or is dropped with a warning, as
    `validation.impossible` says), an implausible value is a logged warning (InvalidDataError
    with `strict`). With `through` (a replay), rows dated after it are not judged: a bad one
    is left out unsaid (no replay's feature reads them).

    The cache never makes this fail otherwise: a corrupt cache file (bad checksum, unparsable)
    or a cache held locked too long is skipped with a logged warning and the snapshot is used,
    so `predict` keeps working; `regime fetch` moves the bad file aside and fetches it again.
    Raises DataSourceError naming the file when a snapshot series is missing or malformed.
    """
    from regime.sources.snapshot import read_snapshot
    from regime.sources.validate import reading

    if only is not None:
        older = settings.indices.predecessors
        only = {*only, *(older[key].series for key in only if key in older)}
    checks = reading(settings, today=today, through=through, strict=strict)
    data = read_snapshot(settings, only, checks)
    return splice_predecessors(overlay_cache(data, settings, checks), settings)


def splice_predecessors(data: MarketData, settings: Settings) -> MarketData:
    """`data` with each index's older history chained before its first close (see splice.py)."""
    from regime.sources.splice import chain_before

    predecessors = settings.indices.predecessors
    if not predecessors:
        return data
    older = {p.series for p in predecessors.values()}
    series = {k: s for k, s in data.series.items() if k not in older}
    for symbol, predecessor in predecessors.items():
        if symbol not in data or predecessor.series not in data:
            continue
        series[symbol] = chain_before(data[symbol], data[predecessor.series], predecessor.until)
    return MarketData(series=series, origin={k: v for k, v in data.origin.items() if k in series})


def overlay_cache(
    data: MarketData, settings: Settings, checks: Reading | None = None
) -> MarketData:
    """`data` with the cache's observations laid over it, each file checked by `checks`
    (default: `validate.reading(settings)`; see `load_market_data`)."""
    from regime.sources.cache import CorruptCacheError, SeriesCache, relative_path
    from regime.sources.validate import Rows, reading, validated

    checks = checks if checks is not None else reading(settings)

    cache = SeriesCache(settings.cache_dir, lock_seconds=10.0)
    if not cache.root.is_dir():
        return data
    kinds = {key: "fred" for key in settings.fred_series if key in data}
    kinds.update({key: "market" for key in settings.index_symbols if key in data})
    first_release = (
        set(settings.fetch.vintage_series)
        if settings.fetch.vintages == ("first_release")
        else set()
    )
    series, origin = dict(data.series), dict(data.origin)
    try:
        with cache.locked():
            for key, kind in kinds.items():
                layers = [kind] + (["vintages"] if key in first_release else [])
                for layer in layers:
                    try:
                        cached = cache.read(key, kind=layer)
                    except CorruptCacheError as exc:
                        log.warning("ignoring the cache for %s: %s; run `regime fetch`", key, exc)
                        continue
                    if cached is None or cached.empty:
                        continue
                    where = cache.root / relative_path(key, kind=layer)
                    cached = validated(key, Rows.of(cached), str(where), checks)
                    if cached.empty:
                        continue
                    base = series.get(key, pd.Series(dtype=float))
                    if len(base) == 0 or cached.index[-1] > base.index[-1]:
                        origin[key] = "cache"
                    series[key] = cached.combine_first(base).sort_index().rename(key)
    except InvalidDataError:
        raise  # a bad row is the user's to see, like one in the snapshot
    except (DataSourceError, OSError) as exc:
        log.warning("not using the cache %s: %s", cache.root, exc)
        return data
    return MarketData(series=series, origin=origin)
