"""The embedded snapshot of real history under `data/` (see data/SOURCES.md)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from regime.config import Settings
from regime.errors import DataSourceError
from regime.sources.market_data import MarketData


def symbol_file_stem(symbol: str) -> str:
    """File name stem for an index symbol: Yahoo's caret is not a friendly file character."""
    return symbol.lstrip("^")


def snapshot_path(data_dir: Path, key: str, *, is_index: bool) -> Path:
    if is_index:
        return data_dir / "market" / f"{symbol_file_stem(key)}.csv"
    return data_dir / "fred" / f"{key}.csv"


def read_series_csv(path: Path, value_column: str) -> pd.Series:
    """Read a `date,<value_column>` CSV into a clean float series (empty cells dropped).

    Raises DataSourceError if the file is missing, unparsable, or its dates are not unique and
    increasing.
    """
    try:
        frame = _read(path, value_column)
    except FileNotFoundError:
        raise DataSourceError(
            f"{path} is missing; reinstall the project or point paths.data at a full data folder"
        ) from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataSourceError(f"{path} is not a valid date,{value_column} CSV: {exc}") from None
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    column = frame[value_column]
    if column.dtype != "float64":
        column = pd.to_numeric(column.replace({".": pd.NA}), errors="coerce")
    values = column
    bad_dates = frame.loc[dates.isna(), "date"].tolist()
    if bad_dates:
        raise DataSourceError(f"{path} has unparsable dates, e.g. {bad_dates[:3]}")
    # na_value: pandas before 3 refuses to turn missing values into float NaN unasked.
    floats = values.to_numpy(dtype=float, na_value=float("nan"))
    series = pd.Series(floats, index=pd.DatetimeIndex(dates), name=path.stem)
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise DataSourceError(f"{path} has dates out of order or repeated")
    return series.dropna()


def _read(path: Path, value_column: str) -> pd.DataFrame:
    """The two columns; values parsed as floats directly (FRED's "." as missing), falling back
    to a cell-by-cell parse that turns any other bad cell into a missing value."""
    try:
        return pd.read_csv(
            path, usecols=["date", value_column], na_values=["."], dtype={value_column: "float64"}
        )
    except ValueError as exc:
        if "could not convert" not in str(exc) and "Unable to parse" not in str(exc):
            raise
    return pd.read_csv(path, usecols=["date", value_column], dtype={value_column: "string"})


def read_snapshot(settings: Settings, only: Collection[str] | None = None) -> MarketData:
    """Every configured FRED series, index and index predecessor from the embedded snapshot
    (only those named in `only`, if given)."""
    data_dir = settings.data_dir
    series: dict[str, pd.Series] = {}
    for series_id in settings.fred_series:
        if only is not None and series_id not in only:
            continue
        series[series_id] = read_series_csv(
            snapshot_path(data_dir, series_id, is_index=False), "value"
        )
    for symbol in (*settings.index_symbols, *settings.indices.snapshot_only):
        if only is not None and symbol not in only:
            continue
        closes = read_series_csv(snapshot_path(data_dir, symbol, is_index=True), "close")
        series[symbol] = closes.rename(symbol)
    return MarketData(series=series, origin={key: "snapshot" for key in series})
