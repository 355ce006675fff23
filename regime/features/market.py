"""Price features of one index against the large caps: returns, drawdown, volatility."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.features.known import known_on, zscore
from regime.sources.market_data import MarketData

# Trading days behind the realised volatility that stands in for the VIX before 1990.
REALISED_VOLATILITY_DAYS = 21
TRADING_DAYS_PER_YEAR = 252


def index_closes(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex, index: str
) -> pd.DataFrame:
    """`index` and large-cap closes as of each row (columns `small_cap`, `large_cap`).

    The column names are the rulebook's: `index` plays the small cap's part.
    """
    return pd.DataFrame(
        {
            "small_cap": known_on(settings, data, index, rows),
            "large_cap": known_on(settings, data, settings.indices.large_cap, rows),
        }
    )


def market_features(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex, index: str
) -> pd.DataFrame:
    """Trailing log returns and their differences, drawdown, and the volatility features."""
    f = settings.features
    closes = np.log(index_closes(data, settings, rows, index))
    out = {}
    for weeks in f.return_weeks:
        small = closes["small_cap"].diff(weeks)
        large = closes["large_cap"].diff(weeks)
        out[f"small_cap_return_{weeks}w"] = small
        out[f"large_cap_return_{weeks}w"] = large
        out[f"relative_return_{weeks}w"] = small - large
    out["small_cap_drawdown"] = np.exp(closes["small_cap"] - closes["small_cap"].cummax()) - 1
    out["volatility_ratio"] = _volatility_ratio(data, settings, rows, index)
    out.update(_volatility(data, settings, rows))
    return pd.DataFrame(out, index=rows)


def _volatility(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex
) -> dict[str, pd.Series]:
    """Market volatility as a z-score: the VIX where it exists, realised volatility before.

    The VIX starts in 1990. The large caps' realised volatility over the trailing month is
    its natural predecessor (the VIX is the S&P 500's expected volatility over the next month)
    and exists as far back as the closes do, so no bear market before 1990 trains on an imputed
    volatility.
    """
    window = settings.features.zscore_weeks
    large = settings.indices.large_cap
    daily = np.log(data[large]).diff()
    realised = daily.rolling(REALISED_VOLATILITY_DAYS).std().dropna()
    realised = realised * np.sqrt(TRADING_DAYS_PER_YEAR) * 100
    realised_z = zscore(known_on(settings, data, large, rows, realised), window)
    vix_z = zscore(known_on(settings, data, settings.series.market.vix, rows), window)
    return {
        "vix_zscore": vix_z,
        "realised_volatility_zscore": realised_z,
        "volatility_zscore": vix_z.fillna(realised_z),
    }


def _volatility_ratio(
    data: MarketData, settings: Settings, rows: pd.DatetimeIndex, index: str
) -> pd.Series:
    """Trailing realised volatility of the index's daily returns over that of large caps."""
    window = settings.features.volatility_days
    vols = {}
    for role, symbol in (("small", index), ("large", settings.indices.large_cap)):
        daily = np.log(data[symbol]).diff()
        vols[role] = known_on(settings, data, symbol, rows, daily.rolling(window).std().dropna())
    return vols["small"] / vols["large"]
