"""The macro backdrop on the real embedded history: the weeks everyone remembers read as they
felt, and the snapshot's last week gives a reading for every family, stale where it is."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from regime.features.table import weekly_rows
from regime.macro.backdrop import backdrop_inputs, family_history, macro_backdrop

STATES = {"calm", "watch", "stress", "stale", "unavailable"}


@pytest.fixture(scope="module")
def last_week(embedded_data, project_settings) -> pd.Timestamp:
    return weekly_rows(embedded_data, project_settings)[-1]


@pytest.fixture(scope="module")
def inputs(embedded_data, project_settings, last_week) -> pd.DataFrame:
    return backdrop_inputs(embedded_data, project_settings, last_week.date())


def states_on(inputs, settings, week: str) -> dict[str, str]:
    backdrop = macro_backdrop(inputs, pd.Timestamp(week), settings)
    print("\n".join(backdrop.sentences))
    return {r.family: r.state for r in backdrop.readings}


def test_the_inputs_start_with_the_nowcast_and_carry_the_secondary_figures(inputs):
    assert inputs.index[0] == pd.Timestamp("1968-01-05")
    assert {"vix", "high_yield_oas"} <= set(inputs.columns)


def test_the_week_after_lehman_reads_stress_on_labour_credit_and_conditions(
    inputs, project_settings
):
    states = states_on(inputs, project_settings, "2008-10-10")
    assert states["labour"] == states["credit"] == states["conditions"] == "stress"
    # The curve leads: after the Fed's cuts it was steep, not inverted.
    assert states["curve"] == "calm"


@pytest.mark.parametrize("week", ["2005-06-03", "2017-06-02"])
def test_a_quiet_expansion_week_reads_calm_on_every_family(inputs, project_settings, week):
    assert set(states_on(inputs, project_settings, week).values()) == {"calm"}


def test_the_inverted_curve_of_2006_2007_reads_stress_on_the_curve(inputs, project_settings):
    weeks = inputs.loc["2006-08-01":"2007-05-31"].index
    history = family_history(inputs, weeks, project_settings)
    curve = history[history["family"] == "curve"]
    assert len(curve) == len(weeks) and (curve["state"] == "stress").all()


def test_the_snapshots_last_week_reads_every_family_and_says_credit_is_stale(
    inputs, project_settings, last_week
):
    backdrop = macro_backdrop(inputs, last_week, project_settings)
    print("\n".join(backdrop.sentences))
    assert [r.family for r in backdrop.readings] == ["labour", "credit", "curve", "conditions"]
    assert all(r.sentence for r in backdrop.readings)
    credit = backdrop.reading("credit")
    # The daily BAA10Y ends in April 2026; the monthly Baa lasts to its staleness limit.
    assert credit.state == "stale" and credit.figure.value is None
    assert credit.figure.last_observed is not None
    assert date(2026, 4, 29) < credit.figure.last_observed < last_week.date()
    assert credit.secondary is not None and credit.secondary.value is not None
    for family in ("labour", "curve", "conditions"):
        reading = backdrop.reading(family)
        assert reading.figure.value is not None and reading.state in {"calm", "watch", "stress"}
        assert reading.figure.last_observed == last_week.date()


def test_a_reading_from_data_cut_at_its_week_equals_the_one_from_all_the_data(
    embedded_data, project_settings, inputs
):
    week = pd.Timestamp("2008-10-10")
    cut = backdrop_inputs(embedded_data, project_settings, week.date())
    assert cut.index[-1] == week
    assert macro_backdrop(cut, week, project_settings) == macro_backdrop(
        inputs, week, project_settings
    )


def test_the_percentiles_rank_against_history_since_each_indicators_first_week(
    inputs, project_settings, last_week
):
    backdrop = macro_backdrop(inputs, last_week, project_settings)
    since = {r.figure.indicator: r.figure.since for r in backdrop.readings}
    assert since == {
        "sahm_realtime": 1968,
        "baa_spread": 1968,
        "term_spread": 1968,
        "financial_conditions": 1971,
    }
    assert backdrop.reading("conditions").secondary.since == 1990  # type: ignore[union-attr]


def test_the_json_of_a_real_week_round_trips(inputs, project_settings, last_week):
    payload = macro_backdrop(inputs, last_week, project_settings).to_dict()
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload


def test_two_years_of_history_give_every_family_a_known_state_each_week(inputs, project_settings):
    weeks = inputs.index[-104:]
    history = family_history(inputs, weeks, project_settings)
    assert len(history) == 104 * 4
    assert set(history["state"]) <= STATES
    credit = history[history["family"] == "credit"].set_index("week")
    assert (credit["state"].iloc[-2:] == "stale").all() and credit["value"].iloc[-2:].isna().all()
