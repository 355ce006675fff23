"""Which week a prediction answers: the latest week both indices have, or the week of --as-of.

A week needs the small- and the large-cap close: when one index is longer (a fetch that got one
and not the other), the week is the other's, and a warning names both ends. The macro series
never hold the week back: they keep their publication lags and staleness allowances.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pandas as pd

from regime.config import Settings
from regime.errors import StaleDataError, UsageError
from regime.features.publication import latest_week, week_ending
from regime.sources.market_data import MarketData

log = logging.getLogger("regime.model.predict")


def index_ends(data: MarketData, settings: Settings) -> dict[str, pd.Timestamp]:
    """The last close of the small and the large cap, in that order."""
    indices = settings.indices
    return {key: data[key].index[-1] for key in (indices.small_cap, indices.large_cap)}


def answered_week(
    data: MarketData, settings: Settings, as_of: date | None, earliest: pd.Timestamp
) -> pd.Timestamp:
    """The latest week both indices have (`as_of` None), or the latest complete week on or
    before `as_of`; `earliest` is the first week the model answers.

    UsageError for an `as_of` before `earliest` (there never will be an answer); StaleDataError
    for a week after an index's last close (a fetch may bring it), naming that index, and when
    an index ends before `earliest`.
    """
    ends = index_ends(data, settings)
    shorter = min(ends, key=ends.__getitem__)
    last = ends[shorter]
    if as_of is None:
        week = latest_week(last)
        if week < earliest:
            raise StaleDataError(
                f"{shorter} ends on {last.date()}, before the earliest week this model can "
                f"answer ({earliest.date()}); restore its file or run `regime fetch`"
            )
        _note_held_back(ends, week)
        return week
    day = date(as_of.year, as_of.month, as_of.day)  # any date, even one pandas cannot hold
    if day < earliest.date():
        first = data[settings.indices.small_cap].index[0]
        raise UsageError(
            f"no answer for --as-of {day}: the earliest week this model can answer is "
            f"{earliest.date()} (the data starts on {first.date()}, features need a year of "
            "it, and the walk-forward's first model answers from that week); pick a later date"
        )
    beyond = (last + pd.Timedelta(days=6)).date()
    week = week_ending(min(day, beyond + timedelta(days=7)))
    if week.date() > beyond:
        friday = day - timedelta(days=(day.weekday() - 4) % 7)
        raise StaleDataError(_no_closes(data, ends, friday))
    return week


def _note_held_back(ends: dict[str, pd.Timestamp], week: pd.Timestamp) -> None:
    """Warn when one index has a later week than the one predicted: the other holds it back."""
    longer = max(ends, key=ends.__getitem__)
    if latest_week(ends[longer]) == week:
        return
    shorter = min(ends, key=ends.__getitem__)
    log.warning(
        "%s ends on %s, %s on %s: the week predicted is %s, the last both indices have; "
        "run `regime fetch` for newer data",
        shorter,
        ends[shorter].date(),
        longer,
        ends[longer].date(),
        week.date(),
    )


def _no_closes(data: MarketData, ends: dict[str, pd.Timestamp], friday: date) -> str:
    """Why the week of `friday` has no answer: no index closes, or not the shorter index's."""
    shorter = min(ends, key=ends.__getitem__)
    if len(set(ends.values())) == 1:
        shorter = next(iter(ends))  # both end together: the data's span is the small cap's
        what, span = "index closes", "the data covers"
    else:
        what, span = f"{shorter} close", f"{shorter} covers"
    first, last = data[shorter].index[0].date(), ends[shorter].date()
    return (
        f"no {what} for the week of {friday}; {span} {first} to {last} "
        "(run `regime fetch` for newer data)"
    )
