"""The week a prediction answers needs both indices: the latest week both have closes for, and
never a week one of them does not reach. Hand-built closes around the embedded data's last week."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import pytest

from regime.errors import StaleDataError, UsageError
from regime.features.table import weekly_rows
from regime.model.week import answered_week
from regime.sources import MarketData

EARLIEST = pd.Timestamp("2026-01-02")


def closes(first: str, last: str) -> pd.Series:
    days = pd.bdate_range(first, last)
    return pd.Series(100.0, index=days)


def data(small_last: str, large_last: str) -> MarketData:
    return MarketData(
        {"^RUT": closes("2025-01-02", small_last), "^GSPC": closes("2024-01-02", large_last)}
    )


def week(market: MarketData, settings, as_of: date | None = None) -> str:
    return answered_week(market, settings, as_of, EARLIEST).date().isoformat()


def test_with_both_indices_to_the_same_friday_that_week_is_answered(project_settings, caplog):
    assert week(data("2026-08-21", "2026-08-21"), project_settings) == "2026-08-21"
    assert caplog.records == []


@pytest.mark.parametrize(
    ("small", "large"), [("2026-08-28", "2026-08-21"), ("2026-08-21", "2026-08-28")]
)
def test_the_shorter_index_holds_the_week_back_and_is_named(project_settings, caplog, small, large):
    with caplog.at_level(logging.WARNING):
        answered = week(data(small, large), project_settings)

    assert answered == "2026-08-21"
    shorter, longer = ("^GSPC", "^RUT") if small > large else ("^RUT", "^GSPC")
    assert [r.getMessage() for r in caplog.records] == [
        f"{shorter} ends on 2026-08-21, {longer} on 2026-08-28: the week predicted is 2026-08-21, "
        "the last both indices have; run `regime fetch` for newer data"
    ]


def test_a_week_one_index_has_only_up_to_thursday_is_not_complete(project_settings):
    assert week(data("2026-08-28", "2026-08-27"), project_settings) == "2026-08-21"


def test_a_week_asked_for_that_the_large_cap_does_not_reach_names_it(project_settings):
    with pytest.raises(StaleDataError) as caught:
        week(data("2026-08-28", "2026-08-21"), project_settings, date(2026, 8, 28))

    assert str(caught.value) == (
        "no ^GSPC close for the week of 2026-08-28; ^GSPC covers 2024-01-02 to 2026-08-21 "
        "(run `regime fetch` for newer data)"
    )


def test_an_index_that_ends_before_the_earliest_week_is_an_error_naming_it(project_settings):
    with pytest.raises(StaleDataError, match="^\\^GSPC ends on 2025-06-30, before the earliest"):
        week(data("2026-08-21", "2025-06-30"), project_settings)


def test_an_as_of_before_the_earliest_week_is_still_a_usage_error(project_settings):
    with pytest.raises(UsageError, match="no answer for --as-of 2025-12-01"):
        week(data("2026-08-21", "2026-08-21"), project_settings, date(2025, 12, 1))


def test_the_feature_rows_end_on_the_same_week(project_settings):
    rows = weekly_rows(data("2026-08-28", "2026-08-21"), project_settings)

    assert rows[-1] == pd.Timestamp("2026-08-21")
