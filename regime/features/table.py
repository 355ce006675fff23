"""The weekly feature table, point in time.

A row dated Friday d uses only observations published on or before d (see publication.py and
known.py), turned into stationary, comparable quantities: changes, spreads, slopes, z-scores
against trailing history, returns, and the rulebook's own state. Pure: `MarketData` in,
`DataFrame` out.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from regime.config import Settings
from regime.features.macro import (
    conditions_features,
    credit_features,
    employment_features,
    rate_features,
)
from regime.features.market import index_closes, market_features
from regime.features.publication import fridays, latest_week, week_ending
from regime.features.state import state_features
from regime.sources.market_data import MarketData


def weekly_rows(
    data: MarketData, settings: Settings, as_of: date | None = None, index: str | None = None
) -> pd.DatetimeIndex:
    """The Fridays that get a row: from the index's first close to the week of `as_of`.

    `index` defaults to the small cap; without `as_of`, the last week is the latest complete
    one that both it and the large cap have closes for (see `latest_week`).
    """
    closes = data[index or settings.indices.small_cap]
    if as_of is not None:
        return fridays(closes.index[0], week_ending(as_of))
    large = data[settings.indices.large_cap]
    return fridays(closes.index[0], latest_week(min(closes.index[-1], large.index[-1])))


def build_features(
    data: MarketData, settings: Settings, as_of: date | None = None, index: str | None = None
) -> pd.DataFrame:
    """One row per Friday up to the week of `as_of`, each using only what was public then.

    The price and rulebook-state columns describe `index` (default: the small cap) against the
    large caps; the macro columns are the same whichever index is described. Columns may be NaN
    where a series had not started, or had gone stale, on a row's date.
    """
    symbol = index or settings.indices.small_cap
    rows = weekly_rows(data, settings, as_of, symbol)
    closes = index_closes(data, settings, rows, symbol).dropna()
    parts = [
        market_features(data, settings, rows, symbol),
        macro_features(data, settings, rows),
        state_features(closes, settings.labels).reindex(rows),
    ]
    table = pd.concat(parts, axis=1)
    table.index.name = "date"
    return table


def macro_features(data: MarketData, settings: Settings, rows: pd.DatetimeIndex) -> pd.DataFrame:
    """The macro columns (rates, credit, labour, financial conditions) of every row in `rows`,
    each using only what was public on its date; the same whichever index a table describes.

    The recession nowcast reads these from 1968, long before the small cap's first close.
    """
    if len(rows) == 0:
        return pd.DataFrame(index=rows)
    macro_rows = _macro_rows(rows, settings)
    parts = [
        rate_features(data, settings, macro_rows),
        credit_features(data, settings, macro_rows),
        employment_features(data, settings, macro_rows),
        conditions_features(data, settings, macro_rows),
    ]
    table = pd.concat(parts, axis=1).reindex(rows)
    table.index.name = "date"
    return table


def _macro_rows(rows: pd.DatetimeIndex, settings: Settings) -> pd.DatetimeIndex:
    """`rows`, extended back far enough that the macro features' trailing windows (z-scores and
    their changes) are full on the first row: macro history long predates the index's."""
    f = settings.features
    weeks = f.zscore_weeks + max(f.change_weeks, default=0) + 52
    return fridays(rows[0] - pd.Timedelta(weeks=weeks), rows[-1])


def weekly_index_closes(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex, index: str | None = None
) -> pd.DataFrame:
    """Closes of `index` (default: the small cap) and the large caps as of each row."""
    return index_closes(data, settings, rows, index or settings.indices.small_cap)
