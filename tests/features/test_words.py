"""Every feature the table can produce has a label and a unit in the one registry."""

from __future__ import annotations

import math

import pytest

from regime.features.table import build_features
from regime.features.words import UNITS, change, describe, formatted, label, words_of


@pytest.fixture(scope="module")
def columns(embedded_data, project_settings) -> list[str]:
    return list(build_features(embedded_data, project_settings).columns)


def test_every_feature_the_table_can_produce_has_words(columns):
    missing = [c for c in columns if words_of(c) is None]
    assert not missing
    assert all(words_of(c).unit in UNITS for c in columns)


def test_windowed_features_are_named_for_any_window():
    assert label("relative_return_8w") == "Russell 2000 return minus the S&P 500's over 8 weeks"
    assert label("two_year_change_39w") == "2-year Treasury yield, 39-week change"
    assert words_of("no_such_feature") is None


def test_no_label_holds_a_raw_feature_name(columns):
    for column in columns:
        assert not [name for name in columns if name in label(column)], column


@pytest.mark.parametrize(
    ("feature", "value", "words"),
    [
        ("rulebook_drawdown_in_bull", -0.025, "Russell 2000 below its last high: 2.5%"),
        ("credit_spread_zscore_change_13w", 0.31, None),
        ("ten_year_change_13w", 0.31, "10-year Treasury yield, 13-week change: +0.31 points"),
        ("rulebook_weeks_since_extreme", 1.0, None),
        ("rulebook_barrier_bull", 0.0, None),
        ("claims_change", math.log(1.1), "initial jobless claims, 13-week change: +10.0%"),
        ("rulebook_risk_off", 1.0, "the rulebook calls risk_off: yes"),
    ],
)
def test_a_feature_reads_as_its_label_and_its_value_in_its_unit(feature, value, words):
    said = describe(feature, value)
    if words is not None:
        assert said == words
    assert said.startswith(label(feature) + ": ")


def test_a_random_walk_chance_reads_as_a_probability():
    assert formatted("rulebook_barrier_bull", 0.0) == "50%"
    assert formatted("rulebook_barrier_bull", -2.52) == "7%"


def test_a_missing_value_reads_n_a():
    assert formatted("term_spread", None) == "n/a"
    assert formatted("term_spread", float("nan")) == "n/a"


def test_a_change_reads_in_the_features_unit():
    assert change("term_spread", 0.5, 0.9) == "+0.40 points"
    assert change("rulebook_risk_off", 0.0, 1.0) == "no to yes"
    assert change("term_spread", None, 0.9) == "n/a"
