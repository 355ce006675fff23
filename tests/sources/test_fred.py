"""FredClient, the adapter around fredapi.Fred: the real fredapi against the fake FRED server
(FRED's XML), with our timeout, retries, pacing, error classification and key scrubbing."""

from __future__ import annotations

import email.utils
import inspect
import logging
import socket
import time
import traceback
import urllib.error
import urllib.request
import urllib.response
from datetime import date
from io import BytesIO
from pathlib import Path

import fredapi
import pandas as pd
import pytest

from regime.errors import DataSourceError
from regime.sources.fred import KEY_HELP, FredClient, FredUnreachableError
from tests.sources import fakes_fred

KEY = fakes_fred.TEST_KEY
PACKAGE = Path(__file__).resolve().parents[2] / "regime"
NOW = 1_790_000_000.0  # a fixed Unix time for Retry-After dates (2026-09-21)


class RecordedSleep:
    """Stands in for time.sleep: records the waits, sleeps none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    @property
    def backoffs(self) -> list[float]:
        return [w for w in self.waits if w > 0.005]  # not the throttle's millisecond waits


def client(**overrides: object) -> FredClient:
    options: dict = {"timeout": 0.5, "retries": 2, "backoff": 0.01, "requests_per_second": 1000}
    return FredClient(KEY, **{**options, **overrides})


def test_observations_come_back_as_a_float_series_without_missing_markers(fake_fred):
    series = client().observations("DGS10", date(2026, 1, 1))

    assert series.dtype == float
    assert series.index[0] >= pd.Timestamp("2026-01-01")
    assert series.notna().all()
    assert series.index.is_monotonic_increasing
    asked = fake_fred.requests_for("DGS10")
    assert [(r["path"], r["observation_start"]) for r in asked] == [
        ("/fred/series/observations", "2026-01-01")
    ]


def test_an_answer_at_freds_row_cap_is_continued_from_the_day_after_its_last_date(fake_fred):
    whole = client().observations("DGS10", date(2026, 1, 1))
    fake_fred.row_cap = 40
    fake_fred.requests.clear()

    got = client(row_cap=40).observations("DGS10", date(2026, 1, 1))

    pd.testing.assert_series_equal(got, whole)
    starts = [r["observation_start"] for r in fake_fred.requests_for("DGS10")]
    served = fake_fred.latest("DGS10").loc["2026-01-01":]  # "." rows count towards the cap
    assert len(starts) == len(served) // 40 + 1
    assert starts[0] == "2026-01-01" and starts == sorted(starts)


def test_a_429_waits_its_retry_after_in_seconds_then_succeeds(fake_fred):
    fake_fred.script["DGS2"] = ["429:7"]
    sleep = RecordedSleep()

    series = client(sleep=sleep).observations("DGS2", date(2026, 1, 1))

    assert len(series) > 0
    assert len(fake_fred.requests_for("DGS2")) == 2
    assert sleep.backoffs == [7.0]


def test_a_429_with_an_http_date_waits_until_that_date_and_never_more_than_a_minute(fake_fred):
    in_20s = email.utils.formatdate(NOW + 20, usegmt=True)
    in_1h = email.utils.formatdate(NOW + 3600, usegmt=True)
    fake_fred.script["DGS2"] = [f"429:{in_20s}", f"429:{in_1h}"]
    sleep = RecordedSleep()

    client(sleep=sleep, clock=lambda: NOW).observations("DGS2", date(2026, 1, 1))

    assert sleep.backoffs == [20.0, 60.0]


def test_a_proxys_503_page_with_a_retry_after_is_waited_out_too(fake_fred):
    fake_fred.script["DGS2"] = ["503:5"]
    sleep = RecordedSleep()

    assert len(client(sleep=sleep).observations("DGS2", date(2026, 1, 1))) > 0
    assert sleep.backoffs == [5.0]


def test_a_500_with_a_proxys_html_page_is_retried_then_one_error_naming_the_series(fake_fred):
    fake_fred.script["DGS2"] = ["500", "garbage", "500", "500"]

    with pytest.raises(DataSourceError) as failed:
        client(retries=2).observations("DGS2", date(2026, 1, 1))

    assert str(failed.value) == "DGS2: HTTP 500 after 3 attempts; try again later"
    assert not isinstance(failed.value, FredUnreachableError)
    assert len(fake_fred.requests_for("DGS2")) == 3


def test_freds_message_is_reported_and_a_permanent_answer_is_not_retried(fake_fred):
    with pytest.raises(DataSourceError) as failed:
        client().observations("NOSUCH")

    assert str(failed.value) == "NOSUCH: HTTP 400: Bad Request. The series does not exist."
    assert len(fake_fred.requests_for("NOSUCH")) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_no_permanent_status_is_asked_again(fake_fred, status):
    fake_fred.script["DGS2"] = [f"error:{status}:Refused."]

    with pytest.raises(DataSourceError, match=rf"^DGS2: HTTP {status}: Refused\.$"):
        client().observations("DGS2")
    assert len(fake_fred.requests_for("DGS2")) == 1


def test_an_answer_cut_short_is_retried_and_named_as_such(fake_fred):
    # Found by the soak (benchmarks/soak.py): http.client.IncompleteRead escaped the client and
    # ended `regime run` with exit 70 instead of failing one series.
    fake_fred.script["DGS2"] = ["truncated"]
    assert len(client().observations("DGS2", date(2026, 1, 1))) > 0
    assert len(fake_fred.requests_for("DGS2")) == 2

    fake_fred.script["DGS2"] = ["truncated"] * 3
    with pytest.raises(DataSourceError) as failed:
        client(retries=2).observations("DGS2", date(2026, 1, 1))
    assert str(failed.value) == (
        "DGS2: FRED's answer was cut short (IncompleteRead) after 3 attempts; try again later"
    )


@pytest.mark.parametrize("fault", ["cut-xml", "garbage"])
def test_an_answer_that_is_not_xml_is_retried_and_named_as_such(fake_fred, fault):
    fake_fred.script["DGS2"] = [fault] * 2

    with pytest.raises(DataSourceError, match="^DGS2: FRED sent an answer that is not XML after 2"):
        client(retries=1).observations("DGS2", date(2026, 1, 1))


def test_a_value_fredapi_cannot_read_is_a_permanent_unreadable_answer(fake_fred):
    fake_fred.overrides["DGS2"] = pd.Series({"2026-01-02": "4.1", "2026-01-05": "n/a"})

    with pytest.raises(DataSourceError, match=r"^DGS2: unreadable answer from FRED \(ValueError"):
        client().observations("DGS2")
    assert len(fake_fred.requests_for("DGS2")) == 1


def test_a_slow_answer_times_out_and_is_retried(fake_fred):
    fake_fred.script["DGS2"] = ["slow"]
    started = time.monotonic()

    series = client(timeout=0.3).observations("DGS2", date(2026, 1, 1))

    assert len(series) > 0
    assert len(fake_fred.requests_for("DGS2")) == 2
    assert time.monotonic() - started < fake_fred.slow_seconds


def test_answers_that_never_come_in_time_are_unreachable(fake_fred):
    fake_fred.script["DGS2"] = ["slow"] * 2

    with pytest.raises(FredUnreachableError, match=r"^DGS2: cannot reach FRED \(timed out\) after"):
        client(timeout=0.3, retries=1).observations("DGS2")


def test_the_socket_default_timeout_is_restored_after_each_call_even_a_failing_one(fake_fred):
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(42.0)
    try:
        client(timeout=0.3).observations("DGS10", date(2026, 8, 1))
        assert socket.getdefaulttimeout() == 42.0
        fake_fred.script["DGS2"] = ["slow", "500", "no-such-series"]
        with pytest.raises(DataSourceError):
            client(timeout=0.3).observations("DGS2")
        assert socket.getdefaulttimeout() == 42.0
    finally:
        socket.setdefaulttimeout(previous)


def test_a_connection_reset_and_a_closed_port_are_unreachable(fake_fred):
    fake_fred.script["DGS2"] = ["reset"] * 2
    with pytest.raises(FredUnreachableError, match="^DGS2: cannot reach FRED"):
        client(retries=1).observations("DGS2")

    closed = client(retries=1, root_url="http://127.0.0.1:9/fred")  # discard: never answers
    with pytest.raises(FredUnreachableError, match="^DGS10: cannot reach FRED"):
        closed.observations("DGS10")


def test_the_key_never_appears_in_errors_tracebacks_or_logs(fake_fred, caplog):
    caplog.set_level(logging.INFO, logger="regime")
    fake_fred.script["DGS2"] = [f"error:500:echoing ?api_key={KEY}&x=1"] * 2
    fake_fred.script["DGS10"] = [f"error:400:key {KEY} is not registered"]

    errors = []
    for series_id in ("DGS2", "DGS10"):
        with pytest.raises(DataSourceError) as caught:
            client(retries=1).observations(series_id)
        errors.append(caught.value)

    text = "".join("".join(traceback.format_exception(e)) for e in errors)
    assert "api_key=***" in text and "key *** is not registered" in text
    assert KEY not in text + caplog.text + repr(client())
    assert all(e.__context__ is None and e.__cause__ is None for e in errors)


def test_requests_are_throttled_to_the_configured_rate(fake_fred):
    fred = client(requests_per_second=20)
    started = time.monotonic()
    for _ in range(5):
        fred.observations("DGS10", date(2026, 8, 1))
    # Five requests at 20 per second: at least four 50 ms gaps.
    assert time.monotonic() - started >= 0.19


def test_no_key_is_one_line_saying_how_to_set_it():
    with pytest.raises(DataSourceError) as caught:
        FredClient("")
    assert str(caught.value) == KEY_HELP
    assert "\n" not in KEY_HELP and "FRED_API_KEY" in KEY_HELP


# -- fredapi's process-wide urllib state ----------------------------------------------------------


class Sentinel(urllib.request.BaseHandler):
    """Answers `sentinel:` URLs: proof that the opener an application installed is in place."""

    def sentinel_open(self, request: urllib.request.Request):
        return urllib.response.addinfourl(BytesIO(b"mine"), {}, request.full_url, 200)


@pytest.fixture
def application_opener(monkeypatch):
    """An application's own installed urllib opener, with proxy variables set."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    # urllib keeps the installed opener in `_opener`; monkeypatch puts the previous one back.
    monkeypatch.setattr(urllib.request, "_opener", urllib.request.build_opener(Sentinel()))


