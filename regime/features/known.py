"""A series as known on each weekly row: its publication rule, staleness and z-scores.

Every feature goes through `known_on`, so the one place that decides what a row dated d may see
is here (with publication.py): an observation enters a row only once it was published by d.
"""

from __future__ import annotations

import pandas as pd

from regime.config import Settings
from regime.features.publication import as_known_on, publication_dates
from regime.sources.market_data import MarketData

# How often each series is observed decides how stale it may get before it counts as missing.
_CADENCE = {"employment_report": "monthly"}
_WEEKLY_SERIES_ROLES = ("initial_claims", "continuing_claims", "financial_conditions")
_MONTHLY_SERIES_ROLES = ("baa_yield",)


def cadence(settings: Settings, series_id: str) -> str:
    """'daily', 'weekly' or 'monthly': decides the staleness allowance."""
    rule = settings.publication[series_id].rule
    if rule in _CADENCE:
        return _CADENCE[rule]
    roles = settings.series.by_role()
    if any(roles[role] == series_id for role in _WEEKLY_SERIES_ROLES):
        return "weekly"
    if any(roles[role] == series_id for role in _MONTHLY_SERIES_ROLES):
        return "monthly"
    return "daily"


def known_on(
    settings: Settings,
    data: MarketData,
    series_id: str,
    rows: pd.DatetimeIndex,
    values: pd.Series | None = None,
) -> pd.Series:
    """`values` (default: the raw series) as known on each row, under its publication rule.

    `values` derived from a series keep its observation dates, so they are public exactly when
    their latest input was.
    """
    raw = data[series_id] if values is None else values
    published = publication_dates(raw.index, settings.publication[series_id])
    max_age = getattr(settings.max_staleness_days, cadence(settings, series_id))
    return as_known_on(raw, published, rows, max_age)


def zscore(series: pd.Series, window: int) -> pd.Series:
    """Each row against its trailing `window` rows (a year of history at least)."""
    rolling = series.rolling(window, min_periods=52)
    return (series - rolling.mean()) / rolling.std()
