"""The long-span tables as text: sub-periods side by side, one row per bear market, ablation.

Each takes an evaluation's `to_dict()` and returns lines, so the CLI and a report that reads a
saved evaluation draw the same tables.
"""

from __future__ import annotations

from typing import Any

from regime.evaluation.summary import text_table

# (title, key in the period scores, format): one table per score, the spans side by side.
PERIOD_SCORES: tuple[tuple[str, str, str], ...] = (
    ("balanced accuracy", "balanced_accuracy", ".3f"),
    ("log loss", "log_loss", ".3f"),
    ("ECE", "ece", ".3f"),
    ("risk_off recall", "recall_risk_off", ".3f"),
    ("early_recovery recall", "recall_early_recovery", ".3f"),
    ("mean lag from peak to first risk_off call, weeks (bear markets missed)", "", ""),
    ("false risk_off weeks", "false_alarm_weeks", "d"),
)


def period_tables(result: dict[str, Any]) -> list[str]:
    """One small table per score: a row per model, a column per span."""
    periods = result["periods"]
    headers = (
        "model",
        *(f"{p['name']} ({p['n_weeks']} wk, {p['bear_markets']} bears)" for p in periods),
    )
    lines = []
    for title, key, fmt in PERIOD_SCORES:
        rows = [
            (name, *(_period_cell(p["models"][name], key, fmt) for p in periods))
            for name in periods[0]["models"]
        ]
        lines += [title, text_table(headers, rows), ""]
    return lines[:-1]


def bear_table(result: dict[str, Any]) -> list[str]:
    """A row per bear market: peak, trough, weeks, then per model `lag/flagged`."""
    bears = result["bear_markets"]
    if not bears["episodes"]:
        return ["no bear market in the judged weeks"]
    names = list(bears["episodes"][0]["models"])
    headers = ("peak", "trough", "weeks", "regime first call", *names)
    rows = []
    for episode in bears["episodes"]:
        models = episode["models"]
        first = models[names[0]]["first_call"] or "never"
        rows.append(
            (
                episode["peak"],
                episode["trough"],
                str(episode["weeks"]),
                first,
                *(_bear_cell(models[name]) for name in names),
            )
        )
    return [
        f"bear markets in the judged weeks: {bears['count']} (every figure about entering or "
        f"leaving a bear market rests on these {bears['count']})",
        text_table(headers, rows),
        "cells: weeks from the peak to the first risk_off call / weeks called risk_off "
        "(- never called); first call = peak + that many weeks",
    ]


def ablation_lines(result: dict[str, Any]) -> list[str]:
    """The headline against each variant, the difference with its interval, and the verdicts."""
    found = result["ablation"]
    headers = (
        "variant",
        "bal.acc",
        "log loss",
        "ECE",
        "risk_off recall",
        "headline - variant: bal.acc [CI]",
        "log loss [CI]",
        "verdict",
    )
    head = found["headline"]
    rows = [
        ("headline (all families offered)", *_score_cells(head), "", "", ""),
    ]
    for variant in found["variants"]:
        worth = variant["headline_minus_variant"]
        rows.append(
            (
                variant["name"],
                *_score_cells(variant["scores"]),
                _difference_cell(worth["balanced_accuracy"]),
                _difference_cell(worth["log_loss"]),
                variant["verdict"],
            )
        )
    sample = found["variants"][0]["headline_minus_variant"]["balanced_accuracy"]
    interval = sample["episode_bootstrap"]
    lines = [
        "ablation: the nested selection offered every family but one, or none (state_only)",
        text_table(headers, rows),
        f"intervals: {interval['confidence']:.0%}, {interval['resampling']['bear_units']} bear "
        f"markets and {interval['resampling']['calm_units']} calm spans resampled "
        f"({interval['samples']} resamples); a positive bal.acc or negative log-loss difference "
        "means the family helped",
    ]
    for family, n in found["family_choices"].items():
        lines.append(
            f"  {family}: chosen at {n['either']} of {n['refits']} refits "
            f"(entry gate {n['entry']}, exit gate {n['exit']})"
        )
    return lines


def _score_cells(scores: dict[str, Any]) -> tuple[str, ...]:
    return (
        _fmt(scores["balanced_accuracy"]),
        _fmt(scores["log_loss"]),
        _fmt(scores["ece"]),
        _fmt(scores["recall_risk_off"]),
    )


def _difference_cell(found: dict[str, Any]) -> str:
    interval = found["episode_bootstrap"]
    return f"{found['estimate']:+.3f} [{interval['low']:+.3f}, {interval['high']:+.3f}]"


def _period_cell(scores: dict[str, Any], key: str, fmt: str) -> str:
    if key:
        return _fmt(scores[key], fmt)
    lag = _fmt(scores["mean_lag_weeks"], ".1f")
    return f"{lag} ({scores['missed_episodes']})"


def _bear_cell(found: dict[str, Any]) -> str:
    if found["lag_weeks"] is None:
        return "-"
    return f"{found['lag_weeks']}/{found['weeks_flagged']}"


def _fmt(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)
