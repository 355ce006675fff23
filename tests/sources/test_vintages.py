"""First releases from ALFRED (real 2020 vintages of UNRATE and PAYEMS), cached and used."""

from __future__ import annotations

import pandas as pd
import pytest

from regime.config import load_settings
from regime.sources import load_market_data
from regime.sources.fetch import fetch
from regime.sources.fred import FredClient
from tests.sources import fakes_fred


def first_release_in_fixture(series_id: str) -> pd.Series:
    rows = pd.read_csv(
        fakes_fred.FIXTURES / "alfred" / f"{series_id}_vintages_2020.csv",
        parse_dates=["realtime_start", "date"],
    )
    first = rows.sort_values(["date", "realtime_start"]).groupby("date").head(1)
    return pd.Series(first["value"].to_numpy(), index=pd.DatetimeIndex(first["date"]))


def client(**overrides) -> FredClient:
    return FredClient(
        fakes_fred.TEST_KEY, retries=1, backoff=0, requests_per_second=100, **overrides
    )


@pytest.mark.parametrize("series_id", ["UNRATE", "PAYEMS"])
def test_first_release_is_each_observation_as_first_published(fake_fred, series_id):
    got = client().first_release(series_id)

    expected = first_release_in_fixture(series_id)
    pd.testing.assert_series_equal(got, expected, check_names=False, check_freq=False)
    # April 2020 unemployment was first published as 14.7, later revised to 14.8.
    if series_id == "UNRATE":
        assert got[pd.Timestamp("2020-04-01")] == 14.7


def test_requests_are_split_to_respect_alfreds_vintage_limit(fake_fred):
    got = client(max_vintages_per_request=3).first_release("UNRATE")

    windows = [
        (r["realtime_start"], r["realtime_end"])
        for r in fake_fred.requests_for("UNRATE")
        if "realtime_start" in r
    ]
    assert windows == [
        ("2020-02-18", "2020-03-09"),
        ("2020-04-07", "2020-04-29"),
        ("2020-06-18", "2020-06-18"),
    ]
    pd.testing.assert_series_equal(
        got, first_release_in_fixture("UNRATE"), check_names=False, check_freq=False
    )


def test_only_the_configured_revised_monthly_series_are_asked_for(settings, fake_fred):
    fetch(settings, series=["DGS10"], vintages=True)

    vintage_requests = {r["series_id"] for r in fake_fred.requests if "realtime_start" in r}
    assert vintage_requests == {"UNRATE", "PAYEMS"}


def test_with_first_release_configured_the_features_see_first_releases(tmp_path, fake_fred):
    latest = load_settings(fakes_fred.write_config(tmp_path))
    report = fetch(latest, series=["DGS10"], vintages=True)
    assert report.ok, report.failed
    first = load_settings(fakes_fred.write_config(tmp_path, vintages="first_release"))

    as_latest = load_market_data(latest)["UNRATE"]
    as_first = load_market_data(first)["UNRATE"]

    april = pd.Timestamp("2020-04-01")
    assert as_first[april] == 14.7  # as first published
    assert as_latest[april] == 14.8  # the snapshot holds the revised value
    assert as_first.index.equals(as_latest.index)  # months ALFRED did not cover keep latest
