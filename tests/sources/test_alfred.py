"""First releases in slices ALFRED answers whole: the 2,000-vintage limit, FRED's row cap, and
the "." and NaT values fredapi hands back. Mechanics, so partly on a synthetic vintage history
(one new observation and one revision per vintage); the real 2020 vintages are in
test_vintages.py."""

from __future__ import annotations

import fredapi
import numpy as np
import pandas as pd
import pytest

from regime.errors import DataSourceError
from regime.sources import alfred
from regime.sources.fred import FredClient
from tests.sources import fakes_fred


def client(**overrides) -> FredClient:
    options: dict = {"retries": 0, "backoff": 0, "requests_per_second": 1000}
    return FredClient(fakes_fred.TEST_KEY, **{**options, **overrides})


def revised_daily_history(vintages: int) -> tuple[pd.DataFrame, pd.Series]:
    """ALFRED rows (realtime_start, date, value as text) and the first releases they imply.

    Vintage k (a business day) publishes the previous business day's value as k and revises
    the day before that to k + 0.5: each date's first release is its own k.
    """
    days = pd.bdate_range("2004-01-02", periods=vintages + 1)
    rows = []
    for k in range(1, vintages + 1):
        rows.append((days[k], days[k - 1], f"{k}"))
        if k > 1:
            rows.append((days[k], days[k - 2], f"{k - 1 + 0.5}"))
    frame = pd.DataFrame(rows, columns=["realtime_start", "date", "value"])
    for column in ("realtime_start", "date"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    first = pd.Series(np.arange(1.0, vintages + 1), index=pd.DatetimeIndex(days[:-1], name="date"))
    return frame.astype(str), first


def release_windows(fake: fakes_fred.FakeFred, series_id: str) -> list[tuple[str, str]]:
    asked = fake.requests_for(series_id)
    return [(r["realtime_start"], r["realtime_end"]) for r in asked if "realtime_start" in r]


def test_more_than_2000_vintages_are_asked_for_in_slices_of_at_most_2000(fake_fred):
    fake_fred.alfred["UNRATE"], expected = revised_daily_history(4500)

    got = client().first_release("UNRATE")

    pd.testing.assert_series_equal(got, expected, check_names=False, check_freq=False)
    windows = release_windows(fake_fred, "UNRATE")
    vintages = fake_fred.alfred["UNRATE"]["realtime_start"]
    per_window = [vintages[vintages.between(low, high)].nunique() for low, high in windows]
    assert per_window == [2000, 2000, 500]


def test_fredapis_own_first_release_is_refused_for_that_many_vintages(fake_fred, monkeypatch):
    # fredapi issue #48, and why the adapter slices: one request for every vintage.
    for name in ("HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    fake_fred.alfred["UNRATE"], _ = revised_daily_history(2001)

    with pytest.raises(ValueError, match="Too many vintage dates"):
        fredapi.Fred(api_key=fakes_fred.TEST_KEY).get_series_first_release("UNRATE")


def test_a_slice_whose_answer_reaches_the_row_cap_is_split_until_every_answer_is_below(fake_fred):
    whole = client().first_release("UNRATE")
    fake_fred.row_cap = 400  # the fixture's vintages hold 95 to 362 rows each, 1664 in all
    fake_fred.requests.clear()

    got = client(row_cap=400).first_release("UNRATE")

    pd.testing.assert_series_equal(got, whole)
    windows = release_windows(fake_fred, "UNRATE")
    assert windows[0] == ("2020-02-18", "2020-06-18")  # the whole history, cut at 400 rows
    assert windows[1:3] == [("2020-02-18", "2020-03-09"), ("2020-02-18", "2020-02-18")]
    vintages = fake_fred.vintages("UNRATE")["realtime_start"]
    leaves = [w for w in windows if vintages.between(*w).sum() < 400]
    covered = sorted(v for low, high in leaves for v in set(vintages[vintages.between(low, high)]))
    assert covered == sorted(set(vintages))  # every vintage in exactly one whole answer


def test_a_single_vintage_that_reaches_the_row_cap_is_an_error_naming_it(fake_fred):
    fake_fred.row_cap = 300

    with pytest.raises(DataSourceError) as failed:
        client(row_cap=300).first_release("UNRATE")

    assert str(failed.value).startswith(
        "UNRATE: ALFRED's answer for the vintage of 2020-02-18 reached FRED's cap of 300 rows"
    )


def test_a_vintage_list_at_freds_cap_is_an_error_not_a_silently_short_history(fake_fred):
    with pytest.raises(DataSourceError, match="ALFRED listed 7 vintage dates, its most per answer"):
        client(vintage_date_cap=7).first_release("UNRATE")


def test_missing_values_and_undated_rows_are_dropped_before_the_first_release_is_taken(
    fake_fred,
):
    fake_fred.alfred["UNRATE"] = pd.DataFrame(
        [
            ("2020-01-10", "2019-12-01", "3.6"),
            ("2020-01-10", "2020-01-01", "."),  # FRED's "no value yet": fredapi's NaN
            ("2020-02-07", "2020-01-01", "3.5"),
            ("2020-02-07", "", "9.9"),  # no date: fredapi's NaT
        ],
        columns=["realtime_start", "date", "value"],
    )

    got = client().first_release("UNRATE")

    assert got.to_dict() == {pd.Timestamp("2019-12-01"): 3.6, pd.Timestamp("2020-01-01"): 3.5}


def test_first_values_drop_rows_without_a_realtime_start():
    frame = pd.DataFrame(
        {
            "realtime_start": [pd.NaT, None, pd.Timestamp("2020-03-06")],
            "date": [pd.Timestamp("2020-02-01")] * 3,
            "value": [1.0, 2.0, 3.0],
        },
        dtype=object,
    )

    got = alfred.first_values([frame, pd.DataFrame()], "UNRATE")

    assert got.to_dict() == {pd.Timestamp("2020-02-01"): 3.0}


def test_vintage_days_are_sorted_distinct_and_without_missing_ones():
    raw = [pd.Timestamp("2020-03-06"), None, pd.NaT, pd.Timestamp("2020-02-07")] * 2

    assert alfred.vintage_days(raw) == [pd.Timestamp("2020-02-07"), pd.Timestamp("2020-03-06")]
