"""The backdrop's sentences: one per family, read by a portfolio manager in seconds.

"Labour: the real-time Sahm value is 0.13 points (52nd percentile since 1968), steady over 13
weeks: calm." A missing value is said to be missing, with the last week that had one: "Credit:
the Baa spread is stale, last known in the week of 2026-08-07: no reading".
"""

from __future__ import annotations

from regime.macro.indicators import figure, rank_words, signed, words_for
from regime.macro.readings import STEADY, Figure


def family_sentence(
    family: str,
    main: Figure,
    change: float | None,
    direction: str | None,
    state: str,
    secondary: Figure | None,
    change_weeks: int,
) -> str:
    """'<Family>: <indicator> is <value> (<rank>), <direction> over N weeks: <state>', or the
    reason there is no reading; then the secondary figure, if any."""
    head = f"{family.replace('_', ' ').capitalize()}: "
    words = words_for(main.indicator)
    if main.value is None:
        body = f"{_missing(main)}: no reading"
    else:
        if change is None or direction is None:
            moved = f"no value {change_weeks} weeks earlier to compare"
        elif direction == STEADY:
            moved = f"steady over {change_weeks} weeks"
        else:
            moved = f"{direction} over {change_weeks} weeks ({signed(words, change)})"
        body = f"{figure_clause(main)}, {moved}: {state}"
    tail = f"; {figure_clause(secondary)}" if secondary is not None else ""
    return f"{head}{body}{tail}."


def figure_clause(fig: Figure) -> str:
    """'the VIX is 16.0 (23rd percentile since 1990)', or why it has no value this week."""
    words = words_for(fig.indicator)
    if fig.value is None:
        return _missing(fig)
    assert fig.percentile is not None and fig.since is not None  # set with every value
    rank = rank_words(fig.percentile, fig.highest, fig.lowest, fig.since)
    return f"{words.short} is {figure(words, fig.value)} ({rank})"


def _missing(fig: Figure) -> str:
    """Why a figure has no value on its week, from what was known then."""
    short = words_for(fig.indicator).short
    if fig.last_observed is None:
        return f"{short} has no history yet"
    return f"{short} is stale, last known in the week of {fig.last_observed.isoformat()}"
