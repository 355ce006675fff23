"""Words for people, names for machines: every feature's label and unit, in one registry.

`predict`'s text and the report show a feature as `describe(name, value)` ("Russell 2000 below
its last high: 1.6%", "credit spread z-score, 13-week change: +0.06 sd"); JSON keeps the name
and adds the label and the formatted value. A feature the table can produce and this registry
does not name is a test failure, not a raw name on a reader's screen.

Features built over a configurable window (`features.return_weeks`, `features.change_weeks`)
are named by a pattern with the window in weeks; every other feature by its own name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from regime.constants import REGIMES

SMALL, LARGE = "Russell 2000", "S&P 500"


@dataclass(frozen=True)
class Words:
    """A feature's `label` and how its value reads (`unit`, see `formatted`)."""

    label: str
    unit: str


# unit -> how a value reads:
# fraction: a share, as a signed percent; below: a fall from a high (a fraction <= 0), as the
# percent below it; points: percentage points (rates, spreads); change_points: their change,
# signed; sd: standard deviations from the trailing mean; weeks; flag: yes or no; chance: the
# log-odds of a random-walk probability, as that probability; ratio; log_change: a change in
# logs, as a signed percent; log_above: a level's log above its low, as a percent above it;
# log_below: log(1 + drawdown), as the percent below the peak; annual_percent: percent a year;
# index: a plain signed number; drawdown_points: a change of a drawdown, in points of it.
UNITS = (
    "fraction",
    "below",
    "points",
    "change_points",
    "sd",
    "weeks",
    "flag",
    "chance",
    "ratio",
    "log_change",
    "log_above",
    "log_below",
    "annual_percent",
    "index",
    "drawdown_points",
)

RATE_ROLES = {
    "slope_10y2y": "10y-2y Treasury slope",
    "slope_10y3m": "10y-3m Treasury slope",
    "ten_year": "10-year Treasury yield",
    "two_year": "2-year Treasury yield",
    "three_month": "3-month Treasury yield",
    "fed_funds": "fed funds rate",
}

FIXED: dict[str, Words] = {
    "small_cap_drawdown": Words(f"{SMALL} below its all-time high", "below"),
    "volatility_ratio": Words(f"{SMALL} volatility against the {LARGE}'s (3 months)", "ratio"),
    "vix_zscore": Words("VIX against its 3-year history", "sd"),
    "realised_volatility_zscore": Words(
        f"{LARGE} realised volatility against its 3-year history", "sd"
    ),
    "volatility_zscore": Words("market volatility against its 3-year history", "sd"),
    "slope_10y2y": Words(RATE_ROLES["slope_10y2y"], "points"),
    "slope_10y3m": Words(RATE_ROLES["slope_10y3m"], "points"),
    "term_spread": Words("term spread (10y minus 3m)", "points"),
    "term_spread_52w_ago": Words("term spread (10y minus 3m) a year ago", "points"),
    "two_year_minus_fed_funds": Words("2-year yield minus the fed funds rate", "points"),
    "credit_spread_zscore": Words("credit spread against its 3-year history", "sd"),
    "baa_spread": Words("Baa corporate spread over the 10-year", "points"),
    "baa_spread_change_26w": Words("Baa corporate spread, 26-week change", "change_points"),
    "unemployment_sahm_gap": Words("unemployment's rise above its 12-month low (Sahm)", "points"),
    "payroll_growth": Words("payroll growth over 3 months, annualised", "annual_percent"),
    "claims_change": Words("initial jobless claims, 13-week change", "log_change"),
    "claims_above_low": Words("initial jobless claims above their 52-week low", "log_above"),
    "continuing_claims_change": Words("continuing jobless claims, 13-week change", "log_change"),
    "continuing_claims_above_low": Words(
        "continuing jobless claims above their 52-week low", "log_above"
    ),
    "sahm_realtime": Words("real-time Sahm rule value", "points"),
    "sahm_realtime_change_13w": Words("real-time Sahm rule value, 13-week change", "change_points"),
    "financial_conditions": Words(
        "Chicago Fed financial conditions (NFCI; above 0 tighter than average)", "index"
    ),
    "rulebook_drawdown_from_peak": Words(f"{SMALL} below its last peak", "below"),
    "rulebook_drawdown_in_bull": Words(f"{SMALL} below its last high", "below"),
    "rulebook_rise_in_bear": Words(f"{SMALL} above its bear-market low", "fraction"),
    "rulebook_weeks_since_trough": Words(f"weeks since the {SMALL}'s last trough", "weeks"),
    "rulebook_weeks_since_extreme": Words(
        f"weeks since the {SMALL}'s latest high (or low, in a bear market)", "weeks"
    ),
    "rulebook_barrier_bull": Words(
        f"chance, for a random walk, that the {SMALL}'s last high was a bear market's peak",
        "chance",
    ),
    "rulebook_barrier_bear": Words(
        f"chance, for a random walk, that the {SMALL}'s bear-market low is not yet its trough",
        "chance",
    ),
    "rulebook_drawdown_change_4w": Words(
        f"{SMALL} against its last high, 4-week change", "drawdown_points"
    ),
    "rulebook_bear_depth": Words(f"{SMALL} bear market's depth below its peak", "log_below"),
    "rulebook_bear_age": Words("weeks since the bear market was confirmed", "weeks"),
    **{f"rulebook_{r}": Words(f"the rulebook calls {r}", "flag") for r in REGIMES},
    **{
        f"rulebook_if_not_bear_{r}": Words(
            f"the rulebook's call unless in a bear market: {r}", "flag"
        )
        for r in REGIMES
    },
}

