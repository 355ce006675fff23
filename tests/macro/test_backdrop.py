"""The macro backdrop's mechanics, on small hand-built weekly frames: thresholds in the worse
direction, the direction's tolerance, percentiles known then, and missing values said to be
missing, never filled in."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from regime.config import BackdropFamily, BackdropSettings, Settings
from regime.errors import ConfigError, StaleDataError
from regime.macro.backdrop import (
    direction_of,
    family_history,
    macro_backdrop,
    state_of,
)
from regime.macro.indicators import ordinal

WORSE_UP = BackdropFamily(indicator="sahm_realtime", watch=0.3, stress=0.5, tolerance=0.1)
WORSE_DOWN = BackdropFamily(
    indicator="term_spread", higher_is_worse=False, watch=0.5, stress=0.0, tolerance=0.3
)


def with_families(settings: Settings, **families: BackdropFamily) -> Settings:
    return settings.model_copy(update={"backdrop": BackdropSettings(families=families)})


@pytest.fixture
def settings(project_settings) -> Settings:
    return with_families(project_settings, labour=WORSE_UP, curve=WORSE_DOWN)


def weekly(**columns: list[float]) -> pd.DataFrame:
    """Columns of weekly values on Fridays from 2001-01-05."""
    length = len(next(iter(columns.values())))
    index = pd.date_range("2001-01-05", periods=length, freq="W-FRI")
    return pd.DataFrame(columns, index=index, dtype=float)


def ramp(last: float, weeks: int = 20) -> list[float]:
    """`weeks` values rising evenly from 0 to `last`."""
    return list(np.linspace(0.0, last, weeks))


@pytest.mark.parametrize(
    "value, state",
    [(0.29, "calm"), (0.3, "watch"), (0.49, "watch"), (0.5, "stress"), (3.0, "stress")],
)
def test_when_higher_is_worse_each_state_starts_at_its_threshold(value, state):
    assert state_of(value, WORSE_UP) == state


@pytest.mark.parametrize(
    "value, state",
    [
        (1.2, "calm"),
        (0.51, "calm"),
        (0.5, "watch"),
        (0.01, "watch"),
        (0.0, "stress"),
        (-1, "stress"),
    ],
)
def test_when_lower_is_worse_the_thresholds_are_read_downwards(value, state):
    assert state_of(value, WORSE_DOWN) == state


@pytest.mark.parametrize(
    "change, direction",
    [(0.0, "steady"), (0.1, "steady"), (-0.1, "steady"), (0.11, "rising"), (-0.2, "falling")],
)
def test_a_change_within_the_tolerance_is_steady(change, direction):
    assert direction_of(change, tolerance=0.1) == direction


def test_a_change_of_exactly_the_tolerance_is_steady_despite_float_rounding():
    assert 0.4 - 0.3 > 0.1  # the float the subtraction really gives: 0.10000000000000003
    assert direction_of(0.4 - 0.3, tolerance=0.1) == "steady"


def test_the_change_compares_the_week_with_13_weeks_before(settings):
    values = [0.0] * 6 + [0.2] * 7 + [0.2] * 7  # 20 weeks; 13 before the last is 0.2
    features = weekly(sahm_realtime=values, term_spread=[1.0] * 20)
    reading = macro_backdrop(features, features.index[-1], settings).reading("labour")
    assert reading.change_13w == pytest.approx(0.0) and reading.direction == "steady"
    earlier = macro_backdrop(features, features.index[13], settings).reading("labour")
    assert earlier.change_13w == pytest.approx(0.2) and earlier.direction == "rising"


def test_the_percentile_ranks_the_week_against_its_own_history_up_to_then(settings):
    features = weekly(sahm_realtime=[4.0, 1.0, 3.0, 2.0, 5.0], term_spread=[1.0] * 5)
    percentiles = [
        macro_backdrop(features, week, settings).reading("labour").figure.percentile
        for week in features.index
    ]
    # 1.0 is the lowest of two (rank 1 of 2); 3.0 the middle of three; 2.0 the second of four.
    assert percentiles == pytest.approx([100.0, 50.0, 100 * 2 / 3, 50.0, 100.0])


def test_ties_take_their_average_rank(settings):
    features = weekly(sahm_realtime=[1.0, 1.0, 1.0, 1.0], term_spread=[1.0] * 4)
    figure = macro_backdrop(features, features.index[-1], settings).reading("labour").figure
    assert figure.percentile == pytest.approx(62.5)  # ranks 1-4 average 2.5, of 4


def test_appending_later_weeks_never_changes_a_past_reading(settings):
    rng = np.random.default_rng(7)
    print("seed 7")
    full = weekly(
        sahm_realtime=list(rng.normal(0.3, 0.3, 80)), term_spread=list(rng.normal(0.5, 1, 80))
    )
    full.iloc[50:53, 0] = np.nan  # a stale spell inside the history
    for week in full.index[10:70:7]:
        short = full.loc[:week]
        assert macro_backdrop(short, week, settings) == macro_backdrop(full, week, settings)
        past = short.index[5:]
        pd.testing.assert_frame_equal(
            family_history(short, past, settings), family_history(full, past, settings)
        )


def test_a_missing_value_is_a_stale_reading_naming_the_last_week_with_one(settings):
    features = weekly(sahm_realtime=ramp(0.4, 18) + [np.nan, np.nan], term_spread=[1.0] * 20)
    reading = macro_backdrop(features, features.index[-1], settings).reading("labour")
    assert reading.state == "stale"
    assert reading.figure.value is None and reading.figure.percentile is None
    assert reading.change_13w is None and reading.direction is None
    assert reading.figure.last_observed == features.index[17].date()
    assert "stale, last known in the week of 2001-05-04" in reading.sentence
    assert "0.40" not in reading.sentence  # the last value is never shown as this week's


def test_a_week_before_the_history_starts_is_unavailable_not_stale(settings):
    features = weekly(sahm_realtime=[np.nan] * 5 + ramp(0.2, 15), term_spread=[1.0] * 20)
    reading = macro_backdrop(features, features.index[2], settings).reading("labour")
    assert reading.state == "unavailable" and reading.figure.last_observed is None
    assert "has no history yet" in reading.sentence


def test_no_value_13_weeks_before_means_no_direction(settings):
    features = weekly(sahm_realtime=[np.nan] * 8 + ramp(0.6, 12), term_spread=[1.0] * 20)
    reading = macro_backdrop(features, features.index[-1], settings).reading("labour")
    assert reading.state == "stress" and reading.direction is None
    assert "no value 13 weeks earlier to compare" in reading.sentence


def test_the_sentence_says_the_family_figure_rank_direction_and_state(settings):
    features = weekly(sahm_realtime=ramp(0.6), term_spread=ramp(-0.8))
    backdrop = macro_backdrop(features, features.index[-1], settings)
    assert backdrop.sentences == (
        "Labour: the real-time Sahm value is 0.60 points (the highest since 2001), "
        "rising over 13 weeks (+0.41): stress.",
        "Curve: the 10y-3m term spread is -0.80 points (the lowest since 2001), "
        "falling over 13 weeks (-0.55): stress.",
    )


def test_a_secondary_figure_is_shown_beside_the_reading_without_a_state(project_settings):
    conditions = BackdropFamily(
        indicator="financial_conditions", watch=0.0, stress=1.0, tolerance=0.1, secondary="vix"
    )
    settings = with_families(project_settings, conditions=conditions)
    features = weekly(financial_conditions=[-0.5] * 19 + [-0.4], vix=[20.0] * 19 + [30.0])
    reading = macro_backdrop(features, features.index[-1], settings).reading("conditions")
    assert reading.state == "calm"
    assert reading.secondary is not None and reading.secondary.value == 30.0
    assert reading.sentence.endswith("calm; the VIX is 30.0 (the highest since 2001).")


def test_to_dict_is_plain_json_with_the_promised_fields(settings):
    features = weekly(sahm_realtime=ramp(0.2, 18) + [np.nan] * 2, term_spread=ramp(1.0))
    payload = macro_backdrop(features, features.index[-1], settings).to_dict()
    assert json.loads(json.dumps(payload)) == payload
    labour, curve = payload["families"]
    for field in (
        "family",
        "indicator",
        "label",
        "unit",
        "value",
        "percentile",
        "change_13w",
        "direction",
        "state",
        "sentence",
        "last_observed",
    ):
        assert field in labour and field in curve
    assert payload["week"] == "2001-05-18"
    assert labour["value"] is None and labour["last_observed"] == "2001-05-04"
    assert curve["value"] == 1.0 and curve["last_observed"] == "2001-05-18"


def test_the_history_gives_each_week_the_reading_of_that_week(settings):
    rng = np.random.default_rng(11)
    print("seed 11")
    features = weekly(
        sahm_realtime=list(rng.normal(0.3, 0.3, 60)), term_spread=list(rng.normal(0.5, 1, 60))
    )
    features.iloc[[5, 30, 31], 0] = np.nan
    weeks = features.index[20:]
    history = family_history(features, weeks, settings).set_index(["week", "family"])
    for week in weeks:
        for reading in macro_backdrop(features, week, settings).readings:
            row = history.loc[(week, reading.family)]
            assert row["state"] == reading.state
            value, percentile = reading.figure.value, reading.figure.percentile
            assert row["value"] == pytest.approx(np.nan if value is None else value, nan_ok=True)
            expected = np.nan if percentile is None else percentile
            assert row["percentile"] == pytest.approx(expected, nan_ok=True)


def test_a_week_the_features_lack_is_an_error_saying_how_to_build_them(settings):
    features = weekly(sahm_realtime=ramp(0.2), term_spread=ramp(1.0))
    with pytest.raises(StaleDataError, match="no row for the week of 2001-06-01.*backdrop_inputs"):
        macro_backdrop(features, pd.Timestamp("2001-06-01"), settings)


def test_an_indicator_the_features_lack_is_a_config_error_naming_the_key(settings):
    features = weekly(sahm_realtime=ramp(0.2))
    with pytest.raises(ConfigError, match=r"backdrop\.families\.curve\.indicator 'term_spread'"):
        macro_backdrop(features, features.index[-1], settings)


def test_an_indicator_without_words_is_a_config_error_naming_the_known_ones(project_settings):
    family = BackdropFamily(indicator="payroll_growth", watch=1.0, stress=2.0, tolerance=0.1)
    settings = with_families(project_settings, labour=family)
    features = weekly(payroll_growth=ramp(1.0))
    with pytest.raises(ConfigError, match="no words for indicator 'payroll_growth'; use one of"):
        macro_backdrop(features, features.index[-1], settings)


@pytest.mark.parametrize(
    "n, word",
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (52, "52nd"),
        (99, "99th"),
    ],
)
def test_percentiles_read_as_ordinals(n, word):
    assert ordinal(n) == word
