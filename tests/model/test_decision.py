"""Decision rules: from probabilities to the regime called each week."""

from __future__ import annotations

import numpy as np
import pytest

from regime.model.decision import decide

CLASSES = ["neutral", "risk_off"]
PRIOR = np.array([0.8, 0.2])


def call(p_risk_off: list[float], rule: str, **options: object) -> list[str]:
    p = np.array(p_risk_off)
    proba = np.column_stack([1 - p, p])
    return list(decide(proba, CLASSES, PRIOR, rule, "risk_off", **options))  # type: ignore[arg-type]


def test_argmax_calls_the_most_probable_regime():
    assert call([0.3, 0.6], "argmax") == ["neutral", "risk_off"]


def test_balanced_calls_a_rare_regime_once_it_beats_its_base_rate_relatively():
    # 0.3 / 0.2 = 1.5 > 0.7 / 0.8: a 30% chance of a one-in-five regime is a strong warning.
    assert call([0.3, 0.15], "balanced") == ["risk_off", "neutral"]


def test_hysteresis_needs_more_evidence_to_start_than_to_stay():
    # Relative odds r = (p / 0.2) / ((1 - p) / 0.8); with hysteresis 1.5 a call starts at r > 1.5
    # and holds while r > 1 / 1.5.
    weeks = [0.25, 0.30, 0.20, 0.13, 0.12, 0.25]
    ratios = [(p / 0.2) / ((1 - p) / 0.8) for p in weeks]
    assert [round(r, 2) for r in ratios] == [1.33, 1.71, 1.0, 0.6, 0.55, 1.33]
    assert call(weeks, "balanced_hysteresis", hysteresis=1.5) == [
        "neutral",
        "risk_off",
        "risk_off",
        "neutral",
        "neutral",
        "neutral",
    ]
    assert call(weeks, "balanced") == [
        "risk_off",
        "risk_off",
        "neutral",
        "neutral",
        "neutral",
        "risk_off",
    ]


def test_hysteresis_picks_up_the_state_of_the_week_before():
    assert call([0.15], "balanced_hysteresis", hysteresis=1.5, in_gate=True) == ["risk_off"]
    assert call([0.15], "balanced_hysteresis", hysteresis=1.5, in_gate=False) == ["neutral"]


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="decision must be one of"):
        call([0.5], "coin_toss")