# (pattern, label with {weeks} and groups, unit): features over a configurable window.
PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"small_cap_return_(\d+)w"), f"{SMALL} return over {{0}} weeks", "fraction"),
    (re.compile(r"large_cap_return_(\d+)w"), f"{LARGE} return over {{0}} weeks", "fraction"),
    (
        re.compile(r"relative_return_(\d+)w"),
        f"{SMALL} return minus the {LARGE}'s over {{0}} weeks",
        "fraction",
    ),
    (
        re.compile(r"credit_spread_zscore_change_(\d+)w"),
        "credit spread against its 3-year history, {0}-week change",
        "sd",
    ),
    *(
        (re.compile(rf"{role}_change_(\d+)w"), f"{words}, {{0}}-week change", "change_points")
        for role, words in RATE_ROLES.items()
    ),
)


def words_of(feature: str) -> Words | None:
    """The feature's words, None for a name the registry does not hold."""
    if feature in FIXED:
        return FIXED[feature]
    for pattern, label, unit in PATTERNS:
        found = pattern.fullmatch(feature)
        if found:
            return Words(label.format(*found.groups()), unit)
    return None


def label(feature: str) -> str:
    """The feature's label; the name itself, with underscores as spaces, when unknown."""
    found = words_of(feature)
    return found.label if found else feature.replace("_", " ")


def formatted(feature: str, value: float | None) -> str:
    """The value in the feature's unit ("1.6%", "+0.31 points", "7%", "n/a" when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    found = words_of(feature)
    return _in_unit(float(value), found.unit if found else "index")


def describe(feature: str, value: float | None) -> str:
    """'Russell 2000 below its last high: 1.6%'."""
    return f"{label(feature)}: {formatted(feature, value)}"


def change(feature: str, before: float | None, after: float | None) -> str:
    """How far a feature moved in its unit ("+0.40 points", "+2.1%"); "n/a" when either
    value is missing. A flag reads "no to yes"; a chance "7% to 12%"."""
    if before is None or after is None or math.isnan(before) or math.isnan(after):
        return "n/a"
    found = words_of(feature)
    unit = found.unit if found else "index"
    if unit in ("flag", "chance", "below", "log_below", "log_above", "ratio", "weeks"):
        return f"{_in_unit(before, unit)} to {_in_unit(after, unit)}"
    if unit == "log_change" or unit == "fraction":
        return f"{100 * (after - before):+.1f} points"
    as_change = {"points": "change_points", "annual_percent": "change_annual"}
    return _in_unit(after - before, as_change.get(unit, unit))


def _in_unit(value: float, unit: str) -> str:
    if unit == "fraction":
        return f"{100 * value:+.1f}%"
    if unit == "below":
        return f"{100 * max(-value, 0.0):.1f}%"
    if unit == "points":
        return f"{value:.2f} points"
    if unit == "change_points":
        return f"{value:+.2f} points"
    if unit == "sd":
        return f"{value:+.2f} sd"
    if unit == "weeks":
        return f"{value:.0f} week{'' if round(value) == 1 else 's'}"
    if unit == "flag":
        return "yes" if value > 0.5 else "no"
    if unit == "chance":
        return f"{100 / (1 + math.exp(-value)):.0f}%"
    if unit == "ratio":
        return f"{value:.2f}x"
    if unit == "log_change":
        return f"{100 * math.expm1(value):+.1f}%"
    if unit == "log_above":
        return f"{100 * math.expm1(value):.1f}%"
    if unit == "log_below":
        return f"{100 * -math.expm1(value):.1f}%"
    if unit == "annual_percent":
        return f"{value:+.1f}% a year"
    if unit == "change_annual":
        return f"{value:+.1f} points a year"
    if unit == "drawdown_points":
        return f"{100 * value:+.1f} points"
    return f"{value:+.2f}"
