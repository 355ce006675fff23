"""Time rules: the weekly grid, when each observation becomes public, and "as known on".

Every feature goes through `as_known_on`, so the one place that decides what a row dated d may
see is here: an observation enters a row only once its publication date is on or before d.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from regime.config import Publication

WEEK_END = "W-FRI"

# BLS Employment Situation releases that did not follow the usual calendar (shutdowns and a
# holiday-week exception), keyed by reference month. Using the usual date for these would let a
# row see the jobs report up to seven weeks before it was public.
EMPLOYMENT_RELEASE_EXCEPTIONS: dict[str, str] = {
    "2013-09": "2013-10-22",  # October 2013 shutdown
    "2013-10": "2013-11-08",
    "2025-09": "2025-11-20",  # October-November 2025 shutdown
    "2025-10": "2025-12-16",  # October payrolls came out with November's report
    "2025-11": "2025-12-16",
    "2026-01": "2026-02-11",  # delayed by the early-February 2026 funding lapse
}


# Days the New York Stock Exchange closed outside its holiday rules (storms, national mourning,
# September 2001), since the small-cap history starts in 1987.
UNSCHEDULED_CLOSINGS = frozenset(
    date.fromisoformat(day)
    for day in (
        "1994-04-27",
        "2001-09-11",
        "2001-09-12",
        "2001-09-13",
        "2001-09-14",
        "2004-06-11",
        "2007-01-02",
        "2012-10-29",
        "2012-10-30",
        "2018-12-05",
        "2025-01-09",
    )
)


def fridays(start: date | pd.Timestamp, end: date | pd.Timestamp) -> pd.DatetimeIndex:
    """Every Friday from the first on or after `start` to the last on or before `end`."""
    first = pd.Timestamp(start).normalize()
    first += pd.Timedelta(days=(4 - first.weekday()) % 7)
    last = pd.Timestamp(end)
    if first > last:
        return pd.DatetimeIndex([], freq=WEEK_END)
    count = (last - first).days // 7 + 1
    # Built as arithmetic, not by pd.date_range's calendar walk: the same dates, much sooner.
    days = first.to_datetime64() + np.arange(count) * np.timedelta64(7, "D")
    return pd.DatetimeIndex(days, freq=WEEK_END)


def week_ending(day: date | pd.Timestamp) -> pd.Timestamp:
    """The Friday that closes the latest complete week on or before `day`."""
    ts = pd.Timestamp(day).normalize()
    return ts - pd.Timedelta(days=(ts.weekday() - 4) % 7)


def latest_week(last_close: date | pd.Timestamp) -> pd.Timestamp:
    """The Friday of the latest complete week, given the date of the last close.

    A week is complete with its Friday's close, or with an earlier close when the exchange is
    closed every weekday from then to the Friday (Good Friday; a holiday observed on a Friday):
    such a week ends on Thursday, and waiting for its Friday would skip it for good.
    """
    last = pd.Timestamp(last_close).normalize()
    friday = last + pd.Timedelta(days=(4 - last.weekday()) % 7)
    after = pd.date_range(last + pd.Timedelta(days=1), friday, freq="D")
    if all(day.date() in exchange_holidays(day.year) for day in after):
        return friday
    return week_ending(last)


def exchange_holidays(year: int) -> frozenset[date]:
    """Weekdays of `year` on which the New York Stock Exchange is closed all day.

    Its rules since 1987: New Year's Day (not made up when on a Saturday), Martin Luther King Jr.
    Day (from 1998), Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from 2022),
    Independence Day, Labor Day, Thanksgiving and Christmas, each moved to the Friday before or
    the Monday after when it falls on a weekend; plus `UNSCHEDULED_CLOSINGS`.
    """
    days = {
        _observed(date(year, 1, 1), saturday=False),
        _nth_weekday(year, 2, 0, 3),
        _easter(year) - timedelta(days=2),
        _nth_weekday(year, 5, 0, -1),
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 11, 3, 4),
        _observed(date(year, 12, 25)),
    }
    if year >= 1998:
        days.add(_nth_weekday(year, 1, 0, 3))
    if year >= 2022:
        days.add(_observed(date(year, 6, 19)))
    days |= {day for day in UNSCHEDULED_CLOSINGS if day.year == year}
    return frozenset(day for day in days if day is not None)


def _observed(day: date, *, saturday: bool = True) -> date | None:
    """Where a holiday on a weekend is observed: Saturday's on Friday, Sunday's on Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1) if saturday else None
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday 0) of the month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7, weeks=n - 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    h = (19 * a + b - b // 4 - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    weekday = (32 + 2 * (b % 4) + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def employment_report_date(month: pd.Timestamp) -> pd.Timestamp:
    """When BLS publishes the Employment Situation for reference `month`.

    The rule: the third Friday after the week (Sunday to Saturday) that contains the 12th; a
    date that falls on 1 or 2 January moves a week later (the New Year holiday). Known
    exceptions (shutdowns) come from `EMPLOYMENT_RELEASE_EXCEPTIONS`.
    """
    key = f"{month.year:04d}-{month.month:02d}"
    if key in EMPLOYMENT_RELEASE_EXCEPTIONS:
        return pd.Timestamp(EMPLOYMENT_RELEASE_EXCEPTIONS[key])
    twelfth = pd.Timestamp(year=month.year, month=month.month, day=12)
    saturday = twelfth + pd.Timedelta(days=(5 - twelfth.weekday()) % 7)
    release = saturday + pd.Timedelta(days=6 + 14)  # the third Friday after that Saturday
    if release.month == 1 and release.day <= 2:
        release += pd.Timedelta(days=7)
    return release


def publication_dates(observed: pd.DatetimeIndex, rule: Publication) -> pd.DatetimeIndex:
    """The date each observation became public under `rule`."""
    lag = pd.Timedelta(days=rule.lag_days)
    if rule.rule == "days_after":
        return observed + lag
    return employment_report_dates(observed) + lag


def employment_report_dates(months: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """`employment_report_date` of every month in `months`, computed all at once."""
    if len(months) == 0:
        return pd.DatetimeIndex([])
    month = months.to_numpy().astype("datetime64[M]")
    twelfth = month.astype("datetime64[D]") + np.timedelta64(11, "D")
    # 1970-01-01 was a Thursday: day numbers modulo 7 give the weekday (Monday = 0).
    weekday = (twelfth.astype("int64") + 3) % 7
    release = twelfth + ((5 - weekday) % 7 + 6 + 14).astype("timedelta64[D]")
    new_year = (release.astype("datetime64[M]") == release.astype("datetime64[Y]")) & (
        (release - release.astype("datetime64[M]").astype("datetime64[D]")).astype(int) <= 1
    )
    release = release + np.where(new_year, 7, 0).astype("timedelta64[D]")
    keys = np.datetime_as_string(month, unit="M")
    for key, day in EMPLOYMENT_RELEASE_EXCEPTIONS.items():
        release[keys == key] = np.datetime64(day, "D")
    return pd.DatetimeIndex(release.astype("datetime64[ns]"))  # pandas 2 would keep [s]


def as_known_on(
    values: pd.Series,
    published: pd.DatetimeIndex,
    rows: pd.DatetimeIndex,
    max_age_days: int,
) -> pd.Series:
    """For each row date d, the latest value published on or before d.

    Rows before the first publication, or whose latest value was observed more than
    `max_age_days` before d, get NaN: a value that old is no longer "as of d", and carrying it
    forward silently would hide a dead feed.
    """
    if len(values) == 0:
        return pd.Series(np.nan, index=rows, name=values.name)
    order = np.argsort(published.to_numpy(), kind="stable")
    pub = published.to_numpy(dtype="datetime64[ns]")[order]
    obs = values.index.to_numpy(dtype="datetime64[ns]")[order]
    vals = values.to_numpy(dtype=float)[order]
    # A later observation published earlier than an older one is not possible for the rules
    # here, but a revision pass could reorder; take the latest observation among those public.
    obs_running = np.maximum.accumulate(obs.astype("int64"))
    row_dates = rows.to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(pub, row_dates, side="right") - 1
    out = np.full(len(rows), np.nan)
    ok = pos >= 0
    idx = pos[ok]
    out[ok] = vals[idx]
    observed_at = np.full(len(rows), np.iinfo("int64").min)
    observed_at[ok] = obs_running[idx]
    too_old = ok & (row_dates.astype("int64") - observed_at > pd.Timedelta(days=max_age_days).value)
    out[too_old] = np.nan
    return pd.Series(out, index=rows, name=values.name)


def weekly_closes(daily_closes: pd.Series, rows: pd.DatetimeIndex) -> pd.Series:
    """The last close on or before each row date (Thursday's close in a Good Friday week)."""
    return as_known_on(daily_closes, daily_closes.index, rows, max_age_days=7)
