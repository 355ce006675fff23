"""Every series is checked here, where it is read: the embedded snapshot, the cache, a download.

Two kinds of bad row, each reported in one line naming the series, where it was read, and each
bad row's date and value:

- *impossible*: a row that cannot be an observation. Its date does not parse, repeats or goes
  back, or lies after today (`regime.clock.today()`, the day freshness is judged on); its value
  is not a number, not finite, or an index close at or below zero. The command stops
  (InvalidDataError, exit 3) or, with `validation.impossible: drop`, the row is dropped with a
  warning.
- *implausible*: a value that could be real but almost never is: a yield or a spread outside its
  range, an index close more than `validation.weekly_move` above or below the close a week
  earlier. A warning, or InvalidDataError under --strict; never dropped, so a real crash still
  reaches the model.

Blank cells (FRED's "." on holidays) are not observations: they are dropped unseen. A replay
(`through`, the --as-of date) judges only rows dated up to it: a later bad row is left out
unsaid (no feature of the replay reads it), so a row dated in 2030 stops today's prediction but
not a replay of 2020.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from regime.clock import today as clock_today
from regime.config import Settings
from regime.errors import DataSourceError, InvalidDataError, shown_path

log = logging.getLogger(__name__)

SHOWN_ROWS = 3


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


# Wide enough for every real observation since 1854 (the embedded data's extremes: 10-year
# 15.84, fed funds 22.36, high-yield OAS 21.82, unemployment 14.8, VIX 82.69, NFCI 5.22, the
# real-time Sahm value 9.5): only a broken value falls outside.
YIELD = Plausible(-5.0, 30.0, "a yield between -5 and 30")
SLOPE = Plausible(-10.0, 10.0, "a yield difference between -10 and 10")
SPREAD = Plausible(0.0, 40.0, "a spread between 0 and 40")
POSITIVE = Plausible(0.0, None, "> 0", above=True)
PERCENT = Plausible(0.0, 100.0, "a percentage between 0 and 100")
SAHM = Plausible(-5.0, 25.0, "a Sahm value between -5 and 25")
CONDITIONS = Plausible(-10.0, 15.0, "an index between -10 and 15")
INDICATOR = Plausible(0.0, 1.0, "between 0 and 1")

ROLE_RULES: dict[str, Plausible] = {
    "ten_year": YIELD,
    "two_year": YIELD,
    "three_month": YIELD,
    "fed_funds": YIELD,
    "cash_rate": YIELD,
    "baa_yield": YIELD,
    "slope_10y2y": SLOPE,
    "slope_10y3m": SLOPE,
    "baa_spread": SPREAD,
    "high_yield_oas": SPREAD,
    "unemployment_rate": PERCENT,
    "payrolls": POSITIVE,
    "initial_claims": POSITIVE,
    "continuing_claims": POSITIVE,
    "sahm_realtime": SAHM,
    "vix": POSITIVE,
    "financial_conditions": CONDITIONS,
}


@dataclass(frozen=True)
class Reading:
    """How series are checked as they are read: `reading(settings)` builds it.

    `today` is the day rows may not lie after; `through`, when set, the last day read at all
    (a replay); `strict` turns implausible values into errors. `rules` gives each FRED id its
    range; `closes` are the index series (positive, and checked week on week).
    """

    today: date
    impossible: Literal["stop", "drop"] = "stop"
    weekly_move: float = 0.4
    through: date | None = None
    strict: bool = False
    rules: Mapping[str, Plausible] = field(default_factory=dict)
    closes: frozenset[str] = frozenset()

    def rule(self, key: str) -> Plausible:
        """The range a value of `key` must fall within (finite only for an unknown series)."""
        return POSITIVE if key in self.closes else self.rules.get(key, Plausible())


def reading(
    settings: Settings,
    *,
    today: date | None = None,
    through: date | None = None,
    strict: bool = False,
) -> Reading:
    """The checks `settings` ask for, judged on `today` (default: `regime.clock.today()`)."""
    roles = settings.series.by_role()
    rules = {roles[role]: rule for role, rule in ROLE_RULES.items() if role in roles}
    rules[settings.recession.indicator] = INDICATOR
    indices = settings.indices
    return Reading(
        today=today if today is not None else clock_today(),
        impossible=settings.validation.impossible,
        weekly_move=settings.validation.weekly_move,
        through=through,
        strict=strict,
        rules=rules,
        closes=frozenset((*indices.symbols, *indices.snapshot_only)),
    )


def rule_for(key: str, settings: Settings) -> Plausible:
    """The plausible range for a FRED id or index symbol (finite-only for unknown series)."""
    return reading(settings, today=date.max).rule(key)


@dataclass(frozen=True)
class Rows:
    """Rows as read, before any check.

    `dates` is NaT where a date did not parse, `values` NaN where a cell is blank or not a
    number. `blank` marks the cells that are empty on purpose (FRED's "."); `date_text` and
    `value_text`, when given, are the cells as written, for the messages.
    """

    dates: pd.DatetimeIndex
    values: np.ndarray
    blank: np.ndarray | None = None
    date_text: np.ndarray | None = None
    value_text: np.ndarray | None = None

    @classmethod
    def of(cls, series: pd.Series) -> Rows:
        """The rows of a series indexed by date (a download, a cache file)."""
        if not isinstance(series.index, pd.DatetimeIndex):
            raise DataSourceError(f"{series.name}: observations are not indexed by date")
        numeric = pd.to_numeric(series, errors="coerce")
        values = np.asarray(numeric.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        numbers = pd.api.types.is_numeric_dtype(series.dtype)
        text = None if numbers else series.to_numpy(dtype=object)
        return cls(series.index, values, value_text=text)


def validated(key: str, rows: Rows, where: str, checks: Reading) -> pd.Series:
    """`rows` of series `key`, read from `where`, as a clean float series.

    Promises: dates unique, increasing and not after `checks.today`; every value finite (and
    positive for an index close). Impossible rows raise InvalidDataError or, with
    `impossible: drop`, are dropped with a logged warning; implausible values are logged as a
    warning (InvalidDataError under `strict`) and kept. Rows dated after `checks.through` are
    not judged: a bad one is left out unsaid, a good one returned (no replay's feature reads it).
    """
    observed = _observations(rows)
    through = _stamp(checks.through or date.max)
    judged = observed & ~np.asarray(rows.dates > through)
    why = _impossible(key, rows, observed, checks)
    said = [(at, reason) for at, reason in sorted(why.items()) if judged[at]]
    if said:
        _impossible_found(key, rows, where, said, checks)
    keep = observed & ~np.isin(np.arange(len(observed)), list(why))
    clean = pd.Series(rows.values[keep], index=rows.dates[keep], name=key, dtype=float)
    implausible = [text for day, text in _implausible(key, clean, checks) if day <= through]
    if implausible:
        _implausible_found(key, where, implausible, checks)
    return clean


def _observations(rows: Rows) -> np.ndarray:
    """Rows that are observations: all but the blank cells (a blank with a bad date is one)."""
    if rows.blank is None:
        return np.ones(len(rows.dates), dtype=bool)
    return ~(np.asarray(rows.blank, dtype=bool) & ~np.asarray(rows.dates.isna()))


def _stamp(day: date) -> pd.Timestamp:
    """`day` as a Timestamp, within the years pandas holds (beyond them, its nearest end)."""
    first, last = pd.Timestamp.min.ceil("D").date(), pd.Timestamp.max.floor("D").date()
    return pd.Timestamp(min(max(day, first), last))


def _impossible(key: str, rows: Rows, read: np.ndarray, checks: Reading) -> dict[int, str]:
    """Position -> why, for every row of `read` that cannot be an observation."""
    dates, values = rows.dates, rows.values
    rules = [
        (np.asarray(dates.isna() | (dates.year < 1)), "not a YYYY-MM-DD date"),
        (np.isnan(values), "not a number"),
        (np.isinf(values), "not finite"),
        (np.asarray(dates > _stamp(checks.today)), f"dated after today ({checks.today})"),
    ]
    if key in checks.closes:
        rules.insert(3, (values <= 0, "not positive"))
    why: dict[int, str] = {}
    for mask, reason in rules:
        for at in np.flatnonzero(mask & read):
            why.setdefault(int(at), reason)
    # Dates must increase: a row dated on or before an earlier good row repeats or goes back.
    good = np.flatnonzero(read & ~np.isin(np.arange(len(read)), list(why)))
    stamps = dates[good].to_numpy()
    if len(stamps) > 1:
        latest = np.maximum.accumulate(stamps)
        for k in np.flatnonzero(stamps[1:] <= latest[:-1]):
            before = _iso(pd.Timestamp(latest[k]))
            same = stamps[k + 1] == latest[k]
            why[int(good[k + 1])] = "a repeated date" if same else f"out of order, after {before}"
    return why


def _impossible_found(
    key: str, rows: Rows, where: str, found: list[tuple[int, str]], checks: Reading
) -> None:
    noun = _noun(key, checks)
    items = [f"{_day(rows, at)} {noun} {_value(rows, at)}: {why}" for at, why in found]
    count = _count(len(found), "impossible row")
    if checks.impossible == "stop":
        raise InvalidDataError(
            f"{key}: {shown_path(where)} has {count}: {_listed(items)}; "
            "validation.impossible: drop would skip such rows"
        )
    log.warning("%s: dropped %s of %s: %s", key, count, shown_path(where), _listed(items))


def _implausible(key: str, clean: pd.Series, checks: Reading) -> list[tuple[pd.Timestamp, str]]:
    """(date, description) of each implausible value: out of its series' range, or a weekly
    move beyond the bound."""
    noun = _noun(key, checks)
    rule = checks.rule(key)
    out_of_range = rule.bad(clean) if key not in checks.closes else pd.Series(False, clean.index)
    found = {
        day: f"{_iso(day)} {noun} {_number(v)}: not {rule.what}"
        for day, v in clean[out_of_range.to_numpy()].items()
    }
    if key in checks.closes and len(clean) > 1:
        week_ago = clean.reindex(clean.index - pd.Timedelta(days=7), method="ffill")
        move = weekly_moves(clean).to_numpy()
        limit = checks.weekly_move
        for k in np.flatnonzero(np.abs(np.nan_to_num(move)) > limit):
            day = clean.index[k]
            earlier = clean.loc[: week_ago.index[k]].index[-1]
            found.setdefault(
                day,
                f"{_iso(day)} {noun} {_number(clean.iloc[k])}: {move[k]:+.0%} in a week (from "
                f"{_number(week_ago.iloc[k])} on {_iso(earlier)}), beyond "
                f"validation.weekly_move ({limit:.0%})",
            )
    return [(day, found[day]) for day in sorted(found)]


def weekly_moves(closes: pd.Series) -> pd.Series:
    """Each close against the last close at least a week (7 days) before it, as a fraction
    (+0.1: 10% higher); NaN in the first week. Any 7-day window, not only Friday to Friday, so
    a bad mid-week close is seen too. `closes`: sorted, unique dates."""
    week_ago = closes.reindex(closes.index - pd.Timedelta(days=7), method="ffill")
    return pd.Series(closes.to_numpy() / week_ago.to_numpy() - 1, index=closes.index)


def _implausible_found(key: str, where: str, items: list[str], checks: Reading) -> None:
    count = _count(len(items), "implausible value")
    if checks.strict:
        raise InvalidDataError(
            f"{key}: {shown_path(where)} has {count}: {_listed(items)}; --strict stops on it"
        )
    log.warning("%s: %s has %s, kept: %s", key, shown_path(where), count, _listed(items))


def _noun(key: str, checks: Reading) -> str:
    return "close" if key in checks.closes else "value"


def _day(rows: Rows, at: int) -> str:
    day = rows.dates[at]
    if pd.isna(day):
        text = rows.date_text[at] if rows.date_text is not None else "?"
        return repr(_short(str(text)))
    return _iso(day)


def _iso(day: pd.Timestamp) -> str:
    # Not strftime: pandas refuses it outside the years Python's datetime holds.
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _value(rows: Rows, at: int) -> str:
    number = rows.values[at]
    if not np.isnan(number):
        return _number(number)
    if rows.blank is not None and rows.blank[at]:
        return "(blank)"
    text = rows.value_text[at] if rows.value_text is not None else None
    return "nan" if text is None or pd.isna(text) else repr(_short(str(text)))


def _number(value: float) -> str:
    return f"{value:.10g}"


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _listed(items: list[str]) -> str:
    more = f"; and {len(items) - SHOWN_ROWS} more" if len(items) > SHOWN_ROWS else ""
    return "; ".join(items[:SHOWN_ROWS]) + more
