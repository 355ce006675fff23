"""How old a prediction and its inputs are, against today and against the week predicted.

Pure: the caller passes "today" (the CLI reads it from the clock, or from $REGIME_TODAY), so
the same inputs always give the same answer. A week or series is stale when it is *more* than
its allowance old; the allowances are `max_staleness_days` in config.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from regime.config import MaxStaleness

CADENCES = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Freshness:
    """The age of a predicted week, and which input series are stale.

    `stale_series` is measured against `today` (what a reader acting now should distrust);
    `stale_series_at_week` against the week predicted (what the features treated as missing).
    A series with no observation at all is stale in both. Both keep the order of `cadences`.
    """

    week: date
    today: date
    week_age_days: int
    week_limit_days: int
    week_is_stale: bool
    stale_series: tuple[str, ...]
    stale_series_at_week: tuple[str, ...]

    def warning(self) -> str | None:
        """One line for a person when the week is stale, else None."""
        if not self.week_is_stale:
            return None
        return (
            f"the week predicted ({self.week}) is {self.week_age_days} days old on {self.today}, "
            f"more than max_staleness_days.week ({self.week_limit_days}); "
            "run `regime fetch` for newer data"
        )


def freshness(
    week: date,
    last_observations: Mapping[str, date],
    cadences: Mapping[str, str],
    limits: MaxStaleness,
    today: date,
) -> Freshness:
    """Judge `week` and each series of `cadences` (id -> "daily"/"weekly"/"monthly").

    `last_observations` maps a series id to its last observation; ids missing from it count as
    stale. Raises ValueError for a cadence that is not one of CADENCES.
    """
    stale_now, stale_then = [], []
    for key, cadence in cadences.items():
        if cadence not in CADENCES:
            raise ValueError(f"{key}: unknown cadence {cadence!r}; expected one of {CADENCES}")
        allowed = getattr(limits, cadence)
        last = last_observations.get(key)
        if last is None or (today - last).days > allowed:
            stale_now.append(key)
        if last is None or (week - last).days > allowed:
            stale_then.append(key)
    age = (today - week).days
    return Freshness(
        week=week,
        today=today,
        week_age_days=age,
        week_limit_days=limits.week,
        week_is_stale=age > limits.week,
        stale_series=tuple(stale_now),
        stale_series_at_week=tuple(stale_then),
    )
