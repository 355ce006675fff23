"""The nested choice: at each refit, pick each gate's candidate and the decision rule from the
weeks before the refit only, then predict the refit's block with that choice.

Each gate's candidate is the one with the lowest log loss on the earlier out-of-sample weeks of
its side (a proper score: it rewards calibrated probabilities, not just ranking); the pooling
choice is shared by both gates (one model is fitted on one set of rows), so it is the one whose
best pair of gates has the lowest log loss over all earlier weeks. The decision
rule is the one with the highest balanced accuracy when applied to the chosen candidates' earlier
out-of-sample probabilities. Every earlier week is judged by the label known at the refit. No
choice ever sees a week of the block it is used for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.config import Decision, Gate, Settings
from regime.constants import REGIMES, RISK_OFF
from regime.learning.calibration import Sigmoid
from regime.learning.choice import LogTerms, lowest_loss
from regime.model.candidates import UNKNOWN, Candidate, CandidateRuns, GateRows
from regime.model.decision import decide, rest_labels
from regime.model.schedule import Refit
from regime.model.training_rows import Dataset


@dataclass(frozen=True)
class Choice:
    """What one refit chose, and what its block's models need to be refitted exactly."""

    refit: pd.Timestamp
    entry: Candidate
    exit: Candidate
    decision: Decision
    entry_calibration: Sigmoid
    exit_calibration: Sigmoid
    prior: dict[str, float]
    # Out-of-sample weeks each choice was judged on (0: too few, the fallback was used).
    judged_weeks: dict[str, int] = field(default_factory=dict)

    def candidate(self, gate: Gate) -> Candidate:
        return self.entry if gate == "entry" else self.exit

    def to_dict(self) -> dict[str, object]:
        def gate(candidate: Candidate, sigmoid: Sigmoid) -> dict[str, object]:
            return {
                "families": list(candidate.families),
                "C": candidate.C,
                "calibration": candidate.calibration,
                "sigmoid": list(sigmoid.as_tuple()),
            }

        return {
            "refit": self.refit.date().isoformat(),
            "entry": gate(self.entry, self.entry_calibration),
            "exit": gate(self.exit, self.exit_calibration),
            "decision": self.decision,
            "prior": self.prior,
            "judged_weeks": self.judged_weeks,
        }


@dataclass(frozen=True)
class Nested:
    """The nested walk-forward: one out-of-sample call and probability per week, and choices."""

    predictions: pd.DataFrame
    choices: list[Choice]


Allowed = Callable[[Candidate], bool]


def nested_walk_forward(
    dataset: Dataset,
    settings: Settings,
    schedule: list[Refit],
    runs: CandidateRuns,
    rows: GateRows,
    allowed: Allowed | None = None,
) -> Nested:
    """Choose at every refit, predict its block, and return every week's calls.

    `allowed` restricts the candidates (e.g. no macro family, for the state-only peer or the
    ablation). Columns of the predictions: `predicted`, `p_<regime>`, `threshold` (the
    P(risk_off) above which that week was called risk_off), `refit`; weeks from the first refit
    to the latest week.
    """
    offered = [c for c in runs.series if allowed is None or allowed(c)]
    losses = Losses(runs)
    choices, frames = [], []
    in_gate = False
    for refit in schedule:
        choice = choose(refit.date, dataset, settings, runs, rows, offered, losses)
        choices.append(choice)
        gate_p = chosen_series(choice, runs).loc[refit.block]
        proba = regime_proba(gate_p, dataset.features.loc[refit.block], settings)
        calls = decide(
            proba.to_numpy(),
            list(REGIMES),
            _prior_array(choice.prior),
            choice.decision,
            RISK_OFF,
            settings.model.hysteresis,
            in_gate,
        )
        thresholds = risk_off_thresholds(
            rest_labels(dataset.features.loc[refit.block]), calls, choice, settings, in_gate
        )
        in_gate = bool(calls[-1] == RISK_OFF)
        frame = proba.rename(columns=lambda r: f"p_{r}")
        frame.insert(0, "predicted", calls)
        frame["threshold"] = thresholds
        frame["refit"] = refit.date
        frames.append(frame)
    return Nested(pd.concat(frames), choices)


