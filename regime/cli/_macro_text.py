"""The macro lines of `regime predict`'s text: the recession nowcast with its record, and each
family's reading in one sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regime.macro.prediction import MacroBackdrop, RecessionNowcast


def macro_lines(macro: MacroBackdrop | None) -> list[str]:
    if macro is None:
        return []
    lines = []
    if macro.recession is not None:
        lines.append("  " + recession_line(macro.recession))
    lines += [f"    {reading.sentence}" for reading in macro.families]
    return lines


def recession_line(nowcast: RecessionNowcast) -> str:
    """'recession nowcast: P(recession) 21% (no call below 50%); out of sample since 1979:
    AUROC 0.95, Brier skill vs the base rate +0.46 [+0.23, +0.62]'."""
    call = "a recession call" if nowcast.call else f"no call below {nowcast.threshold:.0%}"
    line = f"recession nowcast: P(recession) {nowcast.probability:.0%} ({call})"
    record = nowcast.record
    if not record:
        return line
    skill = record["brier_skill_vs_climatology"]
    shown = "" if record.get("skill_shown") else "; no skill shown: read as the long-run frequency"
    return (
        f"{line}; out of sample since {record['span'][0][:4]}: AUROC {record['auroc']:.2f}, "
        f"Brier skill vs the base rate {skill['estimate']:+.2f} "
        f"[{skill['low']:+.2f}, {skill['high']:+.2f}]{shown}"
    )
