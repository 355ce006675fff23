"""fetch(): incremental refresh with overlap, revisions, failures that stay per series."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import textwrap
from datetime import date

import pandas as pd
import pytest

from regime.config import load_settings
from regime.errors import DataSourceError
from regime.sources import load_market_data
from regime.sources.cache import SeriesCache
from regime.sources.fetch import fetch, fred_api_key
from regime.sources.fred import KEY_HELP
from regime.sources.yahoo import YahooClient
from tests.sources import fakes_fred


def snapshot(series_id: str) -> pd.Series:
    return fakes_fred.FakeFred().latest(series_id)


def cached(settings, key: str, kind: str = "fred") -> pd.Series:
    cache = SeriesCache(settings.cache_dir)
    with cache.locked():
        return cache.read(key, kind=kind)


def test_a_first_fetch_fills_the_cache_from_history_start(settings, fake_fred, fake_download):
    report = fetch(settings, yahoo=YahooClient(download=fake_download, backoff=0))

    assert report.ok, report.failed
    assert len(report.series) == len(settings.fred_series) + len(settings.index_symbols)
    dgs10 = next(s for s in report.series if s.key == "DGS10")
    expected = snapshot("DGS10").loc["2026-01-01":]
    expected = expected[expected != "."]
    assert (dgs10.added, dgs10.revised) == (len(expected), 0)
    assert dgs10.last_date == date.fromisoformat(expected.index[-1])
    assert dgs10.summary() == f"DGS10: {len(expected)} added, 0 revised, last {expected.index[-1]}"
    assert cached(settings, "^RUT", "market").index[0] >= pd.Timestamp("2026-01-01")


def test_a_second_fetch_asks_only_from_the_last_date_minus_the_overlap(settings, fake_fred):
    fetch(settings, series=["DGS10"])
    last = cached(settings, "DGS10").index[-1]

    report = fetch(settings, series=["DGS10"])

    asked = fake_fred.requests_for("DGS10")[-1]["observation_start"]
    assert asked == (last - pd.Timedelta(days=settings.fetch.overlap_days)).strftime("%Y-%m-%d")
    assert (report.series[0].added, report.series[0].revised) == (0, 0)


def test_revisions_inside_the_overlap_are_caught_counted_and_win(settings, fake_fred):
    fetch(settings, series=["DGS10"])
    revised = snapshot("DGS10")
    day = revised[revised != "."].index[-3]
    revised[day] = "9.99"
    fake_fred.overrides["DGS10"] = revised

    report = fetch(settings, series=["DGS10"]).series[0]

    assert (report.added, report.revised) == (0, 1)
    assert cached(settings, "DGS10")[day] == 9.99


def test_one_failing_series_does_not_stop_the_others(settings, fake_fred):
    fake_fred.script["DGS2"] = ["500"] * 10
    fake_fred.script["DGS10"] = ["429"]

    report = fetch(settings, series=["DGS10", "DGS2", "NOSUCH", "T10Y2Y"])

    by_key = {s.key: s for s in report.series}
    assert not report.ok
    assert [s.key for s in report.failed] == ["DGS2", "NOSUCH"]
    assert by_key["DGS2"].error == "DGS2: HTTP 500 after 3 attempts; try again later"
    assert "The series does not exist" in by_key["NOSUCH"].error
    assert by_key["DGS10"].ok and by_key["T10Y2Y"].ok
    assert not SeriesCache(settings.cache_dir).exists("DGS2", kind="fred")


def test_without_a_key_fetch_fails_in_one_line_before_any_request(settings, fake_fred, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY")

    with pytest.raises(DataSourceError) as caught:
        fetch(settings, series=["DGS10"])

    assert str(caught.value) == KEY_HELP
    assert fake_fred.requests == []


def test_index_symbols_need_no_key(settings, fake_download, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)

    report = fetch(settings, series=["^RUT"], yahoo=YahooClient(download=fake_download))

    assert report.ok


def test_the_key_file_is_read_when_the_environment_has_no_key(tmp_path, monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    (tmp_path / "fred_key").write_text("filekey123\n")
    settings = load_settings(fakes_fred.write_config(tmp_path, key_file="fred_key"))

    assert fred_api_key(settings) == "filekey123"


def test_a_corrupt_cache_file_is_reported_moved_aside_and_fetched_again(settings, fake_fred):
    fetch(settings, series=["DGS10"])
    path = settings.cache_dir / "fred" / "DGS10.csv"
    path.write_bytes(path.read_bytes()[:-20])

    report = fetch(settings, series=["DGS10"]).series[0]

    assert report.ok and "does not match its checksum" in report.note
    assert len(list((settings.cache_dir / "corrupt").iterdir())) == 1
    assert fake_fred.requests_for("DGS10")[-1]["observation_start"] == "2026-01-01"
    assert report.added == len(cached(settings, "DGS10"))


def test_an_implausible_value_is_cached_with_a_warning_naming_it(settings, fake_fred, caplog):
    bad = snapshot("DGS10")
    bad[bad.index[-1]] = "45.5"
    fake_fred.overrides["DGS10"] = bad

    with caplog.at_level(logging.WARNING):
        report = fetch(settings, series=["DGS10"]).series[0]

    assert report.ok
    assert cached(settings, "DGS10").iloc[-1] == 45.5
    assert [r.getMessage() for r in caplog.records] == [
        f"DGS10: FRED's answer has 1 implausible value, kept: {bad.index[-1]} value 45.5: not a "
        "yield between -5 and 30"
    ]


def test_under_strict_an_implausible_value_fails_its_series_and_stays_out(settings, fake_fred):
    fetch(settings, series=["DGS10"])
    before = (settings.cache_dir / "fred" / "DGS10.csv").read_bytes()
    bad = snapshot("DGS10")
    bad[bad.index[-1]] = "45.5"
    fake_fred.overrides["DGS10"] = bad

    report = fetch(settings, series=["DGS10"], strict=True).series[0]

    assert report.error == (
        f"DGS10: FRED's answer has 1 implausible value: {bad.index[-1]} value 45.5: not a yield "
        "between -5 and 30; --strict stops on it; nothing was cached"
    )
    assert (settings.cache_dir / "fred" / "DGS10.csv").read_bytes() == before


def test_an_impossible_close_fails_its_series_and_stays_out(settings, fake_download):
    yahoo = YahooClient(download=fake_download, retries=0)
    fake_download.script = ["negative"]

    report = fetch(settings, series=["^RUT"], yahoo=yahoo).series[0]

    assert report.error.startswith("^RUT: Yahoo's answer has 1 impossible row: ")
    assert ": not positive; validation.impossible: drop would skip such rows; nothing was" in (
        report.error
    )
    assert cached(settings, "^RUT", "market") is None


def test_an_unreachable_fred_fails_the_first_series_and_skips_the_rest(settings, monkeypatch):
    import fredapi

    monkeypatch.setenv("FRED_API_KEY", fakes_fred.TEST_KEY)
    monkeypatch.setattr(fredapi.Fred, "root_url", "http://127.0.0.1:9/fred")  # discard port

    report = fetch(settings, series=["DGS10", "DGS2", "DFF"])

    errors = [s.error for s in report.series]
    assert errors[0].startswith("DGS10: cannot reach FRED")
    assert errors[1:] == [
        "DGS2: skipped, FRED unreachable (see DGS10)",
        "DFF: skipped, FRED unreachable (see DGS10)",
    ]
    assert [s.skipped for s in report.series] == [False, True, True]


def test_load_market_data_overlays_the_cache_and_says_where_each_series_came_from(
    settings, fake_fred
):
    fetch(settings, series=["DGS10"])
    fake_fred.overrides["DGS10"] = pd.Series({"2026-11-20": "4.44"})
    fetch(settings, series=["DGS10"], since=date(2026, 11, 1))

    data = load_market_data(settings)

    assert data.origin["DGS10"] == "cache" and data.origin["DGS2"] == "snapshot"
    assert data["DGS10"].index[-1] == pd.Timestamp("2026-11-20")
    assert data["DGS10"].index[0] == snapshot_start("DGS10")  # history still from the snapshot


def test_load_market_data_skips_a_corrupt_cache_file_with_a_warning(settings, fake_fred, caplog):
    fake_fred.overrides["DGS10"] = pd.Series({"2026-11-20": "4.44"})
    fetch(settings, series=["DGS10"])
    (settings.cache_dir / "fred" / "DGS10.csv").write_text("date,value\n2026-12-31,1.0\n")

    with caplog.at_level(logging.WARNING):
        data = load_market_data(settings)

    assert data.origin["DGS10"] == "snapshot"
    assert data["DGS10"].index[-1] < pd.Timestamp("2026-11-20")
    assert "ignoring the cache for DGS10" in caplog.text


def snapshot_start(series_id: str) -> pd.Timestamp:
    values = snapshot(series_id)
    return pd.Timestamp(values[values != "."].index[0])


CONCURRENT = textwrap.dedent(
    """
    import sys
    import fredapi
    fredapi.Fred.root_url = sys.argv[1]
    from regime.config import load_settings
    from regime.sources.fetch import fetch
    report = fetch(load_settings(sys.argv[2]), series=sys.argv[3:], full=True)
    sys.exit(0 if report.ok else 1)
    """
)


def test_two_concurrent_fetches_leave_one_valid_cache(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path, history_start="2015-01-01")
    series = ["DGS10", "DGS2", "T10Y2Y", "ICSA", "UNRATE"]
    env = {**os.environ, "PYTHONPATH": str(fakes_fred.REPO), "FRED_API_KEY": fakes_fred.TEST_KEY}
    command = [sys.executable, "-c", CONCURRENT, fake_fred.url, str(config), *series]

    runs = [subprocess.Popen(command, env=env) for _ in range(2)]

    assert [run.wait(timeout=60) for run in runs] == [0, 0]
    settings = load_settings(config)
    manifest = json.loads((settings.cache_dir / "manifest.json").read_text())["files"]
    assert sorted(manifest) == sorted(f"fred/{s}.csv" for s in series)
    for rel, entry in manifest.items():
        blob = (settings.cache_dir / rel).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == entry["sha256"]
    assert list(settings.cache_dir.rglob("*.tmp")) == []
    assert cached(settings, "UNRATE").index[0] == pd.Timestamp("2015-01-01")


def test_regime_fred_url_points_the_fred_client_at_another_server(
    settings, fake_fred, monkeypatch, caplog
):
    import fredapi

    monkeypatch.setattr(fredapi.Fred, "root_url", "http://127.0.0.1:9/fred")  # never answered
    monkeypatch.setenv("REGIME_FRED_URL", fake_fred.url)

    report = fetch(settings, series=["DGS10"])

    assert report.ok, report.failed
    assert fake_fred.requests_for("DGS10")
    assert f"FRED requests go to {fake_fred.url} (REGIME_FRED_URL is set)" in caplog.messages


def test_regime_yahoo_download_replaces_yfinance_with_a_named_function(
    settings, tmp_path, monkeypatch, caplog
):
    (tmp_path / "fake_yahoo.py").write_text(
        "from tests.sources.fakes_fred import yfinance_frame\n"
        "def download(tickers, **kwargs):\n"
        "    return yfinance_frame(tickers, kwargs.get('start'))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("REGIME_YAHOO_DOWNLOAD", "fake_yahoo:download")

    report = fetch(settings, series=["^RUT"])

    assert report.ok, report.failed
    assert cached(settings, "^RUT", "market").index[0] >= pd.Timestamp("2026-01-01")
    assert any("REGIME_YAHOO_DOWNLOAD is set" in m for m in caplog.messages)


def test_a_regime_yahoo_download_that_cannot_be_loaded_is_a_config_error(settings, monkeypatch):
    from regime.errors import ConfigError

    monkeypatch.setenv("REGIME_YAHOO_DOWNLOAD", "no_such_module_here:download")

    with pytest.raises(ConfigError, match="REGIME_YAHOO_DOWNLOAD=no_such_module_here:download"):
        fetch(settings, series=["^RUT"])
