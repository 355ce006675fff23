"""The recession nowcast's truth: NBER recession months, each known only once the NBER could
have announced it.

FRED's USREC is 1 in the months from the one after a business-cycle peak through the trough.
Those dates are set with hindsight: the NBER's Business Cycle Dating Committee announces a peak
4 to 12 months after it, and a trough 15 to 21 months after it. So a refit on date d may learn
from a month only once that month's label was settled by d:

- a recession month, once the trough that ends its recession was announced;
- an expansion month, once the trough before it was announced, and either the next peak was
  announced or `expansion_embargo_months` have passed since the month (no peak since 1980 was
  announced more than 12 months after it);
- a turning point the announcement table does not hold (those before the committee's first
  announcement in June 1980, or one newer than the table) counts as announced
  `early_embargo_months` after its month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from regime.config import RecessionSettings

# The committee's announcements since it first dated a turning point in real time, from
# https://www.nber.org/research/business-cycle-dating/business-cycle-dating-committee-announcements
# (turning-point month: announcement day). A new announcement belongs here; until it is added,
# its turning point waits `early_embargo_months`, which errs late, never early.
ANNOUNCEMENTS: dict[str, str] = {
    "1980-01": "1980-06-03",  # peak
    "1980-07": "1981-07-08",  # trough
    "1981-07": "1982-01-06",  # peak
    "1982-11": "1983-07-08",  # trough
    "1990-07": "1991-04-25",  # peak
    "1991-03": "1992-12-22",  # trough
    "2001-03": "2001-11-26",  # peak
    "2001-11": "2003-07-17",  # trough
    "2007-12": "2008-12-01",  # peak
    "2009-06": "2010-09-20",  # trough
    "2020-02": "2020-06-08",  # peak
    "2020-04": "2021-07-19",  # trough
}


@dataclass(frozen=True)
class Recession:
    """One NBER recession: the peak month before it and its trough month (the last one in it)."""

    peak: pd.Timestamp
    trough: pd.Timestamp

    @property
    def name(self) -> str:
        return f"{self.peak:%Y-%m} to {self.trough:%Y-%m}"


@dataclass(frozen=True)
class NberMonths:
    """The monthly truth and the day each month's label became known."""

    recession: pd.Series  # month start -> 1.0 recession month, 0.0 expansion month
    known_from: pd.Series  # month start -> first day its label counts as known (NaT: never yet)
    recessions: tuple[Recession, ...]

    @classmethod
    def build(cls, indicator: pd.Series, settings: RecessionSettings) -> NberMonths:
        """From USREC's monthly observations (dated the 1st of each month, no gaps)."""
        months = pd.DatetimeIndex(indicator.index).to_period("M").to_timestamp()
        flags = (indicator.to_numpy(dtype=float) > 0.5).astype(float)
        recession = pd.Series(flags, index=months, name="recession")
        recessions = tuple(_recessions(recession))
        known_from = _known_from(recession, recessions, settings)
        return cls(recession, known_from, recessions)

    def known_on(self, day: pd.Timestamp) -> pd.Series:
        """The months whose label was settled by `day`, with their labels."""
        settled = self.known_from.notna() & (self.known_from <= pd.Timestamp(day))
        return self.recession.loc[settled.to_numpy()]

    def weekly(self, weeks: pd.DatetimeIndex) -> pd.Series:
        """Each week's truth: its Friday's month's label (NaN after the indicator's last month)."""
        months = weeks.to_period("M").to_timestamp()
        return pd.Series(self.recession.reindex(months).to_numpy(), index=weeks, name="recession")

    def known_weeks(self, weeks: pd.DatetimeIndex, day: pd.Timestamp) -> pd.Series:
        """The weeks up to `day` whose month's label was settled by `day`, with their labels."""
        day = pd.Timestamp(day)
        months = weeks.to_period("M").to_timestamp()
        known = self.known_from.reindex(months).to_numpy()
        ok = (weeks <= day) & ~pd.isna(known)
        ok[ok] = pd.DatetimeIndex(known[ok]) <= day
        return self.weekly(weeks[ok]).astype(int)


def _recessions(recession: pd.Series) -> list[Recession]:
    """Every completed recession in the series: a run of 1s with a 0 before and after it."""
    flags = recession.to_numpy()
    months = recession.index
    out = []
    for i in range(1, len(flags)):
        if flags[i] == 1 and flags[i - 1] == 0:
            end = i
            while end + 1 < len(flags) and flags[end + 1] == 1:
                end += 1
            if end + 1 < len(flags):  # still open at the indicator's end: no trough yet
                out.append(Recession(months[i - 1], months[end]))
    return out


def announced(month: pd.Timestamp, settings: RecessionSettings) -> pd.Timestamp:
    """When the turning point of `month` was announced (or counts as announced)."""
    key = f"{month:%Y-%m}"
    if key in ANNOUNCEMENTS:
        return pd.Timestamp(ANNOUNCEMENTS[key])
    return _month_end(month + pd.DateOffset(months=settings.early_embargo_months))


def _month_end(month: pd.Timestamp) -> pd.Timestamp:
    return month + pd.offsets.MonthEnd(0)


def _known_from(
    recession: pd.Series, recessions: tuple[Recession, ...], settings: RecessionSettings
) -> pd.Series:
    months = recession.index
    flags = recession.to_numpy()
    known = pd.Series(pd.NaT, index=months, dtype="datetime64[ns]")
    embargo = pd.DateOffset(months=settings.expansion_embargo_months)
    # Each expansion runs from the start (or a trough) to the next peak (or the data's end).
    for before, after in zip([None, *recessions], [*recessions, None], strict=True):
        first = months[0] if before is None else before.trough + pd.DateOffset(months=1)
        last = months[-1] if after is None else after.peak
        span = np.flatnonzero((months >= first) & (months <= last) & (flags == 0))
        trough_known = None if before is None else announced(before.trough, settings)
        peak_known = None if after is None else announced(after.peak, settings)
        for i in span:
            day = _month_end(months[i] + embargo)
            if peak_known is not None:
                day = min(day, peak_known)
            if trough_known is not None:
                day = max(day, trough_known)
            known.iloc[i] = day
    for r in recessions:
        inside = np.flatnonzero((months > r.peak) & (months <= r.trough))
        known.iloc[inside] = announced(r.trough, settings)
    # A recession still open at the indicator's end keeps NaT: its months are not known yet.
    return known
