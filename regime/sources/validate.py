"""Ingest validation: nothing enters the cache unless its dates and values make sense.

Each series gets a plausible range from the role it plays in the settings (a yield, a credit
spread, an index close, ...). A failure raises DataSourceError naming the series and showing the
offending rows; the caller then leaves the cache untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.errors import DataSourceError

SHOWN_ROWS = 5


@dataclass(frozen=True)
class Plausible:
    """Bounds a value must fall within (inclusive unless `above`); None means unbounded."""

    low: float | None = None
    high: float | None = None
    what: str = "a finite number"
    above: bool = False  # the low bound itself is not allowed

    def bad(self, values: pd.Series) -> pd.Series:
        mask = pd.Series(~np.isfinite(values.to_numpy(dtype=float)), index=values.index)
        if self.low is not None:
            mask |= (values <= self.low) if self.above else (values < self.low)
        if self.high is not None:
            mask |= values > self.high
        return mask


YIELD = Plausible(-5.0, 30.0, "a yield between -5 and 30")
SLOPE = Plausible(-35.0, 35.0, "a yield difference between -35 and 35")
SPREAD = Plausible(0.0, 100.0, "a spread >= 0")
POSITIVE = Plausible(0.0, None, "> 0", above=True)
PERCENT = Plausible(0.0, 100.0, "a percentage between 0 and 100")

ROLE_RULES: dict[str, Plausible] = {
    "ten_year": YIELD,
    "two_year": YIELD,
    "three_month": YIELD,
    "fed_funds": YIELD,
    "cash_rate": YIELD,
    "slope_10y2y": SLOPE,
    "slope_10y3m": SLOPE,
    "baa_spread": SPREAD,
    "high_yield_oas": SPREAD,
    "unemployment_rate": PERCENT,
    "payrolls": POSITIVE,
    "initial_claims": POSITIVE,
    "vix": POSITIVE,
}


def rule_for(key: str, settings: Settings) -> Plausible:
    """The plausible range for a FRED id or index symbol (finite-only for unknown series)."""
    if key in settings.index_symbols:
        return POSITIVE
    for role, series_id in settings.series.by_role().items():
        if series_id == key and role in ROLE_RULES:
            return ROLE_RULES[role]
    return Plausible()


def today() -> date:
    """The latest calendar date anywhere on Earth that matters here (local or UTC)."""
    return max(date.today(), datetime.now(UTC).date())


def validate_observations(key: str, observations: pd.Series, settings: Settings) -> pd.Series:
    """Check a freshly downloaded series; return it as a clean float series.

    Promises: dates unique, increasing and not in the future; every value numeric and within the
    series' plausible range. Missing values (FRED's "." on holidays) must already be dropped.
    """
    if not isinstance(observations.index, pd.DatetimeIndex):
        raise DataSourceError(f"{key}: observations are not indexed by date")
    index = observations.index
    if index.has_duplicates:
        repeated = index[index.duplicated()].strftime("%Y-%m-%d").unique().tolist()
        raise DataSourceError(f"{key}: repeated dates {_shown(repeated)}; nothing was cached")
    if not index.is_monotonic_increasing:
        steps = index.to_series().diff() <= pd.Timedelta(0)
        where = index[steps.to_numpy()].strftime("%Y-%m-%d").tolist()
        raise DataSourceError(f"{key}: dates out of order at {_shown(where)}; nothing was cached")
    future = index[index > pd.Timestamp(today())]
    if len(future):
        where = future.strftime("%Y-%m-%d").tolist()
        raise DataSourceError(f"{key}: dates in the future {_shown(where)}; nothing was cached")
    numeric = pd.to_numeric(observations, errors="coerce")
    rule = rule_for(key, settings)
    bad = rule.bad(numeric) | numeric.isna()
    if bad.any():
        rows = [
            f"{day:%Y-%m-%d}={raw!r}"
            for day, raw in observations[bad.to_numpy()].head(SHOWN_ROWS).items()
        ]
        more = f" and {int(bad.sum()) - SHOWN_ROWS} more" if bad.sum() > SHOWN_ROWS else ""
        raise DataSourceError(
            f"{key}: {int(bad.sum())} value(s) not {rule.what}: {', '.join(rows)}{more}; "
            "nothing was cached"
        )
    return numeric.astype(float).rename(key)


def _shown(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN_ROWS} more" if len(items) > SHOWN_ROWS else ""
    return ", ".join(items[:SHOWN_ROWS]) + more
