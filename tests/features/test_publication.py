"""Publication rules: a row sees an observation only once it was public."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import Publication
from regime.features.publication import (
    as_known_on,
    employment_report_date,
    employment_report_dates,
    exchange_holidays,
    fridays,
    latest_week,
    publication_dates,
    week_ending,
)


@pytest.mark.parametrize(
    "month, released",
    [
        ("2020-08-01", "2020-09-04"),  # the usual first Friday
        ("2015-04-01", "2015-05-08"),  # 1 May was too early: the reference week ended on the 18th
        ("2024-10-01", "2024-11-01"),
        ("2020-12-01", "2021-01-08"),  # New Year's Day moves the release a week
        ("2014-12-01", "2015-01-09"),
        ("2025-09-01", "2025-11-20"),  # the 2025 shutdown
        ("2013-09-01", "2013-10-22"),  # the 2013 shutdown
    ],
)
def test_the_employment_report_date_follows_the_bls_calendar(month, released):
    assert employment_report_date(pd.Timestamp(month)) == pd.Timestamp(released)


def test_a_daily_series_is_known_after_its_lag():
    observed = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"])
    published = publication_dates(observed, Publication(rule="days_after", lag_days=1))
    assert list(published.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03", "2024-01-04"]


def test_a_row_sees_only_what_was_published_by_its_date():
    values = pd.Series(
        [1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2024-01-01", "2024-01-08", "2024-01-15"])
    )
    published = values.index + pd.Timedelta(days=5)
    rows = pd.DatetimeIndex(["2024-01-05", "2024-01-06", "2024-01-12", "2024-01-13"])
    known = as_known_on(values, published, rows, max_age_days=30)
    assert np.isnan(known.iloc[0])  # nothing public yet on the 5th
    assert known.tolist()[1:] == [1.0, 1.0, 2.0]


def test_a_value_older_than_its_allowance_is_missing_not_carried_forward():
    values = pd.Series([1.0], index=pd.DatetimeIndex(["2024-01-01"]))
    rows = pd.DatetimeIndex(["2024-01-05", "2024-03-01"])
    known = as_known_on(values, values.index, rows, max_age_days=10)
    assert known.iloc[0] == 1.0 and np.isnan(known.iloc[1])


def test_monthly_unemployment_enters_rows_on_the_release_friday():
    observed = pd.DatetimeIndex(["2020-02-01", "2020-03-01"])
    values = pd.Series([3.5, 4.4], index=observed)
    published = publication_dates(observed, Publication(rule="employment_report", lag_days=0))
    rows = fridays("2020-03-27", "2020-04-10")
    known = as_known_on(values, published, rows, max_age_days=100)
    # March's rate came out on Friday 3 April 2020.
    assert known.tolist() == [3.5, 4.4, 4.4]


def test_week_ending_is_the_friday_on_or_before_a_date():
    assert week_ending(pd.Timestamp("2020-03-20")) == pd.Timestamp("2020-03-20")
    assert week_ending(pd.Timestamp("2020-03-24")) == pd.Timestamp("2020-03-20")
    assert week_ending(pd.Timestamp("2020-03-19")) == pd.Timestamp("2020-03-13")


def test_the_release_dates_of_every_month_at_once_follow_the_same_rule():
    months = pd.date_range("1940-01-01", "2035-12-01", freq="MS")
    expected = pd.DatetimeIndex([employment_report_date(m) for m in months])
    assert employment_report_dates(months).equals(expected)


def test_fridays_are_every_friday_between_two_dates():
    weeks = fridays("2024-02-27", "2024-03-29")
    assert [d.date().isoformat() for d in weeks] == [
        "2024-03-01",
        "2024-03-08",
        "2024-03-15",
        "2024-03-22",
        "2024-03-29",
    ]
    assert weeks.equals(pd.date_range("2024-02-27", "2024-03-29", freq="W-FRI"))
    assert len(fridays("2024-03-30", "2024-04-04")) == 0


def test_exchange_holidays_are_the_weekdays_without_a_close_in_the_real_history(embedded_data):
    # Yahoo's ^RUT, from its first day: the rules are the exchange's since 1987.
    closes = embedded_data["^RUT"].loc["1987-09-10":].index
    weekdays = pd.bdate_range(closes[0], closes[-1])
    without_close = {day.date() for day in weekdays.difference(closes)}
    holidays = {
        day
        for year in range(closes[0].year, closes[-1].year + 1)
        for day in exchange_holidays(year)
        if closes[0].date() <= day <= closes[-1].date()
    }
    assert without_close == holidays
    assert pd.Timestamp("2026-04-03").date() in holidays  # Good Friday
    assert pd.Timestamp("2026-07-03").date() in holidays  # 4 July on a Saturday


@pytest.mark.parametrize(
    "last_close, week",
    [
        ("2026-08-21", "2026-08-21"),  # a Friday close ends its week
        ("2026-08-20", "2026-08-14"),  # a Thursday close: Friday's is still to come
        ("2026-04-02", "2026-04-03"),  # the Thursday before Good Friday ends the week
        ("2026-07-02", "2026-07-03"),  # 4 July on a Saturday: closed on Friday the 3rd
        ("2001-09-10", "2001-09-14"),  # closed from the 11th to the 14th
        ("2026-11-25", "2026-11-20"),  # Thanksgiving: the exchange opens on the Friday after
    ],
)
def test_the_latest_week_ends_on_thursday_when_the_friday_is_a_holiday(last_close, week):
    # Found by the soak (benchmarks/soak.py): with the last close on the Thursday before Good
    # Friday, `regime run` predicted the week before, so Good Friday weeks were never recorded.
    assert latest_week(pd.Timestamp(last_close)) == pd.Timestamp(week)
