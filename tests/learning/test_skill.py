"""A forecast's record: Brier skill against climatology and persistence, shown only when both
intervals' lower bounds are above 0."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regime.config import EvaluationSettings
from regime.learning.skill import climatology_proba, persistence_proba, skill_record
from regime.learning.skill_words import NO_SKILL, figures, mark, verdict

WEEKS = pd.date_range("2000-01-07", periods=520, freq="W-FRI")
SETTINGS = EvaluationSettings(bootstrap_samples=200)


def event_record(forecast: np.ndarray, truth: np.ndarray) -> dict:
    base = np.full(len(truth), truth.mean())
    brier = {
        "forecast": (forecast - truth) ** 2,
        "climatology": (base - truth) ** 2,
        "persistence": (base - truth) ** 2,
    }
    return skill_record(WEEKS, brier, SETTINGS, 26, (truth, forecast))


def seasons(seed: int = 0) -> np.ndarray:
    """An event that comes in runs of 13 weeks, a third of the time."""
    rng = np.random.default_rng(seed)
    return np.repeat(rng.random(40) < 1 / 3, 13).astype(float)


def test_a_forecast_that_knows_the_outcome_shows_skill_against_both():
    truth = seasons()
    record = event_record(np.where(truth == 1, 0.9, 0.1), truth)
    assert record["skill_shown"] is True
    assert record["brier_skill_vs_climatology"]["low"] > 0
    assert record["brier_skill_vs_persistence"]["low"] > 0
    assert record["auroc"] == 1.0
    assert record["weeks"] == len(WEEKS) and record["span"] == ["2000-01-07", "2009-12-18"]
    assert verdict(record) == "skill shown"


def test_a_forecast_of_noise_shows_no_skill_and_says_to_read_it_as_the_long_run_frequency():
    truth = seasons()
    noise = np.random.default_rng(1).random(len(truth))
    record = event_record(noise, truth)
    assert record["skill_shown"] is False
    assert record["brier_skill_vs_climatology"]["low"] <= 0
    assert verdict(record) == NO_SKILL == "no skill shown: read as the long-run frequency"
    assert mark(record).startswith(NO_SKILL)


def test_the_figures_name_the_span_the_auroc_and_both_intervals():
    truth = seasons()
    words = figures(event_record(np.where(truth == 1, 0.9, 0.1), truth))
    assert words.startswith("out of sample since 2000: AUROC 1.00, Brier skill vs persistence +")
    assert ", vs the base rate +" in words


def test_climatology_is_the_share_of_each_outcome_every_week():
    found = climatology_proba(np.array([1, 0, 0, 0]), 3, (0, 1))
    assert found.shape == (3, 2) and np.allclose(found, [[0.75, 0.25]] * 3)


def test_persistence_is_the_smoothed_share_of_each_outcome_given_todays_condition():
    outcomes = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    known = np.array(["bear", "bear", "bear", "bear", "bull", "bull", "bull", "bull"])
    found = persistence_proba(outcomes, known, np.array(["bull", "bear"]), (0, 1))
    # bull: 4 zeros, 0 ones, +1 each -> 5/6, 1/6; bear: 1 zero, 3 ones -> 2/6, 4/6
    assert np.allclose(found, [[5 / 6, 1 / 6], [2 / 6, 4 / 6]])
