"""`regime fetch` without the command line: plan, download, validate, merge, report.

Each series is fetched from the cache's last date minus `fetch.overlap_days` (so revisions in
that window are caught and counted), validated, and merged under the cache lock. One series
failing never stops the others; the report says what happened to each.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from regime.config import Settings
from regime.errors import ConfigError, DataSourceError, InvalidDataError
from regime.sources.cache import CorruptCacheError, SeriesCache
from regime.sources.fred import KEY_HELP, FredClient, FredUnreachableError
from regime.sources.validate import Reading, Rows, reading, validated
from regime.sources.yahoo import Download, YahooClient, set_yfinance_cache

log = logging.getLogger(__name__)

KEY_ENV = "FRED_API_KEY"
# Test seams, off unless set: point FRED requests at another server (a fake on 127.0.0.1), and
# replace yfinance.download by `module:function` with its signature. benchmarks/soak.py uses both
# to run the real CLI in subprocesses against fakes; a production job never sets them.
FRED_URL_ENV = "REGIME_FRED_URL"
YAHOO_DOWNLOAD_ENV = "REGIME_YAHOO_DOWNLOAD"


@dataclass(frozen=True)
class SeriesReport:
    """What one fetch did to one series. `error` is None when it succeeded."""

    key: str
    kind: str  # "fred", "market" or "vintages"
    added: int = 0
    revised: int = 0
    last_date: date | None = None
    error: str | None = None
    note: str | None = None
    # True when the source could not be reached at all: the next series from it are skipped.
    unreachable: bool = False
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        label = f"{self.key} (first release)" if self.kind == "vintages" else self.key
        if not self.ok:
            return f"{label}: FAILED: {self.error}"
        last = self.last_date.isoformat() if self.last_date else "-"
        return f"{label}: {self.added} added, {self.revised} revised, last {last}"


@dataclass(frozen=True)
class FetchReport:
    series: tuple[SeriesReport, ...]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.series)

    @property
    def failed(self) -> tuple[SeriesReport, ...]:
        return tuple(s for s in self.series if not s.ok)


def fred_api_key(settings: Settings) -> str | None:
    """The FRED key: $FRED_API_KEY, else the first line of `fetch.key_file`. Never logged."""
    key = os.environ.get(KEY_ENV, "").strip()
    if key:
        return key
    key_file = settings.fetch.key_file
    if key_file is None:
        return None
    path = settings.resolve(key_file.expanduser(), "")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"fetch.key_file {path} cannot be read ({exc.strerror})") from None
    return lines[0].strip() if lines and lines[0].strip() else None


def plan(settings: Settings, requested: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(key, kind) pairs to fetch: configured FRED series, then the indices, in config order.

    `requested` narrows the list; an id that is not an index symbol is taken as a FRED id.
    """
    every = [(s, "fred") for s in settings.fred_series]
    every += [(s, "market") for s in settings.index_symbols]
    if not requested:
        return every
    known = dict(every)
    return [(key, known.get(key, "fred")) for key in dict.fromkeys(requested)]


def fetch(
    settings: Settings,
    *,
    series: Sequence[str] | None = None,
    since: date | None = None,
    full: bool = False,
    vintages: bool = False,
    fred: FredClient | None = None,
    yahoo: YahooClient | None = None,
    on_progress: Callable[[str], None] | None = None,
    strict: bool = False,
) -> FetchReport:
    """Refresh the cache; return one report per series.

    Every download is checked before it is cached (validate.py): an impossible row fails its
    series (or is dropped with a warning, as `validation.impossible` says); an implausible value
    is cached with a logged warning, or fails its series with `strict`.

    Raises DataSourceError (one line, before any download) when FRED series are asked for and
    no key is set. Every other failure is per series, in the report.
    """
    todo = plan(settings, series)
    if vintages:
        todo += [(s, "vintages") for s in settings.fetch.vintage_series]
    needs_fred = any(kind in ("fred", "vintages") for _, kind in todo)
    if needs_fred and fred is None:
        fred = default_fred_client(settings)
    if yahoo is None and any(kind == "market" for _, kind in todo):
        yahoo = default_yahoo_client(settings)
    cache = SeriesCache(settings.cache_dir)
    checks = reading(settings, strict=strict)
    reports: list[SeriesReport] = []
    unreachable: str | None = None
    for key, kind in todo:
        if unreachable is not None and kind != "market":
            error = f"{key}: skipped, FRED unreachable (see {unreachable})"
            reports.append(SeriesReport(key, kind, error=error, skipped=True))
        else:
            report = _fetch_one(settings, cache, checks, key, kind, since, full, fred, yahoo)
            reports.append(report)
            if report.unreachable:
                unreachable = key
        if on_progress is not None:
            on_progress(key)
    return FetchReport(tuple(reports))


