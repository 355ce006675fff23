"""Time rules: the weekly grid, when each observation becomes public, and "as known on".

Every feature goes through `as_known_on`, so the one place that decides what a row dated d may
see is here: an observation enters a row only once its publication date is on or before d.
"""

from __future__ import annotations

from datetime import date

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
    twelfth = pd.to_datetime({"year": months.year, "month": months.month, "day": 12})
    to_saturday = pd.to_timedelta((5 - twelfth.dt.day_of_week) % 7, unit="D")
    release = twelfth + to_saturday + pd.Timedelta(days=6 + 14)
    new_year = (release.dt.month == 1) & (release.dt.day <= 2)
    release = release + pd.to_timedelta(np.where(new_year, 7, 0), unit="D")
    keys = pd.Series(months.strftime("%Y-%m"), index=release.index)
    exceptions = pd.to_datetime(keys.map(EMPLOYMENT_RELEASE_EXCEPTIONS))
    return pd.DatetimeIndex(exceptions.fillna(release))


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
