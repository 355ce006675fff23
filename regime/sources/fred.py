"""FredClient: observations and first releases from FRED, with a throttle, bounded retries and
one error type.

The requests themselves are FredJson's (fred_json.py: FRED's JSON API, a timeout on each,
failures classified); this module paces them, retries what is worth retrying, and raises only
DataSourceError, with the key scrubbed from every message.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

import pandas as pd

from regime.errors import DataSourceError
from regime.sources.fred_json import FredJson, FredRequestError

log = logging.getLogger(__name__)

KEY_HELP = (
    "no FRED API key: set the FRED_API_KEY environment variable (free key at "
    "https://fred.stlouisfed.org/docs/api/api_key.html) or name a key file in config.yaml "
    "under fetch.key_file"
)
# ALFRED answers at most this many vintage dates per observations request.
MAX_VINTAGES_PER_REQUEST = 2000
T = TypeVar("T")


class FredUnreachableError(DataSourceError):
    """FRED could not be reached at all (DNS, connection, timeout) after every attempt."""


class FredClient:
    """Observations and first releases from FRED/ALFRED.

    Every public method makes bounded attempts (1 + `retries`) with exponential backoff, waits
    between requests so as not to exceed `requests_per_second`, and raises DataSourceError naming
    the series. Permanent answers (no such series, bad key) are not retried.
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
        max_vintages_per_request: int = MAX_VINTAGES_PER_REQUEST,
    ) -> None:
        if not api_key:
            raise DataSourceError(KEY_HELP)
        self._key = api_key
        self.retries = retries
        self.backoff = backoff
        self.min_interval = 1.0 / requests_per_second
        self.max_vintages_per_request = max_vintages_per_request
        self._sleep = sleep
        self._last_request = float("-inf")
        self._fred = FredJson(api_key, timeout=timeout, throttle=self._throttle, root_url=root_url)

    def __repr__(self) -> str:
        return f"<FredClient {self._fred.root_url}>"

    def observations(self, series_id: str, start: date | None = None) -> pd.Series:
        """Latest-release observations from `start` on (all history when None), NaN dropped."""
        raw = self._call(series_id, lambda: self._fred.observations(series_id, start))
        return _clean_series(raw, series_id)

    def first_release(self, series_id: str) -> pd.Series:
        """Each observation's value as first published (ALFRED), from the vintage history.

        ALFRED refuses requests spanning more than 2000 vintage dates, so the vintage dates are
        asked for first and the history is fetched in slices of at most that many.
        """
        vintages = self._call(series_id, lambda: self._fred.vintage_dates(series_id))
        if not vintages:
            raise DataSourceError(f"{series_id}: ALFRED lists no vintages for this series")
        size = self.max_vintages_per_request
        frames = []
        for i in range(0, len(vintages), size):
            first, last = vintages[i], vintages[min(i + size, len(vintages)) - 1]
            request = partial(
                self._fred.all_releases,
                series_id,
                first.strftime("%Y-%m-%d"),
                last.strftime("%Y-%m-%d"),
            )
            frames.append(self._call(series_id, request))
        return _first_values(frames, series_id)

    def _throttle(self) -> None:
        wait = self._last_request + self.min_interval - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_request = time.monotonic()

    def _call(self, series_id: str, request: Callable[[], T]) -> T:
        for attempt in range(self.retries + 1):
            try:
                return request()
            except FredRequestError as exc:
                failure = exc
            except (ValueError, TypeError, KeyError) as exc:
                # An answer in an unexpected layout: not worth repeating.
                message = f"unreadable answer ({self._scrub(str(exc))})"
                failure = FredRequestError(message, status=400)
            if not failure.retryable or attempt == self.retries:
                break
            wait = self.backoff * 2**attempt
            if failure.status == 429:
                wait = max(wait * 4, failure.retry_after)
            log.info("%s: %s; retrying in %.1fs", series_id, self._scrub(str(failure)), wait)
            self._sleep(wait)
        tries = attempt + 1
        after = f" after {tries} attempts" if tries > 1 else ""
        error = FredUnreachableError if failure.unreachable else DataSourceError
        raise error(f"{series_id}: {self._scrub(str(failure))}{after}")

    def _scrub(self, text: str) -> str:
        text = re.sub(r"api_key=[^&\s'\"]*", "api_key=***", text)
        return text.replace(self._key, "***")


def _clean_series(raw: pd.Series, series_id: str) -> pd.Series:
    if len(raw) == 0:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([]), name=series_id)
    series = pd.Series(
        pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float),
        index=pd.DatetimeIndex(pd.to_datetime(raw.index)),
        name=series_id,
    )
    return series.dropna()


def _first_values(frames: list[pd.DataFrame], series_id: str) -> pd.Series:
    frames = [f for f in frames if len(f)]
    if not frames:
        raise DataSourceError(f"{series_id}: ALFRED returned no observations")
    rows = pd.concat(frames, ignore_index=True)
    rows = pd.DataFrame(
        {
            "date": pd.to_datetime(rows["date"]),
            "realtime_start": pd.to_datetime(rows["realtime_start"]),
            "value": pd.to_numeric(rows["value"], errors="coerce").astype(float),
        }
    ).dropna()
    first = rows.sort_values(["date", "realtime_start"]).groupby("date", sort=True).head(1)
    return pd.Series(
        first["value"].to_numpy(), index=pd.DatetimeIndex(first["date"]), name=series_id
    )
