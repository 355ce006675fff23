"""Why the call is what it is: the P(risk_off) at which this week's decision rule calls risk_off,
and, when the call is not the most probable regime, one sentence that says why.

The same thresholds as the walk-forward's (`selection.risk_off_thresholds`), read from a fitted
classifier: argmax 1/2; balanced f / (f + f_k), with f and f_k the training frequencies of
risk_off and of the week's other possible regime k; with hysteresis the odds ratio must beat h
to start a risk_off call and 1/h to keep one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from regime.constants import RISK_OFF
from regime.model.classifier import SplitGateClassifier
from regime.model.decision import rest_labels


@dataclass(frozen=True)
class CallRule:
    """How the week's call was made from its probabilities (model/decision.py).

    `rule`: the decision rule; `risk_off_threshold`: the P(risk_off) above which it calls
    risk_off this week; `other`: the regime called otherwise, and the training frequencies
    (`risk_off_frequency`, `other_frequency`) the rule weighs the two against;
    `risk_off_before`: whether the week before was called risk_off (hysteresis starts there);
    `most_probable`: the most probable regime; `why`: one sentence when the call is not it.
    """

    rule: str
    risk_off_threshold: float
    other: str
    risk_off_frequency: float
    other_frequency: float
    risk_off_before: bool
    most_probable: str
    why: str | None


def call_rule(
    classifier: SplitGateClassifier,
    row: pd.DataFrame,
    regime: str,
    probabilities: dict[str, float],
    risk_off_before: bool,
) -> CallRule:
    """The rule behind `regime`, the call of the one-row `row` with `probabilities`."""
    prior = {
        str(c): float(p) for c, p in zip(classifier.classes_, classifier.class_prior_, strict=True)
    }
    other = str(rest_labels(row)[0])
    f, f_other = prior[RISK_OFF], prior.get(other, 1.0)
    rule = str(classifier.decision)
    factor = 1.0
    if rule == "balanced_hysteresis":
        h = float(classifier.hysteresis)
        factor = 1.0 / h if risk_off_before else h
    threshold = 0.5 if rule == "argmax" else factor * f / (f_other + factor * f)
    top = max(probabilities, key=probabilities.__getitem__)
    found = CallRule(rule, threshold, other, f, f_other, risk_off_before, top, None)
    return CallRule(**{**found.__dict__, "why": why(found, regime, probabilities)})


def why(rule: CallRule, regime: str, probabilities: dict[str, float]) -> str | None:
    """One sentence when `regime` is not the most probable regime, else None."""
    top = rule.most_probable
    if regime == top:
        return None
    p = probabilities[RISK_OFF]
    where = f"{rule.risk_off_threshold:.1%}, where this week's rule calls risk_off"
    weighed = (
        f"the rule weighs each probability against how common its regime was in training "
        f"(risk_off {rule.risk_off_frequency:.0%} of weeks, {rule.other} "
        f"{rule.other_frequency:.0%})"
    )
    if rule.rule == "balanced_hysteresis":
        weighed += (
            ", and a risk_off call in force holds until the odds turn clearly against it"
            if rule.risk_off_before
            else ", and a new risk_off call needs the odds clearly in its favour"
        )
    if regime == RISK_OFF:
        return (
            f"risk_off is called though {top} is more probable ({probabilities[top]:.1%}): "
            f"P(risk_off) {p:.1%} is above {where}; {weighed}."
        )
    return (
        f"{regime} is called though {top} is more probable ({probabilities[top]:.1%}): "
        f"P(risk_off) {p:.1%} is below {where}; {weighed}."
    )
