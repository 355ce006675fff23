"""FRED's JSON API, the three calls regime makes, without fredapi.

Each call is one or more HTTP GETs (more only when FRED pages a long answer), each with a
timeout, through an injectable urllib opener (tests pass one that never touches the network).
Failures come back as one error type, FredRequestError, already classified: HTTP status and
FRED's own message, Retry-After, "unreachable" for network failures. The API key travels in
the query string only, never in a message. Retries, backoff and pacing are the caller's
(`FredClient` in fred.py): this module makes exactly the requests it is asked for.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

ROOT_URL = "https://api.stlouisfed.org/fred"
# FRED's answers to these mean the request itself is wrong (no such series, bad key): asking
# again cannot help, and would only spend the rate limit.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404})
MAX_RETRY_AFTER_SECONDS = 60.0
MISSING = "."  # FRED's value for "no observation"


class FredRequestError(Exception):
    """One failed request, classified, its message free of the key."""

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


class FredJson:
    """Observations, vintage dates and all releases of a FRED series.

    `throttle` is called before every request (the caller's rate limit). `opener` defaults to
    `urllib.request.build_opener()` (proxies from the environment, as urllib does); nothing is
    installed globally.
    """

    def __init__(
        self,
        api_key: str,
        *,
        timeout: float = 30.0,
        throttle: Callable[[], None] = lambda: None,
        root_url: str | None = None,
        opener: urllib.request.OpenerDirector | None = None,
    ) -> None:
        self._key = api_key
        self.timeout = timeout
        # Read when built, not when defined: tests point ROOT_URL at a fake server.
        self.root_url = (root_url or ROOT_URL).rstrip("/")
        self._throttle = throttle
        self._opener = opener if opener is not None else urllib.request.build_opener()

    def __repr__(self) -> str:
        return f"<FredJson {self.root_url}>"

    def observations(self, series_id: str, start: date | None = None) -> pd.Series:
        """Latest-release values from `start` (all history when None); NaN where FRED has ".".

        Indexed by observation date, float; empty (and float) when there are none.
        """
        params = {"series_id": series_id}
        if start is not None:
            params["observation_start"] = start.isoformat()
        rows = self._pages("series/observations", params, "observations")
        return pd.Series(
            [_value(row["value"]) for row in rows],
            index=pd.DatetimeIndex([row["date"] for row in rows]),
            dtype=float,
            name=series_id,
        )

    def vintage_dates(self, series_id: str) -> list[date]:
        """Every date on which the series was published or revised (ALFRED), oldest first."""
        dates = self._pages("series/vintagedates", {"series_id": series_id}, "vintage_dates")
        return [date.fromisoformat(str(d)) for d in dates]

    def all_releases(self, series_id: str, realtime_start: str, realtime_end: str) -> pd.DataFrame:
        """Every value published between the two dates: columns date, realtime_start, value."""
        params = {
            "series_id": series_id,
            "realtime_start": realtime_start,
            "realtime_end": realtime_end,
        }
        rows = self._pages("series/observations", params, "observations")
        return pd.DataFrame(
            {
                "date": pd.to_datetime([row["date"] for row in rows]),
                "realtime_start": pd.to_datetime([row["realtime_start"] for row in rows]),
                "value": [_value(row["value"]) for row in rows],
            }
        )

    def _pages(self, path: str, params: dict[str, str], key: str) -> list[Any]:
        """The `key` list of an answer, following FRED's offset paging to its end."""
        items: list[Any] = []
        while True:
            answer = self._get(path, {**params, "offset": str(len(items))} if items else params)
            page = answer[key]
            items.extend(page)
            count = int(answer.get("count", len(items)))
            if not page or len(items) >= count:
                return items

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        query = urllib.parse.urlencode({**params, "file_type": "json", "api_key": self._key})
        self._throttle()
        try:
            with self._opener.open(f"{self.root_url}/{path}?{query}", timeout=self.timeout) as r:
                body = r.read()
        except urllib.error.HTTPError as exc:
            raise _http_failure(exc) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            message = self._scrub(f"cannot reach FRED ({reason})")
            raise FredRequestError(message, unreachable=True) from None
        except http.client.HTTPException as exc:
            # Reached, but the answer broke off: worth another attempt, not "unreachable".
            raise FredRequestError(f"FRED's answer was cut short ({type(exc).__name__})") from None
        except OSError as exc:
            message = self._scrub(f"cannot reach FRED ({exc})")
            raise FredRequestError(message, unreachable=True) from None
        try:
            answer = json.loads(body)
        except ValueError:
            raise FredRequestError("FRED sent an answer that is not JSON") from None
        if not isinstance(answer, dict):
            raise FredRequestError("FRED sent a JSON answer that is not an object")
        return answer

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text


def _value(text: Any) -> float:
    return float("nan") if text == MISSING else float(text)


def _http_failure(exc: urllib.error.HTTPError) -> FredRequestError:
    message = ""
    try:
        error = json.loads(exc.read())
        message = str(error.get("error_message", "")) if isinstance(error, dict) else ""
    except (ValueError, OSError):
        pass
    retry_after = 0.0
    header = exc.headers.get("Retry-After") if exc.headers else None
    if header and header.strip().isdigit():
        retry_after = min(float(header), MAX_RETRY_AFTER_SECONDS)
    text = f"HTTP {exc.code}" + (f": {message}" if message else "")
    if exc.code == 429:
        text = "FRED rate limit (HTTP 429)"
    return FredRequestError(text, status=exc.code, retry_after=retry_after)
