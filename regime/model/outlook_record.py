"""The outlook's out-of-sample record, stored in the card at training: what a prediction shows
beside each outlook figure.

Each target is judged on the walk-forward's judged weeks whose outcome is settled on the data's
last week, with the probability its nested walk-forward gave that week (model/outlook.py: a
refit learns only from outcomes settled on its date, so an outcome h weeks ahead counts only h
weeks later). Climatology and persistence (learning/skill.py) are refitted at the same refits on
the same settled outcomes; persistence carries forward what is known on the week: the rulebook's
real-time regime (regime targets), whether small caps led on total return over the past
`outlook.leadership_weeks` (leadership), or whether the rulebook sees a confirmed bear market
(a bear market's start). `regime evaluate` scores the same weeks the same way, beside other
peers.

Intervals resample weeks in circular blocks of at least twice the horizon: neighbouring weeks'
outcomes overlap, so shorter blocks would understate the uncertainty.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.config import Settings
from regime.learning.skill import climatology_proba, floored, persistence_proba, skill_record
from regime.model.horizons import Target
from regime.model.outlook import TargetRun
from regime.model.training_rows import Dataset
from regime.model.walk_forward import rulebook_realtime


def conditions(target: Target, dataset: Dataset, settings: Settings) -> pd.Series:
    """What persistence carries forward, as known on each week (a label per week)."""
    features = dataset.features
    if target.kind == "regime":
        return rulebook_realtime(dataset, features.index)
    if target.kind == "bear_start":
        in_bear = features["rulebook_risk_off"].to_numpy() > 0.5
        return pd.Series(np.where(in_bear, "bear", "bull"), index=features.index)
    levels = np.log(dataset.total_returns[["small_cap", "large_cap"]])
    past = levels - levels.shift(settings.outlook.leadership_weeks)
    excess = (past["small_cap"] - past["large_cap"]).reindex(features.index)
    led = np.where(excess.isna(), "unknown", np.where(excess > 0, "led", "lagged"))
    return pd.Series(led, index=features.index)


def weekly_brier(truth: pd.Series, proba: pd.DataFrame, target: Target) -> NDArray[np.float64]:
    """Each week's Brier score: for the regime, the squared distance between the probability
    vector and the one-hot outcome summed over the regimes (0-2); for an event,
    (P(event) - outcome)^2 (0-1)."""
    classes = list(target.classes)
    values = proba[classes].to_numpy(dtype=float)
    onehot = np.stack([truth.to_numpy() == c for c in classes], axis=1).astype(float)
    if target.kind == "regime":
        return np.asarray(((values - onehot) ** 2).sum(axis=1))
    return np.asarray((values[:, 1] - onehot[:, 1]) ** 2)


def block_weeks(target: Target, settings: Settings) -> int:
    """The bootstrap's block: the configured length, and at least twice the horizon."""
    return max(settings.evaluation.bootstrap_block_weeks, 2 * target.weeks)


def judged_outlook_weeks(run: TargetRun, judged: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The `judged` weeks with an outlook prediction and an outcome settled today."""
    settled = run.settled[max(run.settled)]
    return judged.intersection(settled.index).intersection(run.predictions.index)


def baseline_proba(
    run: TargetRun, weeks: pd.DatetimeIndex, condition: pd.Series, floor: float
) -> dict[str, pd.DataFrame]:
    """Climatology's and persistence's probabilities for `weeks`, each week's learned at the
    refit that predicted it from the outcomes settled then."""
    classes = list(run.target.classes)
    refit = run.predictions.loc[weeks, "refit"]
    parts: dict[str, list[pd.DataFrame]] = {"climatology": [], "persistence": []}
    for day in pd.unique(refit):
        block = weeks[(refit == day).to_numpy()]
        settled = run.settled[pd.Timestamp(day)]
        outcomes = settled.to_numpy()
        known = condition.reindex(settled.index).to_numpy()
        today = condition.reindex(block).to_numpy()
        found = {
            "climatology": climatology_proba(outcomes, len(block), classes),
            "persistence": persistence_proba(outcomes, known, today, classes),
        }
        for name, values in found.items():
            parts[name].append(pd.DataFrame(floored(values, floor), index=block, columns=classes))
    return {name: pd.concat(frames).loc[weeks] for name, frames in parts.items()}


def outlook_record(
    run: TargetRun, dataset: Dataset, settings: Settings, judged: pd.DatetimeIndex
) -> dict[str, Any]:
    """One target's record on `judged` (see the module docstring and learning/skill.py)."""
    target = run.target
    weeks = judged_outlook_weeks(run, judged)
    truth = run.settled[max(run.settled)].loc[weeks]
    ours = run.predictions.loc[weeks, list(target.classes)]
    floor = settings.model.min_probability
    peers = baseline_proba(run, weeks, conditions(target, dataset, settings), floor)
    brier = {"forecast": weekly_brier(truth, ours, target)}
    brier.update({name: weekly_brier(truth, proba, target) for name, proba in peers.items()})
    event = None
    if target.kind != "regime":
        event = ((truth.to_numpy() == 1).astype(float), ours[1].to_numpy(dtype=float))
    record = skill_record(weeks, brier, settings.evaluation, block_weeks(target, settings), event)
    return {"target": target.name, "weeks_ahead": target.weeks, **record}
