"""Circular block bootstrap: shape, wrapping blocks, determinism, sensible intervals."""

from __future__ import annotations

import numpy as np
import pytest

from regime.evaluation.bootstrap import (
    balanced_accuracy_rows,
    bootstrap_interval,
    circular_block_indices,
    mean_rows,
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
    assert set(first.to_dict()) == {
        "estimate",
        "low",
        "high",
        "confidence",
        "block_weeks",
        "samples",
        "seed",
    }


def test_balanced_accuracy_statistic_matches_the_definition():
    truth = np.array(["a", "a", "a", "b"])
    predicted = np.array(["a", "b", "b", "b"])
    statistic = balanced_accuracy_rows(truth, predicted)
    assert statistic(np.arange(4)[None, :])[0] == pytest.approx((1 / 3 + 1) / 2)
    # A resample holding class "a" only averages over "a" alone.
    assert statistic(np.array([[0, 1, 0, 0]]))[0] == pytest.approx(0.75)
