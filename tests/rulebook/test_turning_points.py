"""Bull and bear dating: thresholds are inclusive, on hand-built price paths."""

from __future__ import annotations

import numpy as np

from regime.rulebook.turning_points import scan


def test_a_fall_of_exactly_twenty_percent_confirms_the_peak():
    result = scan(np.array([100.0, 90.0, 80.0, 85.0]), decline=0.2, rise=0.2)
    assert result.peaks == (0,)
    assert result.leg.tolist() == [1, 1, -1, -1]


def test_a_fall_just_short_of_twenty_percent_confirms_nothing():
    result = scan(np.array([100.0, 90.0, 80.01, 85.0]), decline=0.2, rise=0.2)
    assert result.peaks == () and set(result.leg) == {1}


def test_a_rise_of_exactly_twenty_percent_confirms_the_trough():
    result = scan(np.array([100.0, 80.0, 50.0, 60.0]), decline=0.2, rise=0.2)
    assert result.peaks == (0,) and result.troughs == (2,)
