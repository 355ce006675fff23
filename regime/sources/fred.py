"""A thin client of ours around `fredapi.Fred`: timeout, throttle, bounded retries, one error type.

fredapi has no timeout, may install a global urllib opener, puts the API key in every URL and
turns every failure into a bare ValueError. `_QuietFred` replaces its one HTTP helper so each
request has a timeout and failures come back classified (network, HTTP status, FRED message);
`FredClient` adds the throttle and the retries and raises only DataSourceError, with the key
scrubbed from every message.
"""

from __future__ import annotations

import http.client
import logging
import re
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

import fredapi
import pandas as pd

from regime.errors import DataSourceError

log = logging.getLogger(__name__)

KEY_HELP = (
    "no FRED API key: set the FRED_API_KEY environment variable (free key at "
    "https://fred.stlouisfed.org/docs/api/api_key.html) or name a key file in config.yaml "
    "under fetch.key_file"
)
# ALFRED answers at most this many vintage dates per observations request.
MAX_VINTAGES_PER_REQUEST = 2000
# FRED's answers to these mean the request itself is wrong (no such series, bad key): asking
# again cannot help, and would only spend the rate limit.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404})
MAX_RETRY_AFTER_SECONDS = 60.0

T = TypeVar("T")


class _Failure(Exception):
    """One failed request, already classified and free of the key."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float = 0.0,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.unreachable = unreachable

    @property
    def retryable(self) -> bool:
        return self.status not in PERMANENT_STATUSES


class _QuietFred(fredapi.Fred):
    """fredapi.Fred with a timed, throttled, classified HTTP helper and no global side effects.

    `_Fred__fetch_data` is fredapi's private (name-mangled) helper that every public method
    calls; tests run the real public methods through it against a fake server, so a fredapi
    release that renames it fails loudly there.
    """

    def __init__(self, api_key: str, *, timeout: float, throttle: Callable[[], None]) -> None:
        # Not calling super().__init__: it reads the environment and may install a global
        # urllib opener. These are the only attributes fredapi's methods use.
        self.api_key = api_key
        self.proxies = None
        self._timeout = timeout
        self._throttle = throttle
        self._opener = urllib.request.build_opener()

    def __repr__(self) -> str:
        return f"<_QuietFred {self.root_url}>"

    def _Fred__fetch_data(self, url: str) -> ET.Element:
        self._throttle()
        try:
            with self._opener.open(f"{url}&api_key={self.api_key}", timeout=self._timeout) as r:
                body = r.read()
        except urllib.error.HTTPError as exc:
            raise _http_failure(exc) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Failure(f"cannot reach FRED ({reason})", unreachable=True) from None
        except http.client.HTTPException as exc:
            # The server was reached but broke off (a body shorter than announced, a garbled
            # status line): worth another attempt, and not a reason to skip the other series.
            raise _Failure(f"FRED's answer was cut short ({type(exc).__name__})") from None
        try:
            return ET.fromstring(body)
        except ET.ParseError:
            raise _Failure("FRED sent an answer that is not XML") from None


def _http_failure(exc: urllib.error.HTTPError) -> _Failure:
    message = ""
    try:
        message = ET.fromstring(exc.read()).get("message") or ""
    except (ET.ParseError, OSError):
        pass
    retry_after = 0.0
    header = exc.headers.get("Retry-After") if exc.headers else None
    if header and header.strip().isdigit():
        retry_after = min(float(header), MAX_RETRY_AFTER_SECONDS)
    text = f"HTTP {exc.code}" + (f": {message}" if message else "")
    if exc.code == 429:
        text = "FRED rate limit (HTTP 429)"
    return _Failure(text, status=exc.code, retry_after=retry_after)


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
        self._fred = _QuietFred(api_key, timeout=timeout, throttle=self._throttle)
        if root_url is not None:
            self._fred.root_url = root_url.rstrip("/")

    def __repr__(self) -> str:
        return f"<FredClient {self._fred.root_url}>"

    def observations(self, series_id: str, start: date | None = None) -> pd.Series:
        """Latest-release observations from `start` on (all history when None), NaN dropped."""
        raw = self._call(series_id, lambda: self._fred.get_series(series_id, start))
        return _clean_series(raw, series_id)

    def first_release(self, series_id: str) -> pd.Series:
        """Each observation's value as first published (ALFRED), from the vintage history.

        ALFRED refuses requests spanning more than 2000 vintage dates, so the vintage dates are
        asked for first and the history is fetched in slices of at most that many.
        """
        vintages = self._call(series_id, lambda: self._fred.get_series_vintage_dates(series_id))
        if not vintages:
            raise DataSourceError(f"{series_id}: ALFRED lists no vintages for this series")
        size = self.max_vintages_per_request
        frames = []
        for i in range(0, len(vintages), size):
            first, last = vintages[i], vintages[min(i + size, len(vintages)) - 1]
            request = partial(
                self._fred.get_series_all_releases,
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
            except _Failure as exc:
                failure = exc
            except (ValueError, TypeError, KeyError) as exc:
                # fredapi's own parsing of a malformed answer; not worth repeating.
                failure = _Failure(f"unreadable answer ({self._scrub(str(exc))})", status=400)
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
