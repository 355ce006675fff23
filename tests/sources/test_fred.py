"""FredClient: our FredJson client against the fake FRED server."""

from __future__ import annotations

import time
import traceback
from datetime import date

import pandas as pd
import pytest

from regime.errors import DataSourceError
from regime.sources.fred import KEY_HELP, FredClient, FredUnreachableError
from tests.sources import fakes_fred

KEY = fakes_fred.TEST_KEY


def client(**overrides: object) -> FredClient:
    options: dict = {"timeout": 0.5, "retries": 2, "backoff": 0.01, "requests_per_second": 1000}
    return FredClient(KEY, **{**options, **overrides})


def test_observations_come_back_as_a_float_series_without_missing_markers(fake_fred):
    series = client().observations("DGS10", date(2026, 1, 1))

    assert series.dtype == float
    assert series.index[0] >= pd.Timestamp("2026-01-01")
    assert series.notna().all()
    assert series.index.is_monotonic_increasing
    assert fake_fred.requests_for("DGS10")[0]["observation_start"] == "2026-01-01"


def test_a_429_is_retried_after_a_backoff_then_succeeds(fake_fred):
    fake_fred.script["DGS2"] = ["429", "500"]

    series = client().observations("DGS2", date(2026, 1, 1))

    assert len(series) > 0
    assert len(fake_fred.requests_for("DGS2")) == 3


def test_a_slow_answer_times_out_and_is_retried(fake_fred):
    fake_fred.script["DGS2"] = ["slow"]

    series = client(timeout=0.3).observations("DGS2", date(2026, 1, 1))

    assert len(series) > 0
    assert len(fake_fred.requests_for("DGS2")) == 2


def test_an_answer_cut_short_is_retried_like_a_network_error(fake_fred):
    # Found by the soak (benchmarks/soak.py): http.client.IncompleteRead escaped the client and
    # ended `regime run` with exit 70 instead of failing one series.
    fake_fred.script["DGS2"] = ["truncated"]

    assert len(client().observations("DGS2", date(2026, 1, 1))) > 0
    assert len(fake_fred.requests_for("DGS2")) == 2

    fake_fred.script["DGS2"] = ["truncated"] * 3
    with pytest.raises(DataSourceError, match=r"^DGS2: FRED's answer was cut short .* 3 attempts$"):
        client(retries=2).observations("DGS2", date(2026, 1, 1))


def test_bounded_retries_then_one_error_naming_the_series(fake_fred):
    fake_fred.script["DGS2"] = ["500", "garbage", "500", "500"]

    with pytest.raises(DataSourceError, match=r"^DGS2: HTTP 500 after 3 attempts$"):
        client(retries=2).observations("DGS2", date(2026, 1, 1))
    assert len(fake_fred.requests_for("DGS2")) == 3


def test_fred_error_message_is_reported_and_not_retried(fake_fred):
    with pytest.raises(DataSourceError, match="NOSUCH: HTTP 400: Bad Request. The series does not"):
        client().observations("NOSUCH")
    assert len(fake_fred.requests_for("NOSUCH")) == 1


def test_the_key_never_appears_in_errors_or_tracebacks(fake_fred):
    fake_fred.script["DGS2"] = ["500"] * 5

    with pytest.raises(DataSourceError) as caught:
        client(retries=1).observations("DGS2")

    text = "".join(traceback.format_exception(caught.value))
    assert KEY not in text
    assert KEY not in repr(client())


def test_an_unreachable_server_is_a_distinct_error(monkeypatch):
    import regime.sources.fred_json

    monkeypatch.setattr(regime.sources.fred_json, "ROOT_URL", "http://127.0.0.1:9/fred")  # discard

    with pytest.raises(FredUnreachableError, match="DGS10: cannot reach FRED"):
        client(retries=1).observations("DGS10")


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
