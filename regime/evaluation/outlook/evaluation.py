"""The outlook judged out of sample: each target against its peers, and its ablation.

For each outlook target, the judged weeks are the nowcast's judged weeks whose outcome is settled
today. The outlook's probabilities are its nested walk-forward's (model/outlook.py); the peers
(outlook_peers.py) are refitted at the same refit dates on the targets settled then. Reported:
each model's scores (outlook_scores.py), the outlook's Brier skill against each peer and, for
the events, its AUROC, both with block-bootstrap intervals; its reliability table; and the
ablation: the nested choice offered every macro family but one, or none (`state_only`), with
the headline minus the variant in log loss and Brier score, and how often each family was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from regime.config import Settings
from regime.evaluation.calls.ablation import STATE_ONLY, variant_name, verdict_of
from regime.evaluation.outlook.peers import NOTES, PEERS, conditions, outlook_peer_proba
from regime.evaluation.outlook.scores import (
    auroc_rows,
    block_weeks,
    difference_rows,
    interval,
    reliability,
    scores,
    skill_rows,
    weekly_brier,
    weekly_loss,
)
from regime.evaluation.peers.refits import BlockPeers
from regime.model.horizons import Target
from regime.model.outlook import OutlookCandidate, TargetRun
from regime.model.training_rows import Dataset
from regime.model.walk_forward import WalkForward

OUTLOOK = "outlook"
ANCHOR = (
    "the New York Fed's term-spread probit reaches an AUROC of 0.86-0.90 for US recessions 0-4 "
    "quarters ahead"
)


@dataclass(frozen=True)
class TargetEvaluation:
    """One target's judged weeks: outcomes, the refit of each week, every model's probabilities
    (`outlook` and each peer) and each ablation variant's."""

    target: Target
    truth: pd.Series
    refit: pd.Series
    proba: dict[str, pd.DataFrame]
    variants: dict[str, pd.DataFrame]


Variants = dict[str, dict[str, pd.DataFrame]]


def outlook_variants(run: WalkForward, settings: Settings) -> Variants:
    """Per target, each ablation variant's nested predictions (every week of the walk-forward).

    Only the choice is redone (`TargetRun.restricted`), but at every refit for every variant:
    the evaluation runs this beside the peers' refits.
    """
    return {
        name: {
            variant: target_run.restricted(settings, run.schedule, rule)
            for variant, rule in _ablation_rules(settings).items()
        }
        for name, target_run in run.outlook.items()
    }


def evaluate_outlook(
    run: WalkForward,
    dataset: Dataset,
    settings: Settings,
    judged: pd.DatetimeIndex,
    found: list[BlockPeers],
    variants: Variants,
) -> tuple[dict[str, Any], dict[str, TargetEvaluation]]:
    """The outlook section of the evaluation (its JSON) and each target's weekly runs.

    `judged`: the nowcast's judged weeks; `found`: the nowcast peers' refits (their HMMs);
    `variants`: `outlook_variants(run, settings)`.
    """
    runs = {
        name: target_evaluation(target_run, dataset, settings, judged, found, variants[name])
        for name, target_run in run.outlook.items()
    }
    families = list(settings.model.families)
    result = {
        "description": "each target on the nowcast's judged weeks whose outcome is settled "
        "today; peers refitted at the same refits on the outcomes settled then",
        "peers": dict(NOTES),
        "anchor": ANCHOR,
        "targets": [
            _target_result(ev, run.outlook[name], families, settings) for name, ev in runs.items()
        ],
    }
    return result, runs


def target_evaluation(
    target_run: TargetRun,
    dataset: Dataset,
    settings: Settings,
    judged: pd.DatetimeIndex,
    found: list[BlockPeers],
    variants: dict[str, pd.DataFrame],
) -> TargetEvaluation:
    """The outlook, its peers and its ablation variants on the target's judged weeks."""
    target = target_run.target
    settled = target_run.settled[max(target_run.settled)]
    predictions = target_run.predictions
    weeks = judged.intersection(settled.index).intersection(predictions.index)
    refit = predictions.loc[weeks, "refit"]
    condition = conditions(target, dataset, settings)
    floor = settings.model.min_probability
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in PEERS}
    for block in found:
        block_weeks = weeks[(refit == block.refit).to_numpy()]
        if len(block_weeks) == 0:
            continue
        proba = outlook_peer_proba(
            target,
            target_run.settled[block.refit],
            block_weeks,
            condition,
            block.hmm_states,
            block.hmm_transition,
            floor,
        )
        for name, frame in proba.items():
            parts[name].append(frame)
    classes = list(target.classes)
    models = {OUTLOOK: predictions.loc[weeks, classes]}
    models.update({name: pd.concat(frames).loc[weeks] for name, frames in parts.items()})
    ablated = {name: frame.loc[weeks, classes] for name, frame in variants.items()}
    return TargetEvaluation(target, settled.loc[weeks], refit, models, ablated)


