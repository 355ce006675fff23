"""The weekly feature table, point in time.

A row dated Friday d uses only observations published on or before d (see publication.py), and
turns them into stationary, comparable quantities: changes, spreads, slopes, z-scores against
trailing history, returns. Pure: `MarketData` in, `DataFrame` out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES, RISK_OFF
from regime.features.publication import (
    as_known_on,
    fridays,
    latest_week,
    publication_dates,
    week_ending,
)
from regime.rulebook.rules import realtime_state
from regime.sources.market_data import MarketData

# How often each series is observed decides how stale it may get before it counts as missing.
_CADENCE = {"employment_report": "monthly"}
_WEEKLY_SERIES_ROLES = ("initial_claims",)


def weekly_rows(
    data: MarketData, settings: Settings, as_of: date | None = None
) -> pd.DatetimeIndex:
    """The Fridays that get a row: from the first small-cap close to the week of `as_of`.

    Without `as_of`, the last week is the latest complete one at the last small-cap close (see
    `latest_week`).
    """
    small = data[settings.indices.small_cap]
    last = week_ending(as_of) if as_of is not None else latest_week(small.index[-1])
    return fridays(small.index[0], last)


def cadence(settings: Settings, series_id: str) -> str:
    """'daily', 'weekly' or 'monthly': decides the staleness allowance."""
    rule = settings.publication[series_id].rule
    if rule in _CADENCE:
        return _CADENCE[rule]
    roles = settings.series.by_role()
    if any(roles[role] == series_id for role in _WEEKLY_SERIES_ROLES):
        return "weekly"
    return "daily"


def known_on(
    settings: Settings,
    data: MarketData,
    series_id: str,
    rows: pd.DatetimeIndex,
    values: pd.Series | None = None,
) -> pd.Series:
    """`values` (default: the raw series) as known on each row, under its publication rule."""
    raw = data[series_id] if values is None else values
    published = publication_dates(raw.index, settings.publication[series_id])
    max_age = getattr(settings.max_staleness_days, cadence(settings, series_id))
    return as_known_on(raw, published, rows, max_age)


def build_features(data: MarketData, settings: Settings, as_of: date | None = None) -> pd.DataFrame:
    """One row per Friday up to the week of `as_of`, each using only what was public then.

    Columns may be NaN where a series had not started, or had gone stale, on a row's date.
    """
    rows = weekly_rows(data, settings, as_of)
    parts = [
        _market_features(data, settings, rows),
        _rate_features(data, settings, rows),
        _credit_features(data, settings, rows),
        _employment_features(data, settings, rows),
        _rulebook_features(data, settings, rows),
    ]
    table = pd.concat(parts, axis=1)
    table.index.name = "date"
    return table


def weekly_index_closes(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex
) -> pd.DataFrame:
    """Small- and large-cap closes as of each row (columns `small_cap`, `large_cap`)."""
    return pd.DataFrame(
        {
            "small_cap": known_on(settings, data, settings.indices.small_cap, rows),
            "large_cap": known_on(settings, data, settings.indices.large_cap, rows),
        }
    )


def _market_features(data: MarketData, settings: Settings, rows: pd.DatetimeIndex) -> pd.DataFrame:
    f = settings.features
    closes = np.log(weekly_index_closes(data, settings, rows))
    out = {}
    for weeks in f.return_weeks:
        small = closes["small_cap"].diff(weeks)
        large = closes["large_cap"].diff(weeks)
        out[f"small_cap_return_{weeks}w"] = small
        out[f"large_cap_return_{weeks}w"] = large
        out[f"relative_return_{weeks}w"] = small - large
    out["small_cap_drawdown"] = np.exp(closes["small_cap"] - closes["small_cap"].cummax()) - 1
    out["volatility_ratio"] = _volatility_ratio(data, settings, rows)
    vix = known_on(settings, data, settings.series.market.vix, rows)
    out["vix_zscore"] = _zscore(vix, f.zscore_weeks)
    return pd.DataFrame(out, index=rows)


def _volatility_ratio(data: MarketData, settings: Settings, rows: pd.DatetimeIndex) -> pd.Series:
    """Trailing realised volatility of daily small-cap returns over that of large caps."""
    window = settings.features.volatility_days
    vols = {}
    for role, symbol in (
        ("small", settings.indices.small_cap),
        ("large", settings.indices.large_cap),
    ):
        daily = np.log(data[symbol]).diff()
        vols[role] = known_on(settings, data, symbol, rows, daily.rolling(window).std().dropna())
    return vols["small"] / vols["large"]


def _rate_features(data: MarketData, settings: Settings, rows: pd.DatetimeIndex) -> pd.DataFrame:
    roles = settings.series.rates.model_dump()
    known = {role: known_on(settings, data, sid, rows) for role, sid in roles.items()}
    out = {
        "slope_10y2y": known["slope_10y2y"],
        "slope_10y3m": known["slope_10y3m"],
        "two_year_minus_fed_funds": known["two_year"] - known["fed_funds"],
    }
    for weeks in settings.features.change_weeks:
        for role, series in known.items():
            out[f"{role}_change_{weeks}w"] = series.diff(weeks)
    return pd.DataFrame(out, index=rows)


def _credit_features(data: MarketData, settings: Settings, rows: pd.DatetimeIndex) -> pd.DataFrame:
    """Credit spread as a z-score against its trailing history: HY OAS, else Baa-10y.

    HY OAS starts in 1997 and reacts first; Baa-10y covers 1990 on but stops in April 2026 in
    the snapshot. Taking HY where it exists and Baa only before it keeps one comparable signal
    that does not jump when Baa's feed ends.
    """
    f = settings.features
    credit = settings.series.credit
    high_yield = _zscore(known_on(settings, data, credit.high_yield_oas, rows), f.zscore_weeks)
    baa = _zscore(known_on(settings, data, credit.baa_spread, rows), f.zscore_weeks)
    spread_z = high_yield.fillna(baa)
    out = {"credit_spread_zscore": spread_z}
    for weeks in f.change_weeks:
        out[f"credit_spread_zscore_change_{weeks}w"] = high_yield.diff(weeks).fillna(
            baa.diff(weeks)
        )
    return pd.DataFrame(out, index=rows)


def _employment_features(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex
) -> pd.DataFrame:
    """Labour-market stress, each computed at the series' own frequency, then aligned by release.

    A monthly value derived from months up to m is public when month m's report is, so the
    transform keeps the observation date of its latest input.
    """
    f = settings.features
    emp = settings.series.employment
    unrate = _monthly(data[emp.unemployment_rate])
    average = unrate.rolling(f.sahm_average_months, min_periods=f.sahm_average_months - 1).mean()
    sahm_gap = average - average.rolling(f.sahm_low_months, min_periods=6).min()
    payrolls = _monthly(data[emp.payrolls])
    months = f.payroll_growth_months
    payroll_growth = np.log(payrolls / payrolls.shift(months)) * (12 / months) * 100
    claims = data[emp.initial_claims]
    claims_average = claims.rolling(f.claims_average_weeks).mean()
    claims_log = np.log(claims_average)
    weeks = f.claims_change_weeks
    out = {
        "unemployment_sahm_gap": known_on(
            settings, data, emp.unemployment_rate, rows, sahm_gap.dropna()
        ),
        "payroll_growth": known_on(settings, data, emp.payrolls, rows, payroll_growth.dropna()),
        "claims_change": known_on(
            settings, data, emp.initial_claims, rows, claims_log.diff(weeks).dropna()
        ),
        "claims_above_low": known_on(
            settings,
            data,
            emp.initial_claims,
            rows,
            (claims_log - claims_log.rolling(52).min()).dropna(),
        ),
    }
    return pd.DataFrame(out, index=rows)


def _rulebook_features(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex
) -> pd.DataFrame:
    """The rulebook's own state as it could be known on each row."""
    closes = weekly_index_closes(data, settings, rows).dropna()
    state = realtime_state(closes, settings.labels)
    out = {f"rulebook_{name}": (state["label"] == name).astype(float) for name in REGIMES}
    for name in REGIMES:
        if name != RISK_OFF:
            out[f"rulebook_if_not_bear_{name}"] = (state["label_if_not_bear"] == name).astype(float)
    out["rulebook_drawdown_from_peak"] = state["drawdown_from_peak"]
    out["rulebook_drawdown_in_bull"] = state["drawdown_in_bull"]
    out["rulebook_rise_in_bear"] = state["rise_in_bear"]
    # Capped: two years after a trough and twenty years after look the same to the rules.
    weeks = state["weeks_since_trough"].where(state["weeks_since_trough"] >= 0, 104)
    out["rulebook_weeks_since_trough"] = weeks.clip(upper=104).astype(float)
    return pd.DataFrame(out).reindex(rows)


def _monthly(series: pd.Series) -> pd.Series:
    """On a complete month-start index: a month BLS never published stays NaN, not skipped."""
    if series.empty:
        return series
    full = pd.date_range(series.index[0], series.index[-1], freq="MS")
    return series.reindex(full)


def _zscore(series: pd.Series, window: int) -> pd.Series:
    """Value against its trailing `window` rows (a year of history at least)."""
    rolling = series.rolling(window, min_periods=52)
    return (series - rolling.mean()) / rolling.std()
