"""Scores over the whole judged span and each configured sub-period, side by side.

An edge that exists in one period only is a different claim from one that holds throughout, so
every model is scored on each span alone. A bear market straddling a period boundary would be
split between the two (none of the default boundaries cuts one).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from regime.constants import EARLY_RECOVERY, REGIMES, RISK_OFF
from regime.metrics import (
    detection,
    expected_calibration_error,
    risk_off_episodes,
    weekly_log_loss,
)
from regime.model.selection import balanced_accuracy

Span = tuple[date | None, date | None]


def span_name(span: Span) -> str:
    """`all`, `..1999`, `2000-2012`, `2013..`: the years a span covers."""
    start, end = (("" if day is None else str(day.year)) for day in span)
    if not (start or end):
        return "all"
    return f"{start}-{end}" if start and end else f"{start}..{end}"


def period_scores(
    truth: pd.Series,
    calls: dict[str, pd.Series],
    proba: dict[str, pd.DataFrame | None],
    periods: tuple[Span, ...],
    ece_bins: int,
) -> list[dict[str, Any]]:
    """The whole span, then each period: its weeks, bear markets and every model's scores."""
    out = []
    for span in ((None, None), *periods):
        first, last = span
        weeks = truth.loc[_day(first) : _day(last)]
        if weeks.empty:
            continue
        index = weeks.index
        models = {
            name: short_scores(weeks, called.loc[index], _rows(proba.get(name), index), ece_bins)
            for name, called in calls.items()
        }
        out.append(
            {
                "name": span_name(span),
                "first": index[0].date().isoformat(),
                "last": index[-1].date().isoformat(),
                "n_weeks": len(index),
                "bear_markets": len(risk_off_episodes(weeks)),
                "models": models,
            }
        )
    return out


def short_scores(
    truth: pd.Series, called: pd.Series, proba: pd.DataFrame | None, ece_bins: int
) -> dict[str, Any]:
    """The scores the period table shows (probability scores None without probabilities)."""
    found = detection(truth, called)
    t, c = truth.to_numpy().astype(str), called.to_numpy().astype(str)
    scores: dict[str, Any] = {
        "balanced_accuracy": balanced_accuracy(t, c),
        "log_loss": None,
        "ece": None,
        "recall_risk_off": _recall(t, c, RISK_OFF),
        "recall_early_recovery": _recall(t, c, EARLY_RECOVERY),
        "mean_lag_weeks": found["mean_lag_weeks"],
        "missed_episodes": found["missed_episodes"],
        "false_alarm_weeks": found["false_alarm_weeks"],
    }
    if proba is not None:
        proba = proba.set_axis(list(REGIMES), axis=1)
        scores["log_loss"] = float(weekly_log_loss(truth, proba).mean())
        scores["ece"] = expected_calibration_error(truth, proba, ece_bins)
    return scores


def _recall(truth: np.ndarray, called: np.ndarray, regime: str) -> float | None:
    member = truth == regime
    return float(np.mean(called[member] == regime)) if member.any() else None


def _rows(proba: pd.DataFrame | None, index: pd.DatetimeIndex) -> pd.DataFrame | None:
    return None if proba is None else proba.loc[index]


def _day(day: date | None) -> pd.Timestamp | None:
    return None if day is None else pd.Timestamp(day)
