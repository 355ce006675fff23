"""The macro lines of `regime predict`'s text: the recession nowcast, and each family's reading
in one sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regime.macro.prediction import MacroBackdrop, RecessionNowcast


def family_lines(macro: MacroBackdrop | None) -> list[str]:
    """One sentence per macro family."""
    if macro is None:
        return []
    return [f"    {reading.sentence}" for reading in macro.families]


def recession_phrase(nowcast: RecessionNowcast) -> str:
    """'recession nowcast: P(recession) 21% (no call below 50%)'."""
    call = "a recession call" if nowcast.call else f"no call below {nowcast.threshold:.0%}"
    return f"recession nowcast: P(recession) {nowcast.probability:.0%} ({call})"
