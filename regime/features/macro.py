"""Macro features: interest rates, credit spreads and the labour market, point in time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.features.known import known_on, zscore
from regime.sources.market_data import MarketData


def rate_features(data: MarketData, settings: Settings, rows: pd.DatetimeIndex) -> pd.DataFrame:
    """Curve slopes, the term spread, 2y minus fed funds, and yield changes."""
    roles = settings.series.rates.model_dump()
    known = {role: known_on(settings, data, sid, rows) for role, sid in roles.items()}
    bill = known_on(settings, data, settings.series.market.cash_rate, rows)
    out = {
        "slope_10y2y": known["slope_10y2y"],
        "slope_10y3m": known["slope_10y3m"],
        # The NY Fed's recession signal: 10y minus 3m. FRED's T10Y3M starts in 1982; before it,
        # the 10y minus the 3-month bill is the same spread.
        "term_spread": known["slope_10y3m"].fillna(known["ten_year"] - bill),
        "two_year_minus_fed_funds": known["two_year"] - known["fed_funds"],
    }
    for weeks in settings.features.change_weeks:
        for role, series in known.items():
            out[f"{role}_change_{weeks}w"] = series.diff(weeks)
    # An inverted curve has led recessions by about a year (the NY Fed's probit reads the
    # spread 12 months earlier): the nowcast sees the spread of 52 weekly rows before.
    out["term_spread_52w_ago"] = out["term_spread"].shift(52)
    return pd.DataFrame(out, index=rows)


def credit_features(data: MarketData, settings: Settings, rows: pd.DatetimeIndex) -> pd.DataFrame:
    """Credit spread as a z-score against its trailing history: HY OAS, else Baa-10y.

    HY OAS starts in 1997 and reacts first. Baa-10y is daily from 1990 (and stops in April 2026
    in the snapshot); before 1990, and whenever the daily feed is stale, it is Moody's monthly
    Baa yield minus the month's average 10-year yield, public when the monthly Baa is. Taking
    HY where it exists and Baa only where it does not keeps one comparable signal from 1962.
    """
    f = settings.features
    credit = settings.series.credit
    high_yield = zscore(known_on(settings, data, credit.high_yield_oas, rows), f.zscore_weeks)
    daily = known_on(settings, data, credit.baa_spread, rows)
    monthly = known_on(settings, data, credit.baa_yield, rows, monthly_baa_spread(data, settings))
    baa_spread = daily.fillna(monthly)
    baa = zscore(baa_spread, f.zscore_weeks)
    out = {"credit_spread_zscore": high_yield.fillna(baa)}
    for weeks in f.change_weeks:
        out[f"credit_spread_zscore_change_{weeks}w"] = high_yield.diff(weeks).fillna(
            baa.diff(weeks)
        )
    # The level in percentage points, comparable across decades (the z-score is not): one
    # series from 1962, which the recession nowcast reads.
    out["baa_spread"] = baa_spread
    out["baa_spread_change_26w"] = baa_spread.diff(26)
    return pd.DataFrame(out, index=rows)


def monthly_baa_spread(data: MarketData, settings: Settings) -> pd.Series:
    """Monthly Baa yield minus that month's average 10-year yield, dated like the Baa yield.

    Moody's monthly Baa is an average of daily yields, so the matching 10-year figure is the
    month's average too; it is complete at the month's end, before the Baa is published.
    """
    baa = data[settings.series.credit.baa_yield]
    ten_year = data[settings.series.rates.ten_year].resample("MS").mean()
    return (baa - ten_year.reindex(baa.index)).dropna()


def employment_features(
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
    claims_log = np.log(claims.rolling(f.claims_average_weeks).mean())
    weeks = f.claims_change_weeks
    claims_above_low = claims_log - claims_log.rolling(52).min()
    continued = data[emp.continuing_claims]
    continued_log = np.log(continued.rolling(f.claims_average_weeks).mean())
    continued_above_low = continued_log - continued_log.rolling(52).min()
    sahm = known_on(settings, data, emp.sahm_realtime, rows)
    out = {
        "unemployment_sahm_gap": known_on(
            settings, data, emp.unemployment_rate, rows, sahm_gap.dropna()
        ),
        "payroll_growth": known_on(settings, data, emp.payrolls, rows, payroll_growth.dropna()),
        "claims_change": known_on(
            settings, data, emp.initial_claims, rows, claims_log.diff(weeks).dropna()
        ),
        "claims_above_low": known_on(
            settings, data, emp.initial_claims, rows, claims_above_low.dropna()
        ),
        "continuing_claims_above_low": known_on(
            settings, data, emp.continuing_claims, rows, continued_above_low.dropna()
        ),
        "continuing_claims_change": known_on(
            settings, data, emp.continuing_claims, rows, continued_log.diff(weeks).dropna()
        ),
        "sahm_realtime": sahm,
        # Levels stay high long after a recession ends (unemployment peaks after the trough);
        # the direction is what turns at both ends. Rows are weekly, so 13 rows back is the
        # value a quarter ago, as known then.
        "sahm_realtime_change_13w": sahm.diff(13),
    }
    return pd.DataFrame(out, index=rows)


def conditions_features(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex
) -> pd.DataFrame:
    """The Chicago Fed's financial conditions index as known on each row (positive: tighter
    than average). It is re-estimated every week, so its history is revised data."""
    nfci = known_on(settings, data, settings.series.market.financial_conditions, rows)
    return pd.DataFrame({"financial_conditions": nfci}, index=rows)


def _monthly(series: pd.Series) -> pd.Series:
    """On a complete month-start index: a month BLS never published stays NaN, not skipped."""
    if series.empty:
        return series
    first, last = (np.datetime64(d, "M") for d in (series.index[0], series.index[-1]))
    months = np.arange(first, last + 1).astype("datetime64[ns]")
    return series.reindex(pd.DatetimeIndex(months))
