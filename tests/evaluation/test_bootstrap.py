"""Bootstraps: circular blocks (shape, wrapping, determinism) and episodes (stratified units)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.bootstrap import (
    Units,
    balanced_accuracy_rows,
    balanced_accuracy_units,
    bootstrap_interval,
    circular_block_indices,
    episode_draws,
    episode_interval,
    mean_rows,
    mean_units,
)


def test_resamples_have_the_original_length_and_are_glued_from_consecutive_blocks():
    rows = circular_block_indices(n=10, block=4, samples=7, seed=3)
    assert rows.shape == (7, 10)
    steps = np.diff(rows[:, :4], axis=1) % 10
    assert (steps == 1).all()  # within a block, consecutive weeks (wrapping past the end)


def test_the_same_seed_gives_the_same_resamples_and_another_seed_does_not():
    a = circular_block_indices(50, 5, 20, seed=0)
    assert np.array_equal(a, circular_block_indices(50, 5, 20, seed=0))
    assert not np.array_equal(a, circular_block_indices(50, 5, 20, seed=1))


def test_interval_brackets_the_estimate_and_is_deterministic():
    values = np.random.default_rng(0).normal(0.3, 1.0, 300)
    first = bootstrap_interval(mean_rows(values), 300, block=10, samples=500, seed=0)
    again = bootstrap_interval(mean_rows(values), 300, block=10, samples=500, seed=0)
    assert first == again
    assert first.low < first.estimate < first.high
    assert first.estimate == pytest.approx(values.mean())
    assert first.to_dict() == {
        "estimate": first.estimate,
        "low": first.low,
        "high": first.high,
        "confidence": 0.95,
        "samples": 500,
        "seed": 0,
        "resampling": {"scheme": "circular_block", "block_weeks": 10},
    }


def test_balanced_accuracy_statistic_matches_the_definition():
    truth = np.array(["a", "a", "a", "b"])
    predicted = np.array(["a", "b", "b", "b"])
    statistic = balanced_accuracy_rows(truth, predicted)
    assert statistic(np.arange(4)[None, :])[0] == pytest.approx((1 / 3 + 1) / 2)
    # A resample holding class "a" only averages over "a" alone.
    assert statistic(np.array([[0, 1, 0, 0]]))[0] == pytest.approx(0.75)


def _history(*runs: tuple[str, int]) -> pd.Series:
    """Weekly labels from (label, weeks) runs."""
    labels = [label for label, weeks in runs for _ in range(weeks)]
    return pd.Series(labels, index=pd.date_range("1990-01-05", periods=len(labels), freq="W-FRI"))


# Four bear markets of different lengths between five calm spans.
TRUTH = _history(
    ("neutral", 30),
    ("risk_off", 8),
    ("early_recovery", 20),
    ("neutral", 15),
    ("risk_off", 25),
    ("neutral", 40),
    ("risk_off", 5),
    ("narrow_rally", 12),
    ("risk_off", 12),
    ("neutral", 10),
)


def test_units_are_each_bear_market_and_each_calm_span_between_them():
    units = Units.of(TRUTH)
    assert (units.n_bear, units.n_calm) == (4, 5)
    assert units.bear.tolist() == [False, True] * 4 + [False]
    assert units.sums(np.ones(len(TRUTH))).tolist() == [30, 8, 35, 25, 40, 5, 12, 12, 10]


def test_every_episode_resample_draws_as_many_bear_and_calm_units_as_history_has():
    units = Units.of(TRUTH)
    draws = episode_draws(units, samples=300, seed=1)
    assert draws.shape == (300, 9)
    assert (draws[:, units.bear].sum(axis=1) == 4).all()
    assert (draws[:, ~units.bear].sum(axis=1) == 5).all()
    assert not (draws == 1).all(axis=1).all()  # not every resample is history itself
    assert np.array_equal(draws, episode_draws(units, samples=300, seed=1))


def test_unit_statistics_with_every_unit_once_are_the_plain_scores():
    units = Units.of(TRUTH)
    called = TRUTH.where(TRUTH != "early_recovery", "neutral").to_numpy()
    weekly = balanced_accuracy_rows(TRUTH.to_numpy(), called)(np.arange(len(TRUTH))[None, :])
    pooled = balanced_accuracy_units(TRUTH.to_numpy(), called, units)(np.ones((1, 9)))
    assert pooled[0] == pytest.approx(weekly[0]) == pytest.approx(0.75)
    values = np.arange(len(TRUTH), dtype=float)
    assert mean_units(values, units)(np.ones((1, 9)))[0] == pytest.approx(values.mean())


def test_identical_models_differ_by_exactly_zero_in_every_resample():
    units = Units.of(TRUTH)
    called = np.where(TRUTH.to_numpy() == "risk_off", "neutral", TRUTH.to_numpy())
    first = balanced_accuracy_units(TRUTH.to_numpy(), called, units)
    second = balanced_accuracy_units(TRUTH.to_numpy(), called.copy(), units)
    interval = episode_interval(lambda d: first(d) - second(d), units, samples=500, seed=0)
    assert (interval.estimate, interval.low, interval.high) == (0.0, 0.0, 0.0)
    assert interval.resampling == {"scheme": "episodes", "bear_units": 4, "calm_units": 5}


def test_a_model_right_only_in_bear_markets_gets_an_interval_above_zero():
    units = Units.of(TRUTH)
    truth = TRUTH.to_numpy()
    blind = np.full(len(truth), "neutral")  # right on the neutral weeks only
    sees_bears = np.where(truth == "risk_off", "risk_off", blind)  # ... and in bear markets
    first = balanced_accuracy_units(truth, sees_bears, units)
    second = balanced_accuracy_units(truth, blind, units)
    interval = episode_interval(lambda d: first(d) - second(d), units, samples=500, seed=0)
    assert interval.estimate == pytest.approx(0.25)  # risk_off recall 1 instead of 0, 4 classes
    assert 0 < interval.low <= interval.estimate <= interval.high
