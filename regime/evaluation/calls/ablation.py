"""The ablation: the headline model with each macro family taken away, and with none at all.

Each variant is the same nested walk-forward choosing only among the candidates without that
family (`WalkForward.restricted`: the candidates' runs are reused, only the choice is redone),
so a difference is what the family was worth to the selection, not to a model forced to use it.
Alongside: how often the selection chose each family. A family earns its place when taking it
away makes the model worse beyond the episode-bootstrap interval; otherwise it is reported with
its figures, not forced in.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from regime.bootstrap import Units
from regime.config import Settings
from regime.constants import REGIMES
from regime.evaluation.calls.compare import ModelRun, differences
from regime.evaluation.calls.periods import short_scores
from regime.model.candidates import Candidate
from regime.model.selection import Choice
from regime.model.training_rows import Dataset
from regime.model.walk_forward import WalkForward

STATE_ONLY = "state_only"
PROBA_COLUMNS = [f"p_{r}" for r in REGIMES]


def variant_name(family: str) -> str:
    return f"without_{family}"


def variant_runs(
    run: WalkForward, dataset: Dataset, settings: Settings, weeks: pd.DatetimeIndex
) -> dict[str, ModelRun]:
    """Each family removed in turn, then every family removed (`state_only`), on `weeks`."""
    allowed = {variant_name(family): _without(family) for family in settings.model.families}
    allowed[STATE_ONLY] = _state_only
    out = {}
    for name, rule in allowed.items():
        frame = run.restricted(dataset, settings, rule).loc[weeks]
        proba = frame[PROBA_COLUMNS].set_axis(list(REGIMES), axis=1)
        out[name] = ModelRun(name, frame["predicted"].rename(name), proba)
    return out


def _without(family: str) -> Any:
    return lambda candidate: family not in candidate.families


def _state_only(candidate: Candidate) -> bool:
    return not candidate.families


def family_choices(
    choices: list[Choice], refits: list[pd.Timestamp], families: list[str]
) -> dict[str, dict[str, int]]:
    """Per family, at how many of `refits` the selection put it in the entry gate, the exit gate,
    and either."""
    judged = [c for c in choices if c.refit in set(refits)]
    out = {}
    for family in families:
        entry = sum(family in c.entry.families for c in judged)
        exit_ = sum(family in c.exit.families for c in judged)
        either = sum(family in (*c.entry.families, *c.exit.families) for c in judged)
        out[family] = {"entry": entry, "exit": exit_, "either": either, "refits": len(judged)}
    return out


def ablation(
    truth: pd.Series,
    headline: ModelRun,
    variants: dict[str, ModelRun],
    choices: dict[str, dict[str, int]],
    settings: Settings,
) -> dict[str, Any]:
    """The headline's scores, each variant's, and headline minus variant with episode
    intervals; per family how often it was chosen and a verdict."""
    units = Units.of(truth)
    bins = settings.evaluation.ece_bins
    rows = []
    for name, variant in variants.items():
        worth = differences(truth, headline, variant, settings, units, block=False)
        family = next((f for f in choices if variant_name(f) == name), None)
        rows.append(
            {
                "name": name,
                "removed": [family] if family else list(choices),
                "scores": short_scores(truth, variant.predicted, variant.proba, bins),
                "headline_minus_variant": worth,
                "verdict": _verdict(worth, choices[family]["either"] if family else None),
            }
        )
    return {
        "headline": short_scores(truth, headline.predicted, headline.proba, bins),
        "variants": rows,
        "family_choices": choices,
    }


def _verdict(worth: dict[str, dict[str, Any]], chosen: int | None) -> str:
    """Whether the removed families earned their place, from the episode intervals."""
    if chosen == 0:
        return "never chosen"
    ba = worth["balanced_accuracy"]["episode_bootstrap"]
    ll = worth["log_loss"]["episode_bootstrap"]
    return verdict_of(earns=ba["low"] > 0 or ll["high"] < 0, costs=ba["high"] < 0 or ll["low"] > 0)


def verdict_of(*, earns: bool, costs: bool) -> str:
    """The ablation's words for removed families whose intervals say they helped (`earns`), hurt
    (`costs`), both on different scores, or neither."""
    if earns and costs:
        return "mixed: better on one score, worse on the other"
    if earns:
        return "earns its place"
    if costs:
        return "costs more than it earns"
    return "not shown to earn its place"
