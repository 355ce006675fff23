"""Reading fredapi's exceptions back into classified failures: Retry-After in both of its
forms, and the HTTP status found wherever fredapi left urllib's HTTPError in the chain."""

from __future__ import annotations

import email.utils
import http.client
import urllib.error
import xml.etree.ElementTree as ET
from email.message import Message
from io import BytesIO

import pytest

from regime.sources.fred_failures import (
    MAX_RETRY_AFTER_SECONDS,
    classify,
    retry_after_seconds,
)

NOW = 1_790_000_000.0


@pytest.mark.parametrize(
    "header, seconds",
    [
        ("20", 20.0),
        (" 3 ", 3.0),
        (email.utils.formatdate(NOW + 42, usegmt=True), 42.0),
        (email.utils.formatdate(NOW - 42, usegmt=True), 0.0),  # already past
        ("86400", MAX_RETRY_AFTER_SECONDS),
        (email.utils.formatdate(NOW + 86400, usegmt=True), MAX_RETRY_AFTER_SECONDS),
        ("soon", 0.0),
        ("", 0.0),
        (None, 0.0),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date_and_capped(header, seconds):
    assert retry_after_seconds(header, now=NOW) == seconds


def http_error(status: int, retry_after: str | None = None) -> urllib.error.HTTPError:
    headers = Message()
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    url = "https://api.stlouisfed.org/fred/series/observations?series_id=X&api_key=secret"
    return urllib.error.HTTPError(url, status, "error", headers, BytesIO(b""))


def raised_while_handling(error: urllib.error.HTTPError, then: Exception) -> Exception:
    """`then`, raised inside an `except HTTPError` block, as fredapi raises its errors."""
    try:
        try:
            raise error
        except urllib.error.HTTPError:
            raise then  # noqa: B904 (as fredapi does: the HTTPError stays on __context__)
    except Exception as exc:
        return exc


def test_a_proxys_non_xml_503_keeps_its_status_and_retry_after():
    raised = raised_while_handling(http_error(503, "5"), ET.ParseError("syntax error"))

    failure = classify(raised, now=NOW)

    assert (str(failure), failure.status, failure.retry_after) == ("HTTP 503", 503, 5.0)
    assert failure.retryable and not failure.unreachable


def test_an_error_body_cut_short_still_counts_as_its_http_status():
    raised = raised_while_handling(http_error(404), http.client.IncompleteRead(b"<err", 40))

    failure = classify(raised, now=NOW)

    assert (str(failure), failure.permanent) == ("HTTP 404", True)


def test_nothing_of_the_url_reaches_the_message():
    raised = raised_while_handling(http_error(429), ValueError("Too Many Requests."))

    assert str(classify(raised, now=NOW)) == "FRED rate limit (HTTP 429: Too Many Requests.)"
