"""FredJson, the FRED JSON client that replaces fredapi's private helper: what it asks FRED,
what it makes of the answers, and how each failure is classified. A fake urllib handler
stands in for FRED (no socket is opened); answers are in FRED's documented JSON layout."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from datetime import date
from email.message import Message

import pandas as pd
import pytest

from regime.sources.fred_json import FredJson, FredRequestError

KEY = "0123456789abcdef0123456789abcdef"


class FakeFred(urllib.request.BaseHandler):
    """Answers https requests from a queue; records each request's URL and timeout."""

    handler_order = 100  # before urllib's own HTTPSHandler: no request leaves the process

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, dict[str, str], float | None]] = []

    def https_open(self, request: urllib.request.Request):
        url = urllib.parse.urlparse(request.full_url)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.asked.append((url.path, query, request.timeout))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body, headers = answer if isinstance(answer, tuple) else (200, answer, {})
        message = Message()
        for name, value in headers.items():
            message[name] = value
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if status != 200:
            raise urllib.error.HTTPError(
                request.full_url, status, "error", message, io.BytesIO(data)
            )
        response = urllib.response.addinfourl(io.BytesIO(data), message, request.full_url, status)
        response.msg = "OK"  # what urllib's HTTPErrorProcessor reads, as http.client sets it
        return response


def client(fake: FakeFred, **options) -> FredJson:
    return FredJson(KEY, opener=urllib.request.build_opener(fake), **options)


def observations(*rows: tuple[str, str], count: int | None = None, offset: int = 0) -> dict:
    listed = [
        {"realtime_start": "2026-08-24", "realtime_end": "2026-08-24", "date": d, "value": v}
        for d, v in rows
    ]
    return {
        "count": count if count is not None else len(listed),
        "offset": offset,
        "limit": 100000,
        "observations": listed,
    }


def test_observations_are_floats_by_date_with_missing_values_as_nan():
    fake = FakeFred(
        observations(("2026-08-20", "4.21"), ("2026-08-21", "."), ("2026-08-24", "4.25"))
    )

    series = client(fake).observations("DGS10", date(2026, 8, 20))

    assert list(series.index) == list(pd.to_datetime(["2026-08-20", "2026-08-21", "2026-08-24"]))
    assert series.iloc[0] == 4.21 and pd.isna(series.iloc[1]) and series.dtype == float
    path, query, _timeout = fake.asked[0]
    assert path == "/fred/series/observations"
    assert query == {
        "series_id": "DGS10",
        "observation_start": "2026-08-20",
        "file_type": "json",
        "api_key": KEY,
    }


def test_a_long_answer_is_followed_page_by_page():
    fake = FakeFred(
        observations(("2026-08-20", "1"), ("2026-08-21", "2"), count=3),
        observations(("2026-08-24", "3"), count=3, offset=2),
    )

    series = client(fake).observations("DGS10")

    assert series.tolist() == [1.0, 2.0, 3.0]
    assert [q.get("offset") for _p, q, _t in fake.asked] == [None, "2"]


def test_vintage_dates_and_all_releases_ask_alfred_for_what_first_releases_need():
    fake = FakeFred(
        {"count": 2, "offset": 0, "limit": 10000, "vintage_dates": ["2020-02-07", "2020-03-06"]},
        observations(("2020-01-01", "3.6"), ("2020-02-01", "3.5")),
    )
    fred = client(fake)

    assert fred.vintage_dates("UNRATE") == [date(2020, 2, 7), date(2020, 3, 6)]
    releases = fred.all_releases("UNRATE", "2020-02-07", "2020-03-06")

    assert list(releases.columns) == ["date", "realtime_start", "value"]
    assert releases["value"].tolist() == [3.6, 3.5]
    assert fake.asked[0][0] == "/fred/series/vintagedates"
    assert fake.asked[1][1]["realtime_start"] == "2020-02-07"
    assert fake.asked[1][1]["realtime_end"] == "2020-03-06"


def test_every_request_has_the_timeout_and_waits_for_the_throttle_first():
    calls: list[str] = []
    fake = FakeFred(observations(("2026-08-20", "1")))

    client(fake, timeout=7.5, throttle=lambda: calls.append("throttle")).observations("DGS10")

    assert calls == ["throttle"] and fake.asked[0][2] == 7.5


def test_no_such_series_is_permanent_and_carries_freds_message():
    missing = (
        400,
        {"error_code": 400, "error_message": "Bad Request. The series does not exist."},
        {},
    )

    with pytest.raises(FredRequestError) as failed:
        client(FakeFred(missing)).observations("NOSUCH")

    assert str(failed.value) == "HTTP 400: Bad Request. The series does not exist."
    assert (failed.value.status, failed.value.retryable) == (400, False)


def test_a_rate_limit_is_retryable_and_says_how_long_to_wait():
    limited = (
        429,
        {"error_code": 429, "error_message": "Too Many Requests."},
        {"Retry-After": "20"},
    )

    with pytest.raises(FredRequestError) as failed:
        client(FakeFred(limited)).observations("DGS10")

    assert str(failed.value) == "FRED rate limit (HTTP 429)"
    assert (failed.value.retryable, failed.value.retry_after) == (True, 20.0)


@pytest.mark.parametrize(
    "answer, message",
    [
        ((500, b"<html>Internal Server Error</html>", {}), "HTTP 500"),
        (b"this is not json", "FRED sent an answer that is not JSON"),
    ],
)
def test_a_server_error_or_an_unreadable_answer_is_worth_retrying(answer, message):
    with pytest.raises(FredRequestError, match=message) as failed:
        client(FakeFred(answer)).observations("DGS10")

    assert failed.value.retryable and not failed.value.unreachable


def test_a_network_failure_is_unreachable_and_never_shows_the_key():
    down = urllib.error.URLError(f"connection refused for ...?api_key={KEY}")

    with pytest.raises(FredRequestError) as failed:
        client(FakeFred(down)).observations("DGS10")

    assert failed.value.unreachable and failed.value.retryable
    assert KEY not in str(failed.value) and "***" in str(failed.value)


def test_a_timeout_is_unreachable():
    with pytest.raises(FredRequestError, match="cannot reach FRED") as failed:
        client(FakeFred(TimeoutError("timed out"))).observations("DGS10")

    assert failed.value.unreachable
