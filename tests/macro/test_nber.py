"""The recession truth is NBER's, and a month's label is known only once the NBER could have
announced it: the embargo that keeps the nowcast's training point in time."""

from __future__ import annotations

import pandas as pd
import pytest

from regime.macro.nber import ANNOUNCEMENTS, NberMonths


@pytest.fixture(scope="module")
def nber(embedded_data, project_settings) -> NberMonths:
    return NberMonths.build(embedded_data["USREC"], project_settings.recession)


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def test_the_embedded_indicator_gives_the_nber_recessions_since_1969(nber):
    since_1969 = [r.name for r in nber.recessions if r.peak.year >= 1969]
    assert since_1969 == [
        "1969-12 to 1970-11",
        "1973-11 to 1975-03",
        "1980-01 to 1980-07",
        "1981-07 to 1982-11",
        "1990-07 to 1991-03",
        "2001-03 to 2001-11",
        "2007-12 to 2009-06",
        "2020-02 to 2020-04",
    ]


def test_every_turning_point_since_1980_has_its_announcement_in_the_table(nber):
    points = [m for r in nber.recessions for m in (r.peak, r.trough) if r.peak.year >= 1980]
    assert sorted(f"{m:%Y-%m}" for m in points) == sorted(ANNOUNCEMENTS)
    for month in points:  # and no announcement comes before its turning point
        assert pd.Timestamp(ANNOUNCEMENTS[f"{month:%Y-%m}"]) > month


def test_a_recession_month_is_known_only_from_the_announcement_of_its_trough(nber):
    # October 2008 was a recession month; the June 2009 trough was announced on 2010-09-20.
    assert day("2008-10-01") not in nber.known_on(day("2010-09-19")).index
    assert nber.known_on(day("2010-09-20")).loc["2008-10-01"] == 1.0
    # The peak's announcement (2008-12-01) is not enough: the trough could still have come
    # before any later month.
    assert day("2008-01-01") not in nber.known_on(day("2009-06-26")).index


def test_an_expansion_month_is_known_at_the_next_peaks_announcement_or_after_the_embargo(nber):
    # June 2007 came before the December 2007 peak, announced on 2008-12-01 (18 months after
    # June 2007 would be later).
    assert day("2007-06-01") not in nber.known_on(day("2008-11-28")).index
    assert nber.known_on(day("2008-12-01")).loc["2007-06-01"] == 0.0
    # January 2005: no peak announced for years, so the 18-month embargo decides (July 2006).
    assert day("2005-01-01") not in nber.known_on(day("2006-07-30")).index
    assert day("2005-01-01") in nber.known_on(day("2006-07-31")).index


def test_the_months_after_a_trough_wait_for_its_announcement(nber):
    # December 2001 followed the November 2001 trough, announced on 2003-07-17: the 18 months
    # alone would have ended on 2003-06-30.
    assert day("2001-12-01") not in nber.known_on(day("2003-07-16")).index
    assert day("2001-12-01") in nber.known_on(day("2003-07-17")).index


def test_months_before_the_first_announcement_wait_the_early_embargo(nber, project_settings):
    assert project_settings.recession.early_embargo_months == 24
    # June 1974, inside the 1973-75 recession (trough March 1975): known from March 1977's end.
    assert day("1974-06-01") not in nber.known_on(day("1977-03-30")).index
    assert nber.known_on(day("1977-03-31")).loc["1974-06-01"] == 1.0


def test_a_recession_still_open_at_the_indicators_end_teaches_nothing(
    embedded_data, project_settings
):
    indicator = embedded_data["USREC"]
    months = pd.date_range(indicator.index[-1] + pd.DateOffset(months=1), periods=6, freq="MS")
    opened = pd.concat([indicator, pd.Series(1.0, index=months)])
    nber = NberMonths.build(opened, project_settings.recession)
    assert nber.known_from.loc[months].isna().all()
    assert len(nber.recessions) == len(
        NberMonths.build(indicator, project_settings.recession).recessions
    )


@pytest.mark.parametrize(
    "on", ["1979-06-29", "1991-01-04", "2001-10-05", "2008-10-10", "2020-05-01"]
)
def test_what_is_known_on_a_day_never_changes_later_and_only_grows(nber, on):
    known = nber.known_on(day(on))
    later = nber.known_on(day(on) + pd.DateOffset(years=3))
    assert known.index.isin(later.index).all()
    pd.testing.assert_series_equal(known, later.loc[known.index])
    assert (known.index <= day(on)).all()


def test_known_weeks_lie_on_or_before_the_day_and_carry_their_months_label(nber):
    weeks = pd.date_range("2006-01-06", "2012-12-28", freq="W-FRI")
    known = nber.known_weeks(weeks, day("2011-06-24"))
    assert known.index.max() <= day("2011-06-24")
    assert known.loc["2008-10-10"] == 1
    # An expansion month 18 months back is known; one 12 months back is not yet.
    assert known.loc["2009-11-06"] == 0
    assert day("2010-06-04") not in known.index
