"""Freshness: how old the week predicted and each input series are, against today and against
the week itself. Dates are hand-picked; "today" is always an argument."""

from __future__ import annotations

from datetime import date

import pytest

from regime.config import MaxStaleness
from regime.freshness import freshness

LIMITS = MaxStaleness(daily=10, weekly=14, monthly=70, week=7)
WEEK = date(2026, 8, 21)
CADENCES = {"DGS10": "daily", "ICSA": "weekly", "UNRATE": "monthly", "^RUT": "daily"}
LAST = {
    "DGS10": date(2026, 8, 20),
    "ICSA": date(2026, 8, 20),
    "UNRATE": date(2026, 7, 1),
    "^RUT": date(2026, 8, 21),
}


def judge(today: date, last=LAST, cadences=CADENCES, limits=LIMITS):
    return freshness(WEEK, last, cadences, limits, today)


def test_the_week_is_stale_once_it_is_more_than_its_allowance_old():
    assert judge(date(2026, 8, 28)).week_is_stale is False  # exactly 7 days: allowed
    late = judge(date(2026, 8, 29))
    assert (late.week_age_days, late.week_is_stale) == (8, True)


def test_on_the_week_itself_nothing_is_stale():
    fresh = judge(WEEK)
    assert (fresh.week_age_days, fresh.stale_series, fresh.stale_series_at_week) == (0, (), ())
    assert fresh.warning() is None


def test_series_age_against_today_while_the_weeks_view_stays_as_it_was():
    later = judge(date(2026, 9, 1))  # daily series 12 and 11 days old, weekly 12, monthly 62

    assert later.stale_series == ("DGS10", "^RUT")
    assert later.stale_series_at_week == ()


def test_each_cadence_has_its_own_allowance():
    much_later = judge(date(2026, 9, 10))  # weekly 21 days old, monthly 71

    assert much_later.stale_series == ("DGS10", "ICSA", "UNRATE", "^RUT")


def test_a_series_without_any_observation_is_stale_in_both_views():
    missing = judge(WEEK, last={k: v for k, v in LAST.items() if k != "ICSA"})

    assert missing.stale_series == ("ICSA",)
    assert missing.stale_series_at_week == ("ICSA",)


def test_the_warning_names_the_week_its_age_and_the_setting():
    warning = judge(date(2026, 11, 30)).warning()

    assert warning == (
        "the week predicted (2026-08-21) is 101 days old on 2026-11-30, more than "
        "max_staleness_days.week (7); run `regime fetch` for newer data"
    )


def test_the_week_allowance_comes_from_the_limits():
    lenient = judge(date(2026, 11, 30), limits=LIMITS.model_copy(update={"week": 120}))

    assert (lenient.week_limit_days, lenient.week_is_stale) == (120, False)


def test_an_unknown_cadence_is_refused():
    with pytest.raises(ValueError, match="DGS10: unknown cadence 'hourly'"):
        judge(WEEK, cadences={"DGS10": "hourly"})
