"""The macro backdrop's typed results: a figure, a family's reading, a week's backdrop.

Each has `to_dict()` in plain JSON types; the JSON keeps machine names (the indicator's column),
and the label and unit come from the one registry (indicators.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from regime.macro.indicators import words_for

CHANGE_WEEKS = 13  # the reading's change and direction are over this many weeks
CALM, WATCH, STRESS = "calm", "watch", "stress"
STALE = "stale"  # no value on the week; an earlier week had one
UNAVAILABLE = "unavailable"  # no value on or before the week: the history starts later
STEADY, RISING, FALLING = "steady", "rising", "falling"


@dataclass(frozen=True)
class Figure:
    """An indicator on a week: its value as known then, ranked in its history up to then."""

    indicator: str
    value: float | None
    percentile: float | None  # 0-100: the average rank among the history's weeks
    since: int | None  # the year of the history's first value
    highest: bool  # no earlier week was higher
    lowest: bool
    last_observed: date | None  # the last week on or before this one with a value

    @property
    def label(self) -> str:
        return words_for(self.indicator).label

    @property
    def unit(self) -> str:
        return words_for(self.indicator).unit

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "label": self.label,
            "unit": self.unit,
            "value": _rounded(self.value, 4),
            "percentile": _rounded(self.percentile, 1),
            "since": self.since,
            "last_observed": _iso(self.last_observed),
        }


@dataclass(frozen=True)
class FamilyReading:
    """One family's reading on a week; `secondary` is shown beside it without a state."""

    family: str
    figure: Figure
    change_13w: float | None  # None when the week or the one 13 weeks before has no value
    direction: str | None  # rising / falling / steady, None without a change
    state: str  # calm / watch / stress, or stale / unavailable without a value
    secondary: Figure | None
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        main = self.figure.to_dict()
        return {
            "family": self.family,
            **{k: main[k] for k in ("indicator", "label", "unit", "value", "percentile")},
            "since": main["since"],
            "change_13w": _rounded(self.change_13w, 4),
            "direction": self.direction,
            "state": self.state,
            "sentence": self.sentence,
            "last_observed": main["last_observed"],
            "secondary": self.secondary.to_dict() if self.secondary is not None else None,
        }


@dataclass(frozen=True)
class Backdrop:
    """Every configured family's reading on one week, in the config's order."""

    week: date
    readings: tuple[FamilyReading, ...]

    def reading(self, family: str) -> FamilyReading:
        for reading in self.readings:
            if reading.family == family:
                return reading
        raise KeyError(family)

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(r.sentence for r in self.readings)

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week.isoformat(), "families": [r.to_dict() for r in self.readings]}


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
