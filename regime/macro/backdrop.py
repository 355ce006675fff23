"""The macro backdrop: each family's reading on a week, as known that week.

A family (labour, credit, curve, financial conditions) is read from one indicator of the macro
feature table: its value on the week, its percentile in its own history up to that week, its
13-week change and direction, and a state (calm / watch / stress) from the thresholds in the
config's `backdrop` section. A value missing on the week (a stale feed) is said to be missing,
with the last week that had one: nothing is carried forward or imputed here.

Pure: a feature table in, readings out. Only weeks on or before a reading's week are looked at,
so appending later weeks never changes it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from regime.config import BackdropFamily, Settings
from regime.errors import ConfigError, StaleDataError
from regime.features.known import known_on
from regime.features.publication import fridays, week_ending
from regime.features.table import macro_features
from regime.macro.readings import (
    CALM,
    CHANGE_WEEKS,
    FALLING,
    RISING,
    STALE,
    STEADY,
    STRESS,
    UNAVAILABLE,
    WATCH,
    Backdrop,
    FamilyReading,
    Figure,
)
from regime.macro.sentences import family_sentence
from regime.sources.market_data import MarketData


def macro_backdrop(
    features: pd.DataFrame, week: date | pd.Timestamp, settings: Settings
) -> Backdrop:
    """Each family's reading on `week` (a row of `features`), from rows on or before it only.

    `features` holds the indicators (and secondary figures) the config names, one row per
    Friday: `backdrop_inputs` builds it. Percentiles rank against its rows from its first, so
    a table from 1968 says "since 1968".
    """
    week = pd.Timestamp(week)
    if week not in features.index:
        raise StaleDataError(
            f"the macro features have no row for the week of {week.date()}; build them "
            "through that week (regime.macro.backdrop.backdrop_inputs)"
        )
    known = features.loc[:week]
    readings = tuple(
        read_family(name, family, known) for name, family in settings.backdrop.families.items()
    )
    return Backdrop(week.date(), readings)


def read_family(name: str, family: BackdropFamily, known: pd.DataFrame) -> FamilyReading:
    """The family's reading on `known`'s last row (every row of `known` is on or before it)."""
    week = known.index[-1]
    series = _column(known, family.indicator, f"backdrop.families.{name}.indicator")
    main = figure_on(family.indicator, series)
    secondary = None
    if family.secondary is not None:
        other = _column(known, family.secondary, f"backdrop.families.{name}.secondary")
        secondary = figure_on(family.secondary, other)
    change = None
    before = week - pd.Timedelta(weeks=CHANGE_WEEKS)
    if main.value is not None and before in series.index and pd.notna(series.loc[before]):
        change = main.value - float(series.loc[before])
    direction = None if change is None else direction_of(change, family.tolerance)
    if main.value is None:
        state = STALE if main.last_observed is not None else UNAVAILABLE
    else:
        state = state_of(main.value, family)
    sentence = family_sentence(name, main, change, direction, state, secondary, CHANGE_WEEKS)
    return FamilyReading(name, main, change, direction, state, secondary, sentence)


def figure_on(indicator: str, series: pd.Series) -> Figure:
    """`series`'s last row as a figure, ranked against its earlier rows with a value."""
    history = series.dropna()
    if history.empty:
        return Figure(indicator, None, None, None, False, False, None)
    last_observed = history.index[-1].date()
    since = int(history.index[0].year)
    if history.index[-1] != series.index[-1]:
        return Figure(indicator, None, None, since, False, False, last_observed)
    values = history.to_numpy(dtype=float)
    value = float(values[-1])
    below, tied = int((values < value).sum()), int((values == value).sum())
    # The average rank of the value among its ties, as a percent: pandas' rank(pct=True).
    percentile = 100 * (below + (tied + 1) / 2) / len(values)
    highest, lowest = bool(value >= values.max()), bool(value <= values.min())
    return Figure(indicator, value, percentile, since, highest, lowest, last_observed)


def direction_of(change: float, tolerance: float) -> str:
    """Steady within `tolerance` (inclusive), else rising or falling."""
    # Rounded first: 0.4 - 0.3 is 0.10000000000000003, a move of exactly 0.1.
    change = round(change, 9)
    if abs(change) <= tolerance:
        return STEADY
    return RISING if change > 0 else FALLING


def state_of(value: float, family: BackdropFamily) -> str:
    """Stress at or beyond the stress threshold in the worse direction, watch at or beyond
    the watch threshold, calm otherwise."""
    sign = 1.0 if family.higher_is_worse else -1.0
    if sign * value >= sign * family.stress:
        return STRESS
    if sign * value >= sign * family.watch:
        return WATCH
    return CALM


def family_history(
    features: pd.DataFrame, weeks: pd.DatetimeIndex, settings: Settings
) -> pd.DataFrame:
    """Each family's value, percentile and state on each of `weeks`, as known on that week.

    One row per week and family (columns week, family, indicator, value, percentile, state),
    the same figures `macro_backdrop` gives each week: the report's "each family over the
    last two years" panel.
    """
    weeks = pd.DatetimeIndex(weeks)
    missing = weeks.difference(features.index)
    if len(missing):
        raise StaleDataError(
            f"the macro features have no row for the week of {missing[0].date()}; build them "
            "over every week shown (regime.macro.backdrop.backdrop_inputs)"
        )
    known = features.loc[: weeks.max()] if len(weeks) else features.iloc[:0]
    parts = []
    for name, family in settings.backdrop.families.items():
        series = _column(known, family.indicator, f"backdrop.families.{name}.indicator")
        history = series.dropna()
        # Expanding: each week ranked only against the weeks up to it.
        percentile = (history.expanding().rank(pct=True) * 100).reindex(series.index)
        seen = series.notna().cumsum().reindex(weeks).to_numpy() > 0
        values = series.reindex(weeks).to_numpy(dtype=float)
        states = np.where(seen, STALE, UNAVAILABLE).astype(object)
        for i in np.flatnonzero(~np.isnan(values)):
            states[i] = state_of(float(values[i]), family)
        parts.append(
            pd.DataFrame(
                {
                    "week": weeks,
                    "family": name,
                    "indicator": family.indicator,
                    "value": values,
                    "percentile": percentile.reindex(weeks).to_numpy(dtype=float),
                    "state": states,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def backdrop_inputs(
    data: MarketData, settings: Settings, through: date, macro: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The backdrop's weekly table, from `recession.train_start` (the nowcast's first row) to
    the week of `through`: the macro feature columns, plus each secondary figure that is a
    series role (e.g. `vix`) as known on each week.

    `macro`: a macro feature table already built (e.g. the nowcast's inputs), reused as is.
    """
    if macro is None:
        rows = fridays(settings.recession.train_start, week_ending(through))
        macro = macro_features(data, settings, rows)
    roles = settings.series.by_role()
    extra = {}
    for name, family in settings.backdrop.families.items():
        secondary = family.secondary
        if secondary is None or secondary in macro.columns:
            continue
        if secondary not in roles:
            raise ConfigError(
                f"backdrop.families.{name}.secondary '{secondary}' is neither a macro feature "
                f"nor a series role; use one of {', '.join(roles)}"
            )
        extra[secondary] = known_on(settings, data, roles[secondary], macro.index)
    return macro.assign(**extra)


def _column(features: pd.DataFrame, column: str, key: str) -> pd.Series:
    if column not in features.columns:
        raise ConfigError(
            f"{key} '{column}' is not a column of the backdrop's features; name a macro "
            "feature, and build the table with regime.macro.backdrop.backdrop_inputs"
        )
    return features[column].astype(float)