def _ablation_rules(settings: Settings) -> dict[str, Any]:
    rules: dict[str, Any] = {
        variant_name(family): (lambda c, f=family: f not in c.families)
        for family in settings.model.families
    }
    rules[STATE_ONLY] = _state_only
    return rules


def _state_only(candidate: OutlookCandidate) -> bool:
    return not candidate.families


def _target_result(
    ev: TargetEvaluation, target_run: TargetRun, families: list[str], settings: Settings
) -> dict[str, Any]:
    target, truth = ev.target, ev.truth
    bins = settings.evaluation.ece_bins
    n = len(truth)
    brier = {name: weekly_brier(truth, proba, target) for name, proba in ev.proba.items()}
    ours = ev.proba[OUTLOOK]
    event = target.kind != "regime"
    return {
        "name": target.name,
        "kind": target.kind,
        "weeks_ahead": target.weeks,
        "classes": [str(c) for c in target.classes],
        "n_weeks": n,
        "period": [truth.index[0].date().isoformat(), truth.index[-1].date().isoformat()],
        "refits": int(ev.refit.nunique()),
        "frequency": {str(c): float((truth == c).mean()) for c in target.classes},
        "block_weeks": block_weeks(target, settings),
        "models": {name: scores(truth, proba, target, bins) for name, proba in ev.proba.items()},
        "brier_skill": {
            peer: interval(skill_rows(brier[OUTLOOK], brier[peer]), n, target, settings).to_dict()
            for peer in PEERS
        },
        "auroc": interval(auroc_rows(truth, ours), n, target, settings).to_dict()
        if event
        else None,
        "reliability": reliability(truth, ours, target, bins),
        "ablation": _ablation(ev, target_run, families, settings),
    }


def _ablation(
    ev: TargetEvaluation, target_run: TargetRun, families: list[str], settings: Settings
) -> dict[str, Any]:
    target, truth = ev.target, ev.truth
    n = len(truth)
    bins = settings.evaluation.ece_bins
    ours = ev.proba[OUTLOOK]
    loss, brier = weekly_loss(truth, ours, target), weekly_brier(truth, ours, target)
    refits = set(ev.refit.unique())
    judged = [c for c in target_run.choices if c.refit in refits]
    chosen = {f: sum(f in c.candidate.families for c in judged) for f in families}
    rows = []
    for name, proba in ev.variants.items():
        family = next((f for f in families if variant_name(f) == name), None)
        worth = {
            "log_loss": interval(
                difference_rows(loss, weekly_loss(truth, proba, target)), n, target, settings
            ).to_dict(),
            "brier": interval(
                difference_rows(brier, weekly_brier(truth, proba, target)), n, target, settings
            ).to_dict(),
        }
        rows.append(
            {
                "name": name,
                "removed": [family] if family else list(families),
                "scores": scores(truth, proba, target, bins),
                "headline_minus_variant": worth,
                "verdict": _verdict(worth, chosen[family] if family else None),
            }
        )
    return {
        "variants": rows,
        "family_choices": {
            **{f: {"chosen": k, "refits": len(judged)} for f, k in chosen.items()},
            "none": {
                "chosen": sum(not c.candidate.families for c in judged),
                "refits": len(judged),
            },
        },
    }


def _verdict(worth: dict[str, dict[str, Any]], chosen: int | None) -> str:
    """Whether the removed families earned their place (negative differences: they helped)."""
    if chosen == 0:
        return "never chosen"
    return verdict_of(
        earns=any(w["high"] < 0 for w in worth.values()),
        costs=any(w["low"] > 0 for w in worth.values()),
    )
