"""FredClient: observations and first releases from FRED, through fredapi's public API.

A thin adapter around `fredapi.Fred` (`get_series`, `get_series_vintage_dates`,
`get_series_all_releases`, its `root_url` attribute) that adds what fredapi lacks:

- a timeout on every request. fredapi calls `urlopen(url)` without one; its only knob is the
  process-wide socket default, so each call sets `socket.setdefaulttimeout` under one
  module-level lock and restores the previous value after, even when the call raises. While a
  call runs, a socket another thread of the same process opens gets that default too.
- no process-wide urllib state. `Fred()` (from fredapi 0.5.2) installs a global urllib opener
  when HTTP_PROXY or HTTPS_PROXY is set; the client saves the installed opener before
  constructing it and puts it back after (under the same lock), so an application importing
  `regime` keeps its own. Proxies from the environment still apply: fredapi's `urlopen` then
  goes through urllib's default opener, which reads them (and `no_proxy`) itself.
- pacing (`requests_per_second`), bounded retries with exponential backoff (four times longer
  after a 429; at least the answer's Retry-After, capped), no retry of permanent answers
  (400/401/403/404).
- one error family: DataSourceError naming the series, FredUnreachableError when FRED could not
  be reached at all (fred_failures.py classifies), the key scrubbed from every message.
- first releases in slices ALFRED answers whole (alfred.py), and observations continued past
  FRED's 100,000-row answer cap.

fredapi is imported when a client is built, not with this module: `regime predict` and
`regime --help` never load it.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from regime.errors import DataSourceError
from regime.sources import alfred
from regime.sources.alfred import MAX_ROWS_PER_ANSWER, MAX_VINTAGES_PER_REQUEST
from regime.sources.fred_failures import FREDAPI_ERRORS, FredFailure, classify

if TYPE_CHECKING:
    import fredapi

log = logging.getLogger(__name__)

KEY_HELP = (
    "no FRED API key: set the FRED_API_KEY environment variable (free key at "
    "https://fred.stlouisfed.org/docs/api/api_key.html) or name a key file in config.yaml "
    "under fetch.key_file"
)
__all__ = ["KEY_HELP", "MAX_VINTAGES_PER_REQUEST", "FredClient", "FredUnreachableError"]
T = TypeVar("T")
# Held while the socket default timeout or urllib's installed opener is changed: both are
# process-wide, and two clients (or threads) must not interleave their save and restore.
_PROCESS_STATE = threading.Lock()


class FredUnreachableError(DataSourceError):
    """FRED could not be reached at all (DNS, connection, timeout) after every attempt."""


class FredClient:
    """Observations and first releases from FRED/ALFRED.

    Every public method makes bounded attempts (1 + `retries`) per request with exponential
    backoff, waits between requests so as not to exceed `requests_per_second`, and raises
    DataSourceError naming the series. `row_cap` and `vintage_date_cap` are FRED's limits per
    answer (tests pass small ones); `clock` is the Unix time Retry-After dates are read against.
    """

    def __init__(
        self,
        api_key: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        requests_per_second: float = 2.0,
        root_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_vintages_per_request: int = MAX_VINTAGES_PER_REQUEST,
        row_cap: int = MAX_ROWS_PER_ANSWER,
        vintage_date_cap: int = alfred.MAX_VINTAGE_DATES_PER_ANSWER,
    ) -> None:
        if not api_key:
            raise DataSourceError(KEY_HELP)
        self._key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.min_interval = 1.0 / requests_per_second
        self.max_vintages_per_request = max_vintages_per_request
        self.row_cap = row_cap
        self.vintage_date_cap = vintage_date_cap
        self._sleep = sleep
        self._clock = clock
        self._last_request = float("-inf")
        self._fred = _new_fred(api_key)
        if root_url is not None:
            self._fred.root_url = root_url.rstrip("/")

    def __repr__(self) -> str:
        return f"<FredClient {self.root_url}>"

    @property
    def root_url(self) -> str:
        return str(self._fred.root_url)

    def observations(self, series_id: str, start: date | None = None) -> pd.Series:
        """Latest-release observations from `start` on (all history when None), NaN dropped.

        An answer of `row_cap` rows may be FRED's cut: the rest is asked for from the day after
        its last date, until an answer is shorter.
        """
        pieces: list[pd.Series] = []
        while True:
            raw = self._call(series_id, partial(self._fred.get_series, series_id, start))
            pieces.append(_clean_series(raw, series_id))
            if len(raw) < self.row_cap:
                break
            last = pd.to_datetime(raw.index, errors="coerce").max()
            following = None if pd.isna(last) else (last + pd.Timedelta(days=1)).date()
            if following is None or (start is not None and following <= start):
                raise DataSourceError(
                    f"{series_id}: FRED's answer reached its cap of {self.row_cap} rows and "
                    "the rest cannot be asked for; fetch with a later --since"
                )
            start = following
        series = pd.concat(pieces).sort_index() if len(pieces) > 1 else pieces[0]
        return series[~series.index.duplicated(keep="last")]

    def first_release(self, series_id: str) -> pd.Series:
        """Each observation's value as first published (ALFRED), from the vintage history."""
        raw = self._call(series_id, partial(self._fred.get_series_vintage_dates, series_id))
        days = alfred.vintage_days(raw)
        if not days:
            raise DataSourceError(f"{series_id}: ALFRED lists no vintages for this series")
        if len(raw) >= self.vintage_date_cap:
            raise DataSourceError(
                f"{series_id}: ALFRED listed {len(raw)} vintage dates, its most per answer, so "
                "the list may be cut short; remove it from fetch.vintage_series"
            )
        frames: list[pd.DataFrame] = []
        for days_slice in alfred.slices(days, self.max_vintages_per_request):
            frames += alfred.releases_below_cap(
                series_id, days_slice, partial(self._all_releases, series_id), self.row_cap
            )
        return alfred.first_values(frames, series_id)

    def _all_releases(self, series_id: str, realtime_start: str, realtime_end: str) -> Any:
        request = partial(
            self._fred.get_series_all_releases,
            series_id,
            realtime_start=realtime_start,
            realtime_end=realtime_end,
        )
        return self._call(series_id, request)

    def _call(self, series_id: str, request: Callable[[], T]) -> T:
        """`request` (one fredapi call: one HTTP request), paced, timed and retried."""
        for attempt in range(self.retries + 1):
            self._throttle()
            try:
                return self._timed(request)
            except FREDAPI_ERRORS as exc:
                failure = classify(exc, now=self._clock())
            if failure.permanent or attempt == self.retries:
                break
            wait = self.backoff * 2**attempt * (4 if failure.status == 429 else 1)
            wait = max(wait, failure.retry_after)  # a 429's or 503's Retry-After, capped
            log.info("%s: %s; retrying in %.1fs", series_id, self._scrub(str(failure)), wait)
            self._sleep(wait)
        # Raised outside the `except`: the new error carries no context (no URL, no key).
        raise self._final_error(series_id, failure, attempt + 1)

    def _final_error(self, series_id: str, failure: FredFailure, tries: int) -> DataSourceError:
        after = f" after {tries} attempts" if tries > 1 else ""
        advice = f"; {failure.advice}" if failure.advice else ""
        error = FredUnreachableError if failure.unreachable else DataSourceError
        return error(f"{series_id}: {self._scrub(str(failure))}{after}{advice}")

    def _timed(self, request: Callable[[], T]) -> T:
        with _PROCESS_STATE:
            previous = socket.getdefaulttimeout()
            socket.setdefaulttimeout(self.timeout)
            try:
                return request()
            finally:
                socket.setdefaulttimeout(previous)

    def _throttle(self) -> None:
        wait = self._last_request + self.min_interval - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_request = time.monotonic()

    def _scrub(self, text: str) -> str:
        text = re.sub(r"api_key=[^&\s'\"]*", "api_key=***", text)
        return text.replace(self._key, "***")


def _new_fred(api_key: str) -> fredapi.Fred:
    """A `fredapi.Fred` whose construction leaves urllib's installed opener as it was."""
    import fredapi

    with _PROCESS_STATE:
        # urllib has no public getter for the installed opener; `_opener` is where
        # `install_opener` puts it (None until one is installed or urlopen first runs).
        installed = getattr(urllib.request, "_opener", None)
        try:
            return fredapi.Fred(api_key=api_key)
        finally:
            urllib.request._opener = installed  # type: ignore[attr-defined]


def _clean_series(raw: pd.Series, series_id: str) -> pd.Series:
    """fredapi's observations as floats on a sorted DatetimeIndex, without NaN or NaT."""
    if len(raw) == 0:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([]), name=series_id)
    series = pd.Series(
        pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float),
        index=pd.DatetimeIndex(pd.to_datetime(raw.index, errors="coerce")),
        name=series_id,
    )
    series = series[series.index.notna()].dropna()
    return series.sort_index()
