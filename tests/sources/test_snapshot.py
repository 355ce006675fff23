"""The embedded snapshot's CSV files: read into clean float series, or refused in one line that
names the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from regime.errors import DataSourceError, InvalidDataError
from regime.sources.snapshot import read_series_csv


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "DGS10.csv"
    path.write_text(text)
    return path


def test_freds_dots_are_missing_values_and_dropped(tmp_path):
    path = write(tmp_path, "date,value\n2024-01-01,.\n2024-01-02,3.95\n2024-01-03,3.91\n")
    series = read_series_csv(path, "value")
    assert series.index.tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    assert series.tolist() == [3.95, 3.91]
    assert series.dtype == "float64" and series.name == "DGS10"


def test_blank_cells_are_missing_values_too(tmp_path):
    path = write(tmp_path, "date,value\n2024-01-02,3.95\n2024-01-03,\n2024-01-04,3.90\n")
    assert read_series_csv(path, "value").tolist() == [3.95, 3.90]


def test_a_cell_that_is_not_a_number_is_refused_as_written(tmp_path):
    path = write(tmp_path, "date,value\n2024-01-02,3.95\n2024-01-03,n/a?\n2024-01-04,3.90\n")
    with pytest.raises(InvalidDataError, match=r"DGS10.csv has 1 impossible row: 2024-01-03 "):
        read_series_csv(path, "value")


def test_a_missing_file_says_how_to_get_it_back(tmp_path):
    with pytest.raises(DataSourceError, match="DGS10.csv is missing; reinstall"):
        read_series_csv(tmp_path / "DGS10.csv", "value")


def test_unparsable_dates_are_refused_as_written(tmp_path):
    path = write(tmp_path, "date,value\n2024-01-02,3.95\n2024-13-45,3.91\n")
    with pytest.raises(InvalidDataError, match="'2024-13-45' value 3.91: not a YYYY-MM-DD date"):
        read_series_csv(path, "value")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("2024-01-03,3.9\n2024-01-02,3.95\n", "2024-01-02 value 3.95: out of order, after "),
        ("2024-01-02,3.9\n2024-01-02,3.95\n", "2024-01-02 value 3.95: a repeated date"),
    ],
)
def test_dates_out_of_order_or_repeated_are_refused(tmp_path, body, why):
    path = write(tmp_path, "date,value\n" + body)
    with pytest.raises(InvalidDataError, match=why):
        read_series_csv(path, "value")


def test_a_file_without_the_value_column_is_refused(tmp_path):
    path = write(tmp_path, "date,close\n2024-01-02,3.95\n")
    with pytest.raises(DataSourceError, match="is not a valid date,value CSV"):
        read_series_csv(path, "value")
