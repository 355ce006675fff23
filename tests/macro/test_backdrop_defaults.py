"""The backdrop's default thresholds say in config.yaml why they were chosen; these tests hold
each quoted figure to the embedded weekly history (from 1968 to USREC's last month; USREC for
the recession weeks), so a comment cannot drift from the data it quotes."""

from __future__ import annotations

import pandas as pd
import pytest

from regime.config import DEFAULT_BACKDROP_FAMILIES
from regime.features.table import weekly_rows
from regime.macro.backdrop import backdrop_inputs

INVERSION_LEAD_WEEKS = 78  # 18 months


@pytest.fixture(scope="module")
def usrec(embedded_data, project_settings) -> pd.Series:
    """Per week from 1968: 1 if its month is an NBER recession month, 0 if not, NaN after
    USREC's last month."""
    last = weekly_rows(embedded_data, project_settings)[-1]
    rows = backdrop_inputs(embedded_data, project_settings, last.date()).index
    months = rows.to_period("M").to_timestamp()
    return pd.Series(embedded_data["USREC"].reindex(months).to_numpy(), index=rows)


@pytest.fixture(scope="module")
def inputs(embedded_data, project_settings, usrec) -> pd.DataFrame:
    """The backdrop's inputs on the weeks whose month USREC has dated."""
    last = weekly_rows(embedded_data, project_settings)[-1]
    table = backdrop_inputs(embedded_data, project_settings, last.date())
    return table.loc[usrec.notna()]


@pytest.fixture(scope="module")
def in_recession(usrec, inputs) -> pd.Series:
    return usrec.loc[inputs.index] == 1


@pytest.fixture(scope="module")
def recessions(in_recession) -> list[pd.DatetimeIndex]:
    """Each recession's weeks, in order."""
    spell = (in_recession != in_recession.shift()).cumsum()
    weeks = in_recession[in_recession]
    return [group.index for _, group in weeks.groupby(spell[in_recession])]


def percent_at_or_beyond(values: pd.Series, threshold: float, higher_is_worse: bool) -> int:
    known = values.dropna()
    beyond = known >= threshold if higher_is_worse else known <= threshold
    return round(100 * beyond.mean())


def shares(inputs, in_recession, family: str, threshold: float) -> tuple[int, int]:
    """(% of recession weeks, % of expansion weeks) at or beyond `threshold`."""
    config = DEFAULT_BACKDROP_FAMILIES[family]
    values = inputs[config.indicator]
    worse = config.higher_is_worse
    return (
        percent_at_or_beyond(values[in_recession], threshold, worse),
        percent_at_or_beyond(values[~in_recession], threshold, worse),
    )


def recessions_reaching(inputs, recessions, indicator: str, threshold: float) -> tuple[int, int]:
    """(recessions whose weeks reached `threshold`, recessions with the indicator known)."""
    values = [inputs.loc[weeks, indicator] for weeks in recessions]
    known = [v for v in values if v.notna().any()]
    return sum(bool((v >= threshold).any()) for v in known), len(known)


def test_the_project_config_holds_the_code_defaults(project_settings):
    assert project_settings.backdrop.families == DEFAULT_BACKDROP_FAMILIES


def test_there_are_eight_recessions_since_1968(recessions):
    assert [weeks[0].year for weeks in recessions] == [
        1970,
        1973,
        1980,
        1981,
        1990,
        2001,
        2008,
        2020,
    ]


def test_labour_watch_and_stress_as_quoted(inputs, in_recession, recessions):
    assert shares(inputs, in_recession, "labour", 0.3) == (87, 22)
    assert recessions_reaching(inputs, recessions, "sahm_realtime", 0.5) == (7, 8)
    covid = recessions[-1]
    after = inputs.loc[covid[-1] :, "sahm_realtime"]
    # 2020: the first jobs report after the trough month's.
    assert (after >= 0.5).idxmax() - covid[-1] <= pd.Timedelta(weeks=3)


def test_credit_watch_and_stress_as_quoted(inputs, in_recession, recessions):
    assert shares(inputs, in_recession, "credit", 2.5) == (56, 24)
    assert recessions_reaching(inputs, recessions, "baa_spread", 3.0) == (5, 8)
    assert shares(inputs, in_recession, "credit", 3.0)[1] == 8


def test_curve_watch_and_stress_as_quoted(inputs, in_recession, recessions):
    assert shares(inputs, in_recession, "curve", 0.5)[1] == 28
    for weeks in recessions:
        before = inputs.loc[weeks[0] - pd.Timedelta(weeks=INVERSION_LEAD_WEEKS) : weeks[0]]
        assert (before["term_spread"] <= 0.0).any(), f"no inversion before {weeks[0].date()}"


def test_conditions_watch_and_stress_as_quoted(inputs, in_recession, recessions):
    assert shares(inputs, in_recession, "conditions", 0.0) == (87, 23)
    assert recessions_reaching(inputs, recessions, "financial_conditions", 1.0) == (4, 7)
    assert shares(inputs, in_recession, "conditions", 1.0)[1] == 7


@pytest.mark.parametrize(
    "family, median", [("labour", 0.13), ("credit", 0.18), ("curve", 0.35), ("conditions", 0.12)]
)
def test_each_tolerance_is_a_round_number_just_under_the_typical_quarters_move(
    inputs, family, median
):
    config = DEFAULT_BACKDROP_FAMILIES[family]
    typical = inputs[config.indicator].diff(13).abs().median()
    assert round(typical, 2) == median
    assert 0.75 * typical <= config.tolerance <= typical
