"""What went wrong with one fredapi call, in the terms `FredClient` retries and reports.

fredapi raises what urllib and ElementTree raise, plus a bare ValueError. This module reads
them back into one classified `FredFailure`:

- an HTTP error: fredapi parses the error body as FRED's XML (`<error code=".." message=".."/>`)
  and raises `ValueError(message)` inside its `except HTTPError` block, so urllib's HTTPError
  (status, headers) is on the exception's `__context__`; an error body that is not XML (a
  proxy's HTML page) surfaces as `ET.ParseError`, and a cut error body as IncompleteRead, with
  the same context. The status, FRED's message and Retry-After come from there.
- a body shorter than announced: `http.client.IncompleteRead` (the server was reached).
- a body that is not XML: `ET.ParseError` without an HTTP error behind it.
- no answer at all (DNS, refused, reset, timed out): URLError, TimeoutError, ConnectionError.
- an answer in an unexpected layout (a value fredapi cannot turn into a float): ValueError.

Messages carry neither the URL nor the key; the client scrubs them once more anyway.
"""

from __future__ import annotations

import http.client
import urllib.error
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

# FRED's answers to these mean the request itself is wrong (no such series, bad key): asking
# again cannot help, and would only spend the rate limit.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404})
# A Retry-After longer than this is not waited out: the attempt fails, and the next run retries.
MAX_RETRY_AFTER_SECONDS = 60.0
TRY_LATER = "try again later"
# What a fredapi call raises when a request or its answer fails: urllib's errors (URLError and
# HTTPError are OSErrors, as are timeouts and resets), http.client's, ElementTree's, and the
# ValueError/TypeError/KeyError fredapi's own parsing raises. Anything else is a bug, not FRED.
FREDAPI_ERRORS = (
    OSError,
    http.client.HTTPException,
    ET.ParseError,
    ValueError,
    TypeError,
    KeyError,
)


class FredFailure(Exception):
    """One failed request: a message free of the key, and what the retry loop needs to know."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float = 0.0,
        unreachable: bool = False,
        permanent: bool = False,
        advice: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.permanent = permanent or status in PERMANENT_STATUSES
        self.advice = advice

    @property
    def retryable(self) -> bool:
        return not self.permanent


def classify(exc: BaseException, *, now: float) -> FredFailure:
    """The failure `exc` (raised by a fredapi call) stands for; `now` is the Unix time."""
    http_error = _http_error_behind(exc)
    if http_error is not None:
        return _http_failure(http_error, exc, now)
    if isinstance(exc, http.client.IncompleteRead):
        # Reached, but the answer broke off: worth another attempt, not "unreachable".
        return FredFailure("FRED's answer was cut short (IncompleteRead)", advice=TRY_LATER)
    if isinstance(exc, urllib.error.URLError | TimeoutError | ConnectionError):
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return FredFailure(
            f"cannot reach FRED ({reason or type(exc).__name__})",
            unreachable=True,
            advice="check the network connection (and any HTTPS_PROXY), or try again later",
        )
    if isinstance(exc, http.client.HTTPException):
        return FredFailure(f"FRED's answer was cut short ({type(exc).__name__})", advice=TRY_LATER)
    if isinstance(exc, ET.ParseError):
        return FredFailure("FRED sent an answer that is not XML", advice=TRY_LATER)
    if isinstance(exc, OSError):
        return FredFailure(f"cannot reach FRED ({exc})", unreachable=True, advice=TRY_LATER)
    # fredapi's own reading of an answer in an unexpected layout: asking again gives the same.
    return FredFailure(f"unreadable answer from FRED ({type(exc).__name__}: {exc})", permanent=True)


def retry_after_seconds(header: str | None, *, now: float) -> float:
    """Retry-After in seconds (either form: delta-seconds or an HTTP-date), 0 when absent or
    unreadable, at most MAX_RETRY_AFTER_SECONDS."""
    if not header or not header.strip():
        return 0.0
    text = header.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return 0.0
        if when.tzinfo is None:  # "-0000": RFC 5322's "UTC, origin unknown"
            return 0.0
        seconds = when.timestamp() - now
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _http_error_behind(exc: BaseException) -> urllib.error.HTTPError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, urllib.error.HTTPError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _http_failure(error: urllib.error.HTTPError, raised: BaseException, now: float) -> FredFailure:
    status = error.code
    # fredapi's ValueError carries FRED's message (or "None" when the error had none).
    message = str(raised) if type(raised) is ValueError and str(raised) != "None" else ""
    headers = error.headers
    retry_after = retry_after_seconds(headers.get("Retry-After") if headers else None, now=now)
    text = f"HTTP {status}" + (f": {message}" if message else "")
    advice = ""
    if status == 429:
        text = f"FRED rate limit ({text})"
        advice = "try again later, or lower fetch.fred_requests_per_second"
    elif status >= 500:
        advice = TRY_LATER
    return FredFailure(text, status=status, retry_after=retry_after, advice=advice)
