"""Sigmoid recalibration fitted on out-of-sample probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from regime.learning.calibration import IDENTITY, fit_sigmoid, logit


def test_a_known_distortion_is_recovered():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.02, 0.98, size=20_000)
    truth = 1 / (1 + np.exp(-(0.5 * logit(raw) - 1.0)))  # overconfident and too high
    outcomes = (rng.uniform(size=raw.size) < truth).astype(int)
    fitted = fit_sigmoid(raw, outcomes)
    assert fitted.slope == pytest.approx(0.5, abs=0.05)
    assert fitted.intercept == pytest.approx(-1.0, abs=0.05)


def test_nothing_to_learn_from_one_outcome_leaves_the_probabilities_alone():
    assert fit_sigmoid([0.2, 0.7], [1, 1]) == IDENTITY
    np.testing.assert_array_equal(IDENTITY([0.1, 0.9]), [0.1, 0.9])


def test_extreme_log_odds_do_not_overflow():
    fitted = fit_sigmoid([1e-9, 1 - 1e-9, 0.5, 0.4], [0, 1, 1, 0])
    assert np.isfinite(fitted([0.0, 1.0, 0.5])).all()