def default_fred_client(settings: Settings) -> FredClient:
    key = fred_api_key(settings)
    if not key:
        raise DataSourceError(KEY_HELP)
    f = settings.fetch
    root_url = os.environ.get(FRED_URL_ENV, "").strip() or None
    if root_url is not None:
        log.warning("FRED requests go to %s (%s is set)", root_url, FRED_URL_ENV)
    return FredClient(
        key,
        timeout=f.timeout_seconds,
        retries=f.retries,
        backoff=f.backoff_seconds,
        requests_per_second=f.fred_requests_per_second,
        root_url=root_url,
    )


def default_yahoo_client(settings: Settings) -> YahooClient:
    f = settings.fetch
    if f.yfinance_cache is not None:
        set_yfinance_cache(settings.resolve(f.yfinance_cache.expanduser(), ""))
    return YahooClient(
        download=yahoo_download_hook(),
        timeout=f.timeout_seconds,
        retries=f.retries,
        backoff=f.backoff_seconds,
    )


def yahoo_download_hook() -> Download | None:
    """The `module:function` named by $REGIME_YAHOO_DOWNLOAD, or None (use yfinance)."""
    spec = os.environ.get(YAHOO_DOWNLOAD_ENV, "").strip()
    if not spec:
        return None
    module, _, name = spec.partition(":")
    try:
        download: Download = getattr(importlib.import_module(module), name or "download")
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"{YAHOO_DOWNLOAD_ENV}={spec} cannot be loaded ({exc}); unset it to use yfinance"
        ) from None
    if not callable(download):
        raise ConfigError(f"{YAHOO_DOWNLOAD_ENV}={spec} is not a function; unset it")
    log.warning("Yahoo downloads go through %s (%s is set)", spec, YAHOO_DOWNLOAD_ENV)
    return download


def _fetch_one(
    settings: Settings,
    cache: SeriesCache,
    checks: Reading,
    key: str,
    kind: str,
    since: date | None,
    full: bool,
    fred: FredClient | None,
    yahoo: YahooClient | None,
) -> SeriesReport:
    note = None
    try:
        start, note = _start_date(settings, cache, key, kind, since, full)
        raw = _download(key, kind, start, fred, yahoo)
        if raw.empty:
            raise DataSourceError(f"{key}: the source returned no observations since {start}")
        source = "Yahoo's answer" if kind == "market" else "FRED's answer"
        fresh = validated(key, Rows.of(raw), source, checks)
        if fresh.empty:
            raise DataSourceError(f"{key}: no valid observations since {start}")
        counts = cache.merge(key, fresh, kind=kind, replace=full or kind == "vintages")
    except FredUnreachableError as exc:
        return SeriesReport(key, kind, error=str(exc), note=note, unreachable=True)
    except InvalidDataError as exc:
        return SeriesReport(key, kind, error=f"{exc}; nothing was cached", note=note)
    except DataSourceError as exc:
        return SeriesReport(key, kind, error=str(exc), note=note)
    except OSError as exc:
        return SeriesReport(key, kind, error=f"{key}: cannot write the cache ({exc})", note=note)
    if counts.revised_dates:
        log.info("%s: revised %s", key, ", ".join(counts.revised_dates))
    last = counts.last_date.date() if counts.last_date is not None else None
    return SeriesReport(key, kind, counts.added, counts.revised, last, note=note)


def _start_date(
    settings: Settings, cache: SeriesCache, key: str, kind: str, since: date | None, full: bool
) -> tuple[date | None, str | None]:
    """Where the download starts, and a note when a corrupt cache file was moved aside."""
    history = settings.fetch.history_start
    if kind == "vintages" or full:
        return history, None
    if since is not None:
        return since, None
    note = None
    with cache.locked():
        try:
            cached = cache.read(key, kind=kind)
        except CorruptCacheError as exc:
            moved: Path | None = cache.quarantine(key, kind=kind)
            note = f"{exc}; moved to {moved} and fetched again in full"
            log.warning("%s", note)
            cached = None
    if cached is None or cached.empty:
        return history, note
    start = cached.index[-1] - pd.Timedelta(days=settings.fetch.overlap_days)
    return max(start.date(), history) if history else start.date(), note


def _download(
    key: str, kind: str, start: date | None, fred: FredClient | None, yahoo: YahooClient | None
) -> pd.Series:
    if kind == "market":
        assert yahoo is not None
        return yahoo.closes(key, start)
    assert fred is not None
    if kind == "vintages":
        return fred.first_release(key)
    return fred.observations(key, start)
