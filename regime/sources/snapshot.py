"""The embedded snapshot of real history under `data/` (see data/SOURCES.md)."""

from __future__ import annotations

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
        frame = pd.read_csv(path, usecols=["date", value_column], dtype={value_column: "string"})
    except FileNotFoundError:
        raise DataSourceError(
            f"{path} is missing; reinstall the project or point paths.data at a full data folder"
        ) from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataSourceError(f"{path} is not a valid date,{value_column} CSV: {exc}") from None
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    values = pd.to_numeric(frame[value_column].replace({".": pd.NA}), errors="coerce")
    bad_dates = frame.loc[dates.isna(), "date"].tolist()
    if bad_dates:
        raise DataSourceError(f"{path} has unparsable dates, e.g. {bad_dates[:3]}")
    # na_value: pandas before 3 refuses to turn missing values into float NaN unasked.
    floats = values.to_numpy(dtype=float, na_value=float("nan"))
    series = pd.Series(floats, index=pd.DatetimeIndex(dates), name=path.stem)
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise DataSourceError(f"{path} has dates out of order or repeated")
    return series.dropna()


def read_snapshot(settings: Settings) -> MarketData:
    """Every configured FRED series and index from the embedded snapshot."""
    data_dir = settings.data_dir
    series: dict[str, pd.Series] = {}
    for series_id in settings.fred_series:
        series[series_id] = read_series_csv(
            snapshot_path(data_dir, series_id, is_index=False), "value"
        )
    for symbol in settings.index_symbols:
        closes = read_series_csv(snapshot_path(data_dir, symbol, is_index=True), "close")
        series[symbol] = closes.rename(symbol)
    return MarketData(series=series, origin={key: "snapshot" for key in series})