def risk_off_thresholds(
    rest: NDArray[np.str_],
    calls: NDArray[np.str_],
    choice: Choice,
    settings: Settings,
    in_gate: bool,
) -> NDArray[np.float64]:
    """For each week, the P(risk_off) above which its rule called risk_off.

    argmax: 1/2. balanced: f / (f + f_k), with f and f_k the training frequencies of risk_off
    and of the week's other possible label k (the odds ratio of the two must beat 1). With
    hysteresis the odds ratio must beat h to start a risk_off call and 1/h to keep one, so the
    threshold depends on the week before. The probability floor is ignored (it moves the
    threshold by less than 0.002).
    """
    if choice.decision == "argmax":
        return np.full(len(rest), 0.5)
    f = choice.prior[RISK_OFF]
    f_rest = np.array([choice.prior[k] for k in rest])
    factor = np.ones(len(rest))
    if choice.decision == "balanced_hysteresis":
        h = settings.model.hysteresis
        before = np.concatenate([[in_gate], calls[:-1] == RISK_OFF])
        factor = np.where(before, 1.0 / h, h)
    return np.asarray(factor * f / (f_rest + factor * f), dtype=float)


def choose(
    refit: pd.Timestamp,
    dataset: Dataset,
    settings: Settings,
    runs: CandidateRuns,
    rows: GateRows,
    offered: list[Candidate],
    losses: Losses | None = None,
) -> Choice:
    """The choice at `refit`, from the out-of-sample weeks up to it and the labels known then.

    `losses`: the candidates' log-loss terms, kept from an earlier choice on the same runs."""
    target = rows.own.targets[refit]
    past = (rows.own.dates <= refit) & (target != UNKNOWN)
    prior = _prior(rows, refit, dataset)
    picked, judged = _best_gates(offered, losses or Losses(runs), past, target, settings)
    decision, judged["decision"] = _best_rule(
        picked["entry"], picked["exit"], runs, dataset, settings, past, prior
    )
    return Choice(
        refit=refit,
        entry=picked["entry"],
        exit=picked["exit"],
        decision=decision,
        entry_calibration=runs.sigmoid(picked["entry"], refit),
        exit_calibration=runs.sigmoid(picked["exit"], refit),
        prior=prior,
        judged_weeks=judged,
    )


class Losses:
    """Each candidate's weekly log loss against a refit's labels, from its series' log terms
    (computed on first use, then kept for every later refit)."""

    def __init__(self, runs: CandidateRuns):
        self.runs = runs
        self._terms: dict[Candidate, LogTerms] = {}

    def weekly(self, candidate: Candidate, target: NDArray[np.int8]) -> NDArray[np.float64]:
        terms = self._terms.get(candidate)
        if terms is None:
            terms = self._terms[candidate] = LogTerms.of(self.runs.series[candidate].to_numpy())
        return terms.weekly_loss(target)


def _best_gates(
    offered: list[Candidate],
    losses: Losses,
    past: NDArray[np.bool_],
    target: NDArray[np.int8],
    settings: Settings,
) -> tuple[dict[str, Candidate], dict[str, int]]:
    """The best entry and exit candidates, sharing one pooling choice (see module docstring)."""
    best: tuple[float, dict[str, Candidate], dict[str, int]] | None = None
    for pool_from in dict.fromkeys(c.pool_from for c in offered):
        picked: dict[str, Candidate] = {}
        judged: dict[str, int] = {}
        total, weeks = 0.0, 0
        for gate in ("entry", "exit"):
            pool = sorted(
                (c for c in offered if c.gate == gate and c.pool_from == pool_from),
                key=Candidate.complexity,
            )
            picked[gate], loss, judged[gate] = _best_by_log_loss(
                pool, losses, past, target, settings
            )
            total += loss * judged[gate]
            weeks += judged[gate]
        score = total / weeks if weeks and all(judged.values()) else np.inf
        if best is None or score < best[0] - 1e-12:
            best = (score, picked, judged)
    assert best is not None, "no candidate offered"
    return best[1], best[2]


