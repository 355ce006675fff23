"""A forecast's record (learning/skill.py) in words, the same in `predict`'s text and the report.

A forecast whose skill is not shown is to be read as the long-run frequency: the words say so
first, before any figure.
"""

from __future__ import annotations

from typing import Any

SKILL_SHOWN = "skill shown"
NO_SKILL = "no skill shown: read as the long-run frequency"
PEER_WORDS = {"persistence": "persistence", "climatology": "the base rate"}


def skill_shown(record: dict[str, Any] | None) -> bool:
    """True only for a record whose skill is shown (None, an empty record: False)."""
    return bool(record and record.get("skill_shown"))


def verdict(record: dict[str, Any] | None) -> str:
    """'skill shown', 'no skill shown: read as the long-run frequency', or 'no record'."""
    if not record:
        return "no record"
    return SKILL_SHOWN if skill_shown(record) else NO_SKILL


def interval_words(interval: dict[str, Any]) -> str:
    """'+0.06 [+0.00, +0.12]'."""
    return f"{interval['estimate']:+.2f} [{interval['low']:+.2f}, {interval['high']:+.2f}]"


def figures(record: dict[str, Any]) -> str:
    """'since 1985: AUROC 0.55, Brier skill vs persistence -0.08 [-0.18, +0.01], vs the base
    rate -0.09 [-0.19, +0.00]' (AUROC only for an event)."""
    parts = []
    if record.get("auroc") is not None:
        parts.append(f"AUROC {record['auroc']:.2f}")
    skills = [
        f"{'Brier skill vs ' if k == 0 else 'vs '}{words} "
        f"{interval_words(record[f'brier_skill_vs_{peer}'])}"
        for k, (peer, words) in enumerate(
            (p, w) for p, w in PEER_WORDS.items() if f"brier_skill_vs_{p}" in record
        )
    ]
    parts += skills
    return f"out of sample since {record['span'][0][:4]}: " + ", ".join(parts)


def mark(record: dict[str, Any] | None) -> str:
    """The verdict and the figures behind it, in one phrase."""
    if not record:
        return "no record"
    return f"{verdict(record)} ({figures(record)})"
