"""The macro parts of a saved evaluation read into pandas: the recession nowcast's weekly series
and each family's last two years (saved.py's `recession` and `backdrop`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class RecessionSeries:
    """The nowcast week by week from its first out-of-sample week.

    `p`: P(recession); `truth`: 1.0 / 0.0 for weeks whose NBER month was dated by the last
    week, NaN after; `judged`: the first and last week the evaluation scores; `recessions`:
    each NBER recession's first and last day (the month after the peak, to the trough's end).
    """

    p: pd.Series
    truth: pd.Series
    threshold: float
    judged: tuple[pd.Timestamp, pd.Timestamp]
    recessions: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> RecessionSeries:
        weeks = pd.DatetimeIndex(pd.to_datetime(saved["weeks"]), name="date")
        first, last = (pd.Timestamp(day) for day in saved["judged"])
        return cls(
            p=pd.Series(saved["p_recession"], index=weeks, dtype=float, name="p_recession"),
            truth=pd.Series(saved["truth"], index=weeks, dtype=float, name="truth"),
            threshold=float(saved["threshold"]),
            judged=(first, last),
            recessions=tuple(
                (
                    pd.Timestamp(r["first"] + "-01"),
                    pd.Timestamp(r["last"] + "-01") + pd.offsets.MonthEnd(0),
                )
                for r in saved["recessions"]
            ),
        )

    @property
    def called(self) -> pd.Series:
        """The weeks the nowcast called a recession (P at or above the threshold)."""
        return self.p >= self.threshold


@dataclass(frozen=True)
class FamilyHistory:
    """One macro family over the backdrop's weeks: value and state (calm / watch / stress, or
    stale / unavailable without a value), and its thresholds."""

    family: str
    indicator: str
    higher_is_worse: bool
    watch: float
    stress: float
    value: pd.Series
    state: pd.Series


def backdrop_history(saved: dict[str, Any]) -> tuple[FamilyHistory, ...]:
    """Every family of a saved `backdrop`, in the config's order."""
    weeks = pd.DatetimeIndex(pd.to_datetime(saved["weeks"]), name="date")
    return tuple(
        FamilyHistory(
            family=name,
            indicator=str(f["indicator"]),
            higher_is_worse=bool(f["higher_is_worse"]),
            watch=float(f["watch"]),
            stress=float(f["stress"]),
            value=pd.Series(f["value"], index=weeks, dtype=float, name=name),
            state=pd.Series(f["state"], index=weeks, dtype=str, name=name),
        )
        for name, f in saved["families"].items()
    )
