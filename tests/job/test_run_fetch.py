"""`regime run` with a FRED key: it refreshes the cache through `regime fetch`'s layer first
(against the fake FRED server and a fake yfinance download: never the network)."""

from __future__ import annotations

import functools

import pytest
import yaml

import regime.job.run
from regime.config import load_settings
from regime.errors import DataSourceError
from regime.job.history import read_history
from regime.job.run import run_job
from regime.sources.yahoo import YahooClient


@pytest.fixture
def fetching(deployment, fake_fred, fake_download, monkeypatch):
    raw = yaml.safe_load(deployment.config.read_text())
    raw["fetch"].update(retries=0, fred_requests_per_second=100, history_start="2026-01-01")
    deployment.config.write_text(yaml.safe_dump(raw, sort_keys=False))
    yahoo = YahooClient(download=fake_download, backoff=0, retries=0)
    monkeypatch.setattr(
        regime.job.run, "fetch", functools.partial(regime.job.run.fetch, yahoo=yahoo)
    )
    return load_settings(deployment.config)


def test_with_a_key_it_fetches_then_predicts_from_the_cache(fetching, fake_fred, caplog):
    caplog.set_level("INFO", logger="regime")

    result = run_job(fetching)

    assert result.fetched and result.added
    assert fake_fred.requests_for("DGS10")
    assert list((fetching.cache_dir).rglob("DGS10*"))
    assert any(m.startswith("fetched DGS10: ") for m in caplog.messages)
    assert len(read_history(fetching.history_path)) == 1


def test_a_failed_series_is_a_warning_or_with_strict_an_error(fetching, fake_fred, caplog):
    fake_fred.script["DGS10"] = ["no-such-series"]
    result = run_job(fetching)
    assert result.added
    assert any("fetch failed: DGS10" in m for m in caplog.messages)

    fake_fred.script["DGS10"] = ["no-such-series"]
    with pytest.raises(DataSourceError, match=r"1 series failed to fetch \(DGS10\)"):
        run_job(fetching, strict=True)
    assert len(read_history(fetching.history_path)) == 1


def test_without_a_key_it_still_refreshes_the_yahoo_indices(
    fetching, fake_fred, fake_download, monkeypatch, caplog
):
    monkeypatch.delenv("FRED_API_KEY")
    caplog.set_level("INFO", logger="regime")

    result = run_job(fetching)

    assert result.fetched and result.added
    assert [symbol for symbol, _kwargs in fake_download.calls] == ["^RUT", "^GSPC", "^IXIC"]
    assert fake_fred.requests == []
    assert "FRED_API_KEY is not set: fetching only the Yahoo indices, not FRED" in caplog.messages
    cached = sorted(path.name for path in fetching.cache_dir.rglob("*.csv"))
    assert cached == ["GSPC.csv", "IXIC.csv", "RUT.csv"]


def test_a_corrupt_cache_file_is_logged_once(fetching, fake_fred, caplog):
    run_job(fetching)
    cached = fetching.cache_dir / "fred" / "DGS10.csv"
    cached.write_bytes(cached.read_bytes()[:-20])
    caplog.clear()

    run_job(fetching)

    notes = [m for m in caplog.messages if "does not match its checksum" in m]
    assert len(notes) == 1 and "fetched again in full" in notes[0]
