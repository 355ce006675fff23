"""The recession nowcast's section of `regime evaluate`'s text, from its JSON summary."""

from __future__ import annotations

from typing import Any

from regime.evaluation.recession.evaluation import PROBABILISTIC
from regime.evaluation.summary import text_table


def recession_lines(result: dict[str, Any]) -> list[str]:
    """Scores, skill against each peer, sub-periods, each recession's timing, false alarms."""
    r = result.get("recession")
    if not r:
        return []
    lines = [
        f"recession nowcast: {r['span'][0]} .. {r['span'][1]}, {r['weeks']} weeks, "
        f"{r['recession_weeks']} in NBER recessions ({len(r['recessions'])} recessions)",
        "",
        text_table(
            ("model", "AUROC", "AUROC 95%", "Brier", "skill vs clim.", "skill 95%", "ECE"),
            [_score_row(name, r["models"][name]) for name in PROBABILISTIC],
        ),
        _sahm_value_line(r["sahm_value"]),
        *(f"  {name}: {m['note']}" for name, m in r["models"].items()),
        "",
        "nowcast's Brier skill against each peer (95% block-bootstrap interval):",
        *(
            f"  {name:20} {i['estimate']:+.3f} [{i['low']:+.3f}, {i['high']:+.3f}]"
            for name, i in r["skill_of_nowcast"].items()
        ),
        "",
        "sub-periods (AUROC / Brier skill vs climatology):",
        text_table(
            ("period", "weeks", "rec. wk", *PROBABILISTIC[:5]),
            [_period_row(p) for p in r["periods"]],
        ),
        "",
        "each recession: weeks from its first month to the first call (P >= 0.5; negative: "
        "early) / from its trough to the all-clear",
        text_table(("recession", *PROBABILISTIC[:2], *PROBABILISTIC[3:]), _timing_rows(r)),
        "false-alarm weeks (called in expansion, outside the 26 weeks before a recession): "
        + ", ".join(f"{k} {v}" for k, v in r["false_alarms"].items()),
        "every expansion week called (the pre-registered count, early calls and late all-clears "
        "included): " + ", ".join(f"{k} {v}" for k, v in r["expansion_weeks_called"].items()),
    ]
    return lines


def _sahm_value_line(m: dict[str, Any]) -> str:
    gap = m["nowcast_auroc_minus_this"]
    return (
        f"  sahm_value (the Sahm value as a score): AUROC {m['auroc']:.3f}; the nowcast's minus "
        f"it {gap['estimate']:+.3f} [{gap['low']:+.3f}, {gap['high']:+.3f}]"
    )


def _score_row(name: str, m: dict[str, Any]) -> tuple[str, ...]:
    a, s = m["auroc_interval"], m["brier_skill_vs_climatology"]
    return (
        name,
        f"{m['auroc']:.3f}",
        f"[{a['low']:.3f}, {a['high']:.3f}]",
        f"{m['brier']:.4f}",
        f"{s['estimate']:+.3f}",
        f"[{s['low']:+.3f}, {s['high']:+.3f}]",
        f"{m['ece']:.3f}",
    )


def _period_row(p: dict[str, Any]) -> tuple[str, ...]:
    cells = [
        f"{m['auroc']:.2f} / {m['brier_skill_vs_climatology']:+.2f}"
        for name, m in p["models"].items()
        if name in PROBABILISTIC[:5]
    ]
    return (
        f"{p['period'][0][:4]}-{p['period'][1][:4]}",
        str(p["weeks"]),
        str(p["recession_weeks"]),
        *cells,
    )


def _timing_rows(r: dict[str, Any]) -> list[tuple[str, ...]]:
    def cell(t: dict[str, Any]) -> str:
        call, clear = t["weeks_to_call"], t["weeks_to_all_clear"]
        return f"{'missed' if call is None else call} / {'-' if clear is None else clear}"

    names = (*PROBABILISTIC[:2], *PROBABILISTIC[3:])
    return [(row["recession"], *(cell(row[n]) for n in names)) for row in r["recessions"]]
