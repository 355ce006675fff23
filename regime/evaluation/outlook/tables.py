"""The outlook's tables as text, from an evaluation's `to_dict()`.

Each function returns lines, so the CLI and a report that reads a saved evaluation draw the same
tables.
"""

from __future__ import annotations

from typing import Any

from regime.evaluation.summary import interval_cell as _interval
from regime.evaluation.summary import text_table

MODELS = ("outlook", "climatology", "persistence", "hmm_transition")
PEERS = MODELS[1:]


def outlook_lines(result: dict[str, Any]) -> list[str]:
    """Scores, skill with intervals, AUROC, reliability and the ablation of every target."""
    found = result["outlook"]
    targets = found["targets"]
    if not targets:
        return ["outlook: no targets"]
    sample = targets[0]["brier_skill"]["climatology"]
    return [
        f"outlook: {found['description']}",
        *(f"  {name}: {note}" for name, note in found["peers"].items()),
        "",
        text_table(
            ("target", "weeks", "period", "model", "log loss", "Brier", "ECE", "AUROC"),
            _score_rows(targets),
        ),
        "",
        "Brier skill score of the outlook against each peer: 1 - Brier / the peer's (above 0: "
        f"the outlook is the better forecast); {sample['confidence']:.0%} intervals, weeks "
        f"resampled in circular blocks of the given length ({sample['samples']} resamples)",
        text_table(("target", "block wk", *(f"vs {p}" for p in PEERS)), _skill_rows(targets)),
        "",
        *_auroc_lines(targets, found["anchor"]),
        "",
        "reliability of the outlook: forecasts in equal bins (events: P(event); regime: the top "
        "regime's probability), each bin's mean forecast and how often it happened",
        *_reliability_lines(targets),
        "",
        "outlook ablation: each target's nested choice offered every macro family but one, or "
        "none (state_only); headline minus variant (negative: the removed families helped)",
        text_table(
            (
                "target",
                "variant",
                "log loss",
                "Brier",
                "AUROC",
                "headline - variant: log loss [CI]",
                "Brier [CI]",
                "verdict",
            ),
            _ablation_rows(targets),
        ),
        "families chosen by the outlook's nested selection, at how many of the judged refits:",
        *(f"  {t['name']}: {_choices(t['ablation']['family_choices'])}" for t in targets),
    ]


def _score_rows(targets: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for t in targets:
        for i, name in enumerate(MODELS):
            m = t["models"][name]
            head = (
                (t["name"], str(t["n_weeks"]), f"{t['period'][0][:4]}-{t['period'][1][:4]}")
                if i == 0
                else ("", "", "")
            )
            auroc = "-" if m["auroc"] is None else f"{m['auroc']:.3f}"
            rows.append(
                (*head, name, f"{m['log_loss']:.3f}", f"{m['brier']:.3f}", f"{m['ece']:.3f}", auroc)
            )
    return rows


def _skill_rows(targets: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (t["name"], str(t["block_weeks"]), *(_interval(t["brier_skill"][p]) for p in PEERS))
        for t in targets
    ]


def _auroc_lines(targets: list[dict[str, Any]], anchor: str) -> list[str]:
    events = [t for t in targets if t["auroc"] is not None]
    lines = [
        f"AUROC of the outlook, {t['name']}: {_interval(t['auroc'], '.3f', signed=False)} "
        f"({round(t['frequency']['1'] * t['n_weeks'])} of {t['n_weeks']} weeks with the event)"
        for t in events
    ]
    return [*lines, f"anchor: {anchor}"]


def _reliability_lines(targets: list[dict[str, Any]]) -> list[str]:
    lines = []
    for t in targets:
        bins = t["reliability"]
        headers = (t["name"], *(f"{b['low']:.1f}-{b['high']:.1f}" for b in bins))
        rows = [
            ("weeks", *(str(b["weeks"]) for b in bins)),
            ("forecast", *(f"{b['forecast']:.2f}" for b in bins)),
            ("observed", *(f"{b['observed']:.2f}" for b in bins)),
        ]
        lines.append(text_table(headers, rows))
    return lines


def _ablation_rows(targets: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for t in targets:
        head = t["models"]["outlook"]
        rows.append((t["name"], "headline", *_short(head), "", "", ""))
        for v in t["ablation"]["variants"]:
            worth = v["headline_minus_variant"]
            rows.append(
                (
                    "",
                    v["name"],
                    *_short(v["scores"]),
                    _interval(worth["log_loss"], "+.4f"),
                    _interval(worth["brier"], "+.4f"),
                    v["verdict"],
                )
            )
    return rows


def _short(scores: dict[str, Any]) -> tuple[str, str, str]:
    auroc = "-" if scores["auroc"] is None else f"{scores['auroc']:.3f}"
    return (f"{scores['log_loss']:.3f}", f"{scores['brier']:.3f}", auroc)


def _choices(choices: dict[str, dict[str, int]]) -> str:
    refits = next(iter(choices.values()))["refits"]
    parts = [f"{family} {c['chosen']}" for family, c in choices.items()]
    return ", ".join(parts) + f" (of {refits})"
