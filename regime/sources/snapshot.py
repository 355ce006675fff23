"""The embedded snapshot of real history under `data/` (see data/SOURCES.md)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from regime.clock import today as clock_today
from regime.config import Settings
from regime.errors import DataSourceError
from regime.sources.market_data import MarketData
from regime.sources.validate import Reading, Rows, reading, validated


def symbol_file_stem(symbol: str) -> str:
    """File name stem for an index symbol: Yahoo's caret is not a friendly file character."""
    return symbol.lstrip("^")


def snapshot_path(data_dir: Path, key: str, *, is_index: bool) -> Path:
    if is_index:
        return data_dir / "market" / f"{symbol_file_stem(key)}.csv"
    return data_dir / "fred" / f"{key}.csv"


def read_series_csv(
    path: Path, value_column: str, checks: Reading | None = None, key: str | None = None
) -> pd.Series:
    """Read a `date,<value_column>` CSV into a clean float series named `key` (default: the
    file's stem), checked by `checks` (see validate.py; default: judged on today, with no
    series' range). Blank cells and FRED's "." are missing values, dropped.

    Raises DataSourceError if the file is missing or unparsable, InvalidDataError (a
    DataSourceError) for an impossible row under `validation.impossible: stop`.
    """
    try:
        frame, text = _read(path, value_column)
    except FileNotFoundError:
        raise DataSourceError(
            f"{path} is missing; reinstall the project or point paths.data at a full data folder"
        ) from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataSourceError(f"{path} is not a valid date,{value_column} CSV: {exc}") from None
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    column = frame[value_column]
    # na_value: pandas before 3 refuses to turn missing values into float NaN unasked.
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    rows = Rows(
        dates=pd.DatetimeIndex(dates),
        values=np.asarray(values, dtype=float),
        blank=np.asarray(column.isna()),
        date_text=frame["date"].to_numpy(dtype=object),
        value_text=column.to_numpy(dtype=object) if text else None,
    )
    checks = checks if checks is not None else Reading(today=clock_today())
    return validated(key or path.stem, rows, str(path), checks)


# What pandas says when a cell will not parse as a float (its wording differs by version).
NOT_A_FLOAT = ("could not convert", "cannot safely convert", "Unable to parse")


def _read(path: Path, value_column: str) -> tuple[pd.DataFrame, bool]:
    """The two columns, and whether the values were read as text.

    Values are parsed as floats directly, blank cells and FRED's "." as missing; when a cell
    is anything else, the column is read again as text, so the check can name that cell.
    """
    missing = {"keep_default_na": False, "na_values": ["", "."]}
    columns = ["date", value_column]
    try:
        dtypes = {"date": "object", value_column: "float64"}
        return pd.read_csv(path, usecols=columns, dtype=dtypes, **missing), False
    except ValueError as exc:
        if not any(says in str(exc) for says in NOT_A_FLOAT):
            raise
    dtypes = {"date": "object", value_column: "string"}
    return pd.read_csv(path, usecols=columns, dtype=dtypes, **missing), True


def read_snapshot(
    settings: Settings, only: Collection[str] | None = None, checks: Reading | None = None
) -> MarketData:
    """Every configured FRED series, index and index predecessor from the embedded snapshot
    (only those named in `only`, if given), each checked by `checks` (default:
    `validate.reading(settings)`)."""
    checks = checks if checks is not None else reading(settings)
    data_dir = settings.data_dir
    series: dict[str, pd.Series] = {}
    for series_id in settings.fred_series:
        if only is not None and series_id not in only:
            continue
        path = snapshot_path(data_dir, series_id, is_index=False)
        series[series_id] = read_series_csv(path, "value", checks, series_id)
    for symbol in (*settings.index_symbols, *settings.indices.snapshot_only):
        if only is not None and symbol not in only:
            continue
        path = snapshot_path(data_dir, symbol, is_index=True)
        series[symbol] = read_series_csv(path, "close", checks, symbol)
    return MarketData(series=series, origin={key: "snapshot" for key in series})
