"""Scores of outlook probabilities against the outcomes: proper scores, skill, ranking, reliability.

- log loss: mean of -log(probability given to the outcome);
- Brier score: for the regime, the squared distance between the probability vector and the
  one-hot outcome summed over the regimes (0-2); for an event, (P(event) - outcome)^2 (0-1);
- Brier skill score against a peer: 1 - Brier(outlook) / Brier(peer); above 0 the outlook is
  the better forecast;
- AUROC (events): the chance that a week with the event gets a higher P(event) than one without;
- reliability: the forecasts cut into equal bins, each bin's mean forecast against how often it
  happened, with its week count (for the regime: the top regime's probability and how often the
  top regime happened, as the nowcast's); ECE is the week-weighted mean gap.

Intervals resample weeks in circular blocks (bootstrap.py) of at least twice the horizon: the
outcomes of neighbouring weeks overlap, so shorter blocks would understate the uncertainty.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.bootstrap import (
    Interval,
    Statistic,
    bootstrap_interval,
    difference_rows,
    skill_rows,
)
from regime.bootstrap import auroc_rows as bootstrap_auroc_rows
from regime.config import Settings
from regime.metrics import weekly_log_loss
from regime.model.horizons import Target
from regime.model.outlook_record import block_weeks, weekly_brier

__all__ = ["block_weeks", "difference_rows", "skill_rows", "weekly_brier"]


def weekly_loss(truth: pd.Series, proba: pd.DataFrame, target: Target) -> NDArray[np.float64]:
    return np.asarray(weekly_log_loss(truth, proba[list(target.classes)]), dtype=float)


def scores(truth: pd.Series, proba: pd.DataFrame, target: Target, bins: int) -> dict[str, Any]:
    """Log loss, Brier score, ECE, and AUROC for an event (None for the regime)."""
    table = reliability(truth, proba, target, bins)
    n = len(truth)
    return {
        "log_loss": float(weekly_loss(truth, proba, target).mean()),
        "brier": float(weekly_brier(truth, proba, target).mean()),
        "ece": float(sum(r["weeks"] / n * abs(r["forecast"] - r["observed"]) for r in table)),
        "auroc": None if target.kind == "regime" else float(auroc_rows(truth, proba)(_all(n))[0]),
    }


def reliability(
    truth: pd.Series, proba: pd.DataFrame, target: Target, bins: int
) -> list[dict[str, Any]]:
    """Each non-empty bin: `low`, `high`, `weeks`, mean `forecast`, `observed` frequency."""
    classes = list(target.classes)
    values = proba[classes].to_numpy(dtype=float)
    if target.kind == "regime":
        forecast = values.max(axis=1)
        happened = np.asarray(classes, dtype=object)[values.argmax(axis=1)] == truth.to_numpy()
    else:
        forecast = values[:, 1]
        happened = truth.to_numpy() == 1
    which = np.minimum((forecast * bins).astype(int), bins - 1)
    return [
        {
            "low": b / bins,
            "high": (b + 1) / bins,
            "weeks": int((which == b).sum()),
            "forecast": float(forecast[which == b].mean()),
            "observed": float(happened[which == b].mean()),
        }
        for b in range(bins)
        if (which == b).any()
    ]


def auroc_rows(truth: pd.Series, proba: pd.DataFrame) -> Statistic:
    """A statistic: the AUROC of P(event) in each resample (Mann-Whitney, ties count half)."""
    return bootstrap_auroc_rows((truth.to_numpy() == 1).astype(float), proba[1].to_numpy(float))


def interval(statistic: Statistic, n: int, target: Target, settings: Settings) -> Interval:
    ev = settings.evaluation
    return bootstrap_interval(
        statistic,
        n,
        block=block_weeks(target, settings),
        samples=ev.bootstrap_samples,
        seed=ev.seed,
        confidence=ev.confidence,
    )


def _all(n: int) -> NDArray[np.int64]:
    return np.arange(n)[None, :]
