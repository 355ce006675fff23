"""YahooClient: yfinance.download's public contract, with the download function injected."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from regime.errors import DataSourceError
from regime.sources.yahoo import YahooClient, flatten_closes
from tests.sources import fakes_fred


def client(download, **overrides) -> YahooClient:
    return YahooClient(download=download, **{"retries": 2, "backoff": 0.0, **overrides})


def test_closes_are_flattened_from_price_ticker_columns_with_exchange_dates(fake_download):
    closes = client(fake_download).closes("^RUT", date(2026, 1, 1))

    expected = pd.read_csv(
        fakes_fred.DATA / "market" / "RUT.csv", index_col="date", parse_dates=True
    )["close"].loc["2026-01-01":]
    assert closes.index.tz is None
    assert list(closes.index) == list(expected.index)  # no day shifted by the time zone
    assert closes.to_numpy() == pytest.approx(expected.to_numpy())
    assert closes.name == "^RUT"


def test_auto_adjust_is_passed_explicitly_and_progress_is_off(fake_download):
    client(fake_download).closes("^GSPC", date(2026, 1, 1))

    _, kwargs = fake_download.calls[0]
    assert kwargs["auto_adjust"] is False
    assert kwargs["progress"] is False
    assert kwargs["start"] == "2026-01-01"


def test_without_a_start_the_whole_history_is_asked_for(fake_download):
    client(fake_download).closes("^RUT")

    assert fake_download.calls[0][1]["period"] == "max"


def test_an_empty_frame_is_retried_then_accepted(fake_download):
    fake_download.script = ["empty"]

    closes = client(fake_download).closes("^RUT", date(2026, 1, 1))

    assert len(closes) > 0 and len(fake_download.calls) == 2


def test_a_rate_limit_then_empty_frames_fail_with_one_error_naming_the_symbol(fake_download):
    fake_download.script = ["rate-limit", "empty", "empty"]

    with pytest.raises(
        DataSourceError, match=r"^\^RUT: Yahoo returned no rows .* after 3 attempts"
    ):
        client(fake_download).closes("^RUT", date(2026, 1, 1))


def test_a_rate_limit_is_named_as_such(fake_download):
    fake_download.script = ["rate-limit"]

    with pytest.raises(DataSourceError, match=r"^\^RUT: Yahoo rate limit$"):
        client(fake_download, retries=0).closes("^RUT", date(2026, 1, 1))


def test_a_partial_frame_is_an_error_naming_the_rows(fake_download):
    fake_download.script = ["partial"] * 3

    with pytest.raises(DataSourceError, match=r"partial: 3 row\(s\) without a close"):
        client(fake_download).closes("^RUT", date(2026, 1, 1))


def test_a_frame_for_another_ticker_is_rejected():
    frame = fakes_fred.yfinance_frame("^GSPC", "2026-01-01")

    with pytest.raises(DataSourceError, match="no Close column for \\^RUT"):
        flatten_closes(frame, "^RUT")


def test_flat_columns_are_accepted_too():
    frame = fakes_fred.yfinance_frame("^GSPC", "2026-01-01").droplevel("Ticker", axis=1)

    assert len(flatten_closes(frame, "^GSPC")) == len(frame)


def test_yfinance_caches_can_be_moved_out_of_home(tmp_path, monkeypatch):
    import yfinance

    from regime.sources.yahoo import set_yfinance_cache

    seen = []
    monkeypatch.setattr(yfinance, "set_tz_cache_location", seen.append)
    set_yfinance_cache(tmp_path / "yf")

    assert seen == [str(tmp_path / "yf")] and (tmp_path / "yf").is_dir()