def still_installed() -> bool:
    try:
        return urllib.request.urlopen("sentinel:check").read() == b"mine"
    except urllib.error.URLError:
        return False


@pytest.mark.skipif(
    "proxies" not in inspect.signature(fredapi.Fred.__init__).parameters,
    reason="fredapi before 0.5.2 installs no opener",
)
def test_with_a_proxy_set_fredapi_alone_would_replace_the_applications_opener(
    application_opener,
):
    fredapi.Fred(api_key=KEY)  # what the adapter guards against

    assert not still_installed()


def test_building_a_client_with_a_proxy_set_leaves_the_applications_opener_installed(
    application_opener,
):
    client()

    assert still_installed()


def test_requests_still_go_through_the_proxy_the_environment_names(fake_fred, monkeypatch):
    for name in ("no_proxy", "NO_PROXY", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", fake_fred.url.removesuffix("/fred"))
    # urllib reads the proxy variables when it builds its default opener, at the first urlopen.
    monkeypatch.setattr(urllib.request, "_opener", None)

    series = client(root_url="http://fred.invalid/fred").observations("DGS10", date(2026, 8, 1))

    assert len(series) > 0
    assert fake_fred.requests_for("DGS10")[0]["host"] == "fred.invalid"


# -- fredapi's public API only --------------------------------------------------------------------


def test_the_package_reaches_fred_through_fredapi_and_never_its_private_names():
    sources = {path: path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")}

    importing = [p.name for p, text in sources.items() if "import fredapi" in text]
    private = [p.name for p, text in sources.items() if "_Fred__" in text]

    assert importing == ["fred.py"]
    assert private == []
