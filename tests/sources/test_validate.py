"""The validator: impossible rows stop (or are dropped, said), implausible values are said (or
stop under strict) and kept; every line names the series, where it was read, the date and the
value. "Today" is always passed in."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pandas as pd
import pytest

from regime.errors import DataSourceError, InvalidDataError
from regime.sources.validate import Reading, Rows, reading, rule_for, validated

TODAY = date(2024, 1, 31)
WHERE = "data/market/GSPC.csv"


def rows(values: list, dates: list[str] | None = None) -> Rows:
    dates = dates or [f"2024-01-{day:02d}" for day in range(1, len(values) + 1)]
    return Rows.of(pd.Series(values, index=pd.DatetimeIndex(dates)))


@pytest.fixture
def checks(settings) -> Reading:
    return reading(settings, today=TODAY)


def check(checks: Reading, key: str, data: Rows, **changes) -> pd.Series:
    from dataclasses import replace

    return validated(key, data, WHERE, replace(checks, **changes))


def test_good_data_comes_back_as_floats_in_silence(checks, caplog):
    clean = check(checks, "DGS10", rows(["4.1", 4.2]))

    assert clean.tolist() == [4.1, 4.2] and clean.dtype == float and clean.name == "DGS10"
    assert caplog.records == []


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("DGS10", "n/a", "value 'n/a': not a number"),
        ("DGS10", float("inf"), "value inf: not finite"),
        ("^GSPC", -4.5, "close -4.5: not positive"),
        ("^RUT", 0.0, "close 0: not positive"),
        ("IWM", -1.0, "close -1: not positive"),  # a total-return index read from the snapshot
    ],
)
def test_an_impossible_value_stops_naming_the_series_the_file_the_date_and_the_value(
    checks, key, value, why
):
    with pytest.raises(InvalidDataError) as caught:
        check(checks, key, rows([1.0, value, 1.0]))

    assert str(caught.value) == (
        f"{key}: {WHERE} has 1 impossible row: 2024-01-02 {why}; "
        "validation.impossible: drop would skip such rows"
    )
    assert caught.value.exit_code == 3


@pytest.mark.parametrize(
    ("dates", "why"),
    [
        (["2024-01-01", "2024-01-02", "2024-01-02"], "2024-01-02 value 3: a repeated date"),
        (["2024-01-01", "2024-01-03", "2024-01-02"], "2024-01-02 value 3: out of order, after "),
        (["2024-01-01", "2024-01-02", "2024-02-01"], "2024-02-01 value 3: dated after today "),
    ],
)
def test_a_date_that_repeats_goes_back_or_lies_after_today_is_impossible(checks, dates, why):
    with pytest.raises(InvalidDataError, match=f"DGS10: {WHERE} has 1 impossible row: {why}"):
        check(checks, "DGS10", rows([1.0, 2.0, 3.0], dates))


def test_today_is_the_day_passed_in(checks):
    late = rows([1.0, 2.0], ["2024-01-30", "2024-01-31"])

    assert len(check(checks, "DGS10", late)) == 2  # today itself is allowed
    with pytest.raises(InvalidDataError, match=r"dated after today \(2024-01-30\)"):
        check(checks, "DGS10", late, today=date(2024, 1, 30))


def test_a_date_that_does_not_parse_is_impossible_and_shown_as_written(checks):
    data = Rows(
        dates=pd.DatetimeIndex(["2024-01-01", pd.NaT]),
        values=np.array([1.0, np.nan]),
        blank=np.array([False, True]),
        date_text=np.array(["2024-01-01", "2024-01-3"], dtype=object),
    )

    with pytest.raises(InvalidDataError, match=r"'2024-01-3' value \(blank\): not a YYYY-MM-DD"):
        check(checks, "DGS10", data)


def test_blank_cells_are_missing_values_dropped_in_silence(checks, caplog):
    data = Rows(
        dates=pd.DatetimeIndex(["2024-01-01", "2024-01-02"]),
        values=np.array([np.nan, 4.0]),
        blank=np.array([True, False]),
    )

    assert check(checks, "DGS10", data).tolist() == [4.0]
    assert caplog.records == []


def test_with_drop_the_impossible_rows_are_left_out_and_named(checks, caplog):
    data = rows([1.0, -2.0, 3.0, 4.0], ["2024-01-01", "2024-01-02", "2024-01-03", "2024-02-09"])

    with caplog.at_level(logging.WARNING):
        clean = check(checks, "^GSPC", data, impossible="drop")

    assert clean.tolist() == [1.0, 3.0]
    assert [r.getMessage() for r in caplog.records] == [
        f"^GSPC: dropped 2 impossible rows of {WHERE}: 2024-01-02 close -2: not positive; "
        "2024-02-09 close 4: dated after today (2024-01-31)"
    ]


def test_a_replay_judges_nothing_after_its_day(checks, caplog):
    closes = [1.0, 2.0, -3.0, 50.0]
    data = rows(closes, ["2024-01-01", "2024-01-02", "2030-01-04", "2030-01-11"])

    with caplog.at_level(logging.WARNING):
        clean = check(checks, "^GSPC", data, through=date(2024, 1, 2), today=date(2031, 1, 1))

    # The impossible close is left out unsaid, the implausible one kept unsaid.
    assert clean.tolist() == [1.0, 2.0, 50.0] and caplog.records == []


def test_a_replay_of_a_day_before_any_pandas_can_hold_judges_nothing(checks):
    assert check(checks, "^GSPC", rows([1.0, 2.0]), through=date(1, 1, 1)).tolist() == [1, 2]


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("DGS10", 999.0, "a yield between -5 and 30"),
        ("DTB3", -6.0, "a yield between -5 and 30"),
        ("T10Y2Y", 12.0, "a yield difference between -10 and 10"),
        ("BAMLH0A0HYM2", -0.1, "a spread between 0 and 40"),
        ("UNRATE", 101.0, "a percentage between 0 and 100"),
        ("ICSA", 0.0, "> 0"),
        ("USREC", 2.0, "between 0 and 1"),
    ],
)
def test_a_value_outside_its_range_is_implausible_said_and_kept(checks, caplog, key, value, rule):
    with caplog.at_level(logging.WARNING):
        clean = check(checks, key, rows([1.0, value]))

    assert clean.tolist() == [1.0, value]
    assert [r.getMessage() for r in caplog.records] == [
        f"{key}: {WHERE} has 1 implausible value, kept: 2024-01-02 value {value:g}: not {rule}"
    ]


def test_under_strict_an_implausible_value_stops(checks):
    with pytest.raises(InvalidDataError) as caught:
        check(checks, "DGS10", rows([4.0, 999.0]), strict=True)

    assert str(caught.value) == (
        f"DGS10: {WHERE} has 1 implausible value: 2024-01-02 value 999: not a yield between -5 "
        "and 30; --strict stops on it"
    )


def test_an_index_close_ten_times_the_one_before_is_implausible(checks, caplog):
    closes = [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 1070.0]
    data = rows(closes, [f"2024-01-{d:02d}" for d in (1, 2, 3, 4, 5, 8, 9, 10)])

    with caplog.at_level(logging.WARNING):
        clean = check(checks, "^GSPC", data)

    assert clean.iloc[-1] == 1070.0
    assert [r.getMessage() for r in caplog.records] == [
        f"^GSPC: {WHERE} has 1 implausible value, kept: 2024-01-10 close 1070: +949% in a week "
        "(from 102 on 2024-01-03), beyond validation.weekly_move (40%)"
    ]


def test_the_weekly_bound_is_the_setting(checks, caplog):
    data = rows([100.0, 100.0, 70.0], ["2024-01-01", "2024-01-05", "2024-01-12"])

    check(checks, "^RUT", data)  # -30%: within 40%
    assert caplog.records == []
    with pytest.raises(InvalidDataError, match=r"-30% in a week .* \(25%\); --strict"):
        check(checks, "^RUT", data, weekly_move=0.25, strict=True)


def test_an_unknown_series_need_only_be_finite(checks):
    assert check(checks, "XYZ", rows([-1e6, 1e6])).tolist() == [-1e6, 1e6]


def test_many_bad_rows_are_counted_after_the_first_three(checks):
    with pytest.raises(InvalidDataError) as caught:
        check(checks, "^GSPC", rows([-1.0] * 5))

    message = str(caught.value)
    assert message.startswith(f"^GSPC: {WHERE} has 5 impossible rows: 2024-01-01 close -1")
    assert "2024-01-03 close -1: not positive; and 2 more;" in message


def test_observations_must_be_indexed_by_date():
    with pytest.raises(DataSourceError, match="x: observations are not indexed by date"):
        Rows.of(pd.Series([1.0], index=["a"], name="x"))


def test_each_configured_series_has_its_rule(settings):
    assert rule_for("DGS10", settings).what == "a yield between -5 and 30"
    assert rule_for("^GSPC", settings).what == "> 0"
    assert rule_for("RU2000PR", settings).what == "> 0"  # a predecessor is an index too