def _best_by_log_loss(
    pool: list[Candidate],
    losses: Losses,
    past: NDArray[np.bool_],
    target: NDArray[np.int8],
    settings: Settings,
) -> tuple[Candidate, float, int]:
    """The pool's lowest-log-loss candidate on past weeks (its loss and weeks judged); the
    simplest one, with no weeks judged, if none has enough weeks (learning/choice.py)."""
    return lowest_loss(
        pool,
        lambda c: losses.weekly(c, target),
        past,
        settings.model.selection_min_weeks,
    )


def _best_rule(
    entry: Candidate,
    exit_: Candidate,
    runs: CandidateRuns,
    dataset: Dataset,
    settings: Settings,
    past: NDArray[np.bool_],
    prior: dict[str, float],
) -> tuple[Decision, int]:
    """The offered rule with the best balanced accuracy on the chosen gates' past weeks."""
    rules = settings.model.decision
    gate_p = runs.series[entry].fillna(runs.series[exit_])
    weeks = gate_p.index[past & gate_p.notna().to_numpy()]
    if len(rules) == 1 or len(weeks) < settings.model.selection_min_weeks:
        return (rules[0] if len(rules) == 1 else _default_rule(rules)), 0
    # Final at the refit, so the same label today (final labels never change).
    truth = dataset.labels.loc[weeks, "label"]
    proba = regime_proba(gate_p.loc[weeks], dataset.features.loc[weeks], settings)
    best: Decision = _default_rule(rules)
    best_score = -np.inf
    for rule in rules:
        calls = decide(
            proba.to_numpy(),
            list(REGIMES),
            _prior_array(prior),
            rule,
            RISK_OFF,
            settings.model.hysteresis,
        )
        score = balanced_accuracy(truth.to_numpy(), calls)
        if score > best_score + 1e-12:
            best, best_score = rule, score
    return best, len(weeks)


def _default_rule(rules: tuple[Decision, ...]) -> Decision:
    return "balanced" if "balanced" in rules else rules[0]


def chosen_series(choice: Choice, runs: CandidateRuns) -> pd.Series:
    """P(risk_off) of every week from the chosen entry and exit candidates' series."""
    entry, exit_ = runs.series[choice.entry], runs.series[choice.exit]
    return entry.fillna(exit_)


def regime_proba(gate_p: pd.Series, features: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Four regime probabilities: P(risk_off), and the rest on the rulebook's known label.

    Every probability is at least `model.min_probability` (then renormalised).
    """
    rest = rest_labels(features)
    proba = np.zeros((len(gate_p), len(REGIMES)))
    g = gate_p.to_numpy(dtype=float)
    for j, regime in enumerate(REGIMES):
        if regime == RISK_OFF:
            proba[:, j] = g
        else:
            proba[:, j] = np.where(rest == regime, 1.0 - g, 0.0)
    floor = settings.model.min_probability
    proba = np.maximum(proba, floor)
    proba = proba / proba.sum(axis=1, keepdims=True)
    return pd.DataFrame(proba, index=gate_p.index, columns=list(REGIMES))


def _prior(rows: GateRows, refit: pd.Timestamp, dataset: Dataset) -> dict[str, float]:
    """Class frequencies of the small cap's training labels known at `refit`, each counted one
    week more than seen (a regime not yet seen in training must not get a zero frequency: the
    balanced rule would then call it whenever it had any probability at all).

    A week whose label was final at the refit has that label today too (final labels never
    change), so today's label table gives them.
    """
    known = rows.own.dates[rows.own.targets[refit] != UNKNOWN]
    counts = dataset.labels.loc[known, "label"].value_counts()
    total = float(counts.sum()) + len(REGIMES)
    return {r: (float(counts.get(r, 0)) + 1.0) / total for r in REGIMES}


def _prior_array(prior: dict[str, float]) -> NDArray[np.float64]:
    return np.array([prior[r] for r in REGIMES], dtype=float)


def balanced_accuracy(truth: NDArray[np.str_], calls: NDArray[np.str_]) -> float:
    """Mean recall over the classes present in `truth`."""
    recalls = [np.mean(calls[truth == c] == c) for c in np.unique(truth)]
    return float(np.mean(recalls))
