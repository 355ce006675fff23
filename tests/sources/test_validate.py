"""Ingest validation: bad data is named, row by row, and never returned as good."""

from __future__ import annotations

import pandas as pd
import pytest

from regime.errors import DataSourceError
from regime.sources.validate import today, validate_observations


def obs(values: list, dates: list[str] | None = None, name: str = "x") -> pd.Series:
    dates = dates or [f"2024-01-{day:02d}" for day in range(1, len(values) + 1)]
    return pd.Series(values, index=pd.DatetimeIndex(dates), name=name)


def test_good_data_comes_back_as_floats(settings):
    clean = validate_observations("DGS10", obs(["4.1", 4.2]), settings)

    assert clean.tolist() == [4.1, 4.2] and clean.dtype == float and clean.name == "DGS10"


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("DGS10", 31.0, "a yield between -5 and 30"),
        ("DTB3", -6.0, "a yield between -5 and 30"),
        ("BAMLH0A0HYM2", -0.1, "a spread >= 0"),
        ("^RUT", 0.0, "> 0"),
        ("ICSA", "n/a", "> 0"),
    ],
)
def test_implausible_values_name_the_series_and_the_rows(settings, key, value, rule):
    with pytest.raises(DataSourceError) as caught:
        validate_observations(key, obs([1.0, value]), settings)

    assert str(caught.value).startswith(f"{key}: 1 value(s) not {rule}: 2024-01-02=")


def test_curve_slopes_may_be_negative(settings):
    assert validate_observations("T10Y3M", obs([-1.5]), settings).tolist() == [-1.5]


def test_repeated_dates_are_rejected(settings):
    with pytest.raises(DataSourceError, match="DGS10: repeated dates 2024-01-01"):
        validate_observations("DGS10", obs([1.0, 2.0], ["2024-01-01", "2024-01-01"]), settings)


def test_dates_out_of_order_are_rejected(settings):
    with pytest.raises(DataSourceError, match="DGS10: dates out of order at 2024-01-01"):
        validate_observations("DGS10", obs([1.0, 2.0], ["2024-01-02", "2024-01-01"]), settings)


def test_dates_in_the_future_are_rejected(settings):
    tomorrow = (pd.Timestamp(today()) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")

    with pytest.raises(DataSourceError, match=f"DGS10: dates in the future {tomorrow}"):
        validate_observations("DGS10", obs([1.0, 2.0], ["2024-01-01", tomorrow]), settings)
