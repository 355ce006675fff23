"""Words for the backdrop's indicators: what each column is called in a sentence, and its unit.

One registry, so the text, the JSON and the report's panel name a figure the same way; the
machine name (the feature column or series role) stays the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from regime.errors import ConfigError


@dataclass(frozen=True)
class IndicatorWords:
    """How an indicator is named for people."""

    label: str  # what it measures, in plain words
    unit: str  # its unit, in full
    short: str  # its name inside a sentence ("the Baa spread")
    unit_short: str = ""  # after a value in a sentence ("points"); empty for an index
    decimals: int = 2


INDICATOR_WORDS: dict[str, IndicatorWords] = {
    "sahm_realtime": IndicatorWords(
        label="real-time Sahm value: unemployment's 3-month average above its 12-month low, "
        "as first published",
        unit="percentage points",
        short="the real-time Sahm value",
        unit_short="points",
    ),
    "baa_spread": IndicatorWords(
        label="Baa spread: Moody's Baa corporate bond yield minus the 10-year Treasury yield",
        unit="percentage points",
        short="the Baa spread",
        unit_short="points",
    ),
    "high_yield_oas": IndicatorWords(
        label="high-yield spread: ICE BofA US high-yield bonds' option-adjusted spread over "
        "Treasuries",
        unit="percentage points",
        short="the high-yield spread",
        unit_short="points",
    ),
    "term_spread": IndicatorWords(
        label="term spread: the 10-year Treasury yield minus the 3-month bill's (inverted below 0)",
        unit="percentage points",
        short="the 10y-3m term spread",
        unit_short="points",
    ),
    "financial_conditions": IndicatorWords(
        label="Chicago Fed NFCI: financial conditions against their average since 1971 "
        "(0 average, positive tighter)",
        unit="standard deviations",
        short="the NFCI",
    ),
    "vix": IndicatorWords(
        label="VIX: the S&P 500's implied volatility over the next 30 days",
        unit="percent a year",
        short="the VIX",
        decimals=1,
    ),
}


def words_for(indicator: str) -> IndicatorWords:
    """The registry's words for `indicator`; ConfigError naming the known ones if it has none."""
    try:
        return INDICATOR_WORDS[indicator]
    except KeyError:
        known = ", ".join(sorted(INDICATOR_WORDS))
        raise ConfigError(
            f"the backdrop has no words for indicator '{indicator}'; use one of {known}, "
            "or add it to regime/macro/indicators.py"
        ) from None


def figure(words: IndicatorWords, value: float) -> str:
    """A value as a sentence shows it: '0.13 points', '-0.56', '16.0'."""
    number = f"{value:.{words.decimals}f}"
    if number.lstrip("-").strip("0.") == "":
        number = number.lstrip("-")  # no "-0.00"
    return f"{number} {words.unit_short}".rstrip()


def signed(words: IndicatorWords, change: float) -> str:
    """A change with its sign: '+0.40', '-0.12'."""
    return f"{change:+.{words.decimals}f}"


def rank_words(percentile: float, highest: bool, lowest: bool, since: int) -> str:
    """'52nd percentile since 1968', or 'the highest since 1968' for a new extreme."""
    if highest:
        return f"the highest since {since}"
    if lowest:
        return f"the lowest since {since}"
    # Not an extreme, so never shown as the 0th or 100th.
    return f"{ordinal(min(99, max(1, round(percentile))))} percentile since {since}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ..."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
