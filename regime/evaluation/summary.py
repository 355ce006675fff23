"""The comparison and backtest tables as rows of formatted strings, for text and HTML alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from regime.constants import RISK_OFF

COMPARISON_HEADERS = (
    "model",
    "bal.acc",
    "macro F1",
    "log loss",
    "Brier",
    "ECE",
    "risk_off recall",
    "risk_off precision",
    "mean lag (wk)",
    "missed",
    "false risk_off wk",
)
BACKTEST_HEADERS = (
    "strategy",
    "CAGR",
    "volatility",
    "Sharpe",
    "Sortino",
    "max drawdown",
    "turnover / yr",
    "cost drag / yr",
)


def comparison_rows(result: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per model of an evaluation's `to_dict()`; '-' where a model has no value."""
    rows: list[tuple[str, ...]] = []
    for name, m in result["models"].items():
        found = m["detection"]
        rows.append(
            (
                name,
                _num(m["balanced_accuracy"]),
                _num(m["macro_f1"]),
                _num(m["log_loss"]),
                _num(m["brier"]),
                _num(m["ece"]),
                _num(m["recall"][RISK_OFF]),
                _num(m["precision"][RISK_OFF]),
                _num(found["mean_lag_weeks"], ".1f"),
                f"{found['missed_episodes']}/{len(found['episodes'])}",
                str(found["false_alarm_weeks"]),
            )
        )
    return rows


def backtest_rows(result: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, s in result["backtest"]["strategies"].items():
        rows.append(
            (
                name,
                _pct(s["cagr"]),
                _pct(s["volatility"]),
                _num(s["sharpe"], ".2f"),
                _num(s["sortino"], ".2f"),
                _pct(s["max_drawdown"]),
                _pct(s["turnover"], ".0%"),
                _pct(s["cost_drag"], ".2%"),
            )
        )
    return rows


def comparison_lines(result: dict[str, Any]) -> list[str]:
    """Plain sentences: our model minus the best peer, with both bootstrap intervals."""
    lines = []
    for metric, better in (("balanced_accuracy", "higher"), ("log_loss", "lower")):
        c = result["comparison"][metric]
        episode = c["episode_bootstrap"]
        parts = [interval_text(c["block_bootstrap"]), interval_text(episode)]
        lines.append(
            f"regime minus best peer ({c['best_peer']}) on {metric}: {c['estimate']:+.3f}; "
            f"{episode['confidence']:.0%} CI " + ", ".join(parts) + f" ({better} is better)"
        )
    baseline = result["comparison"]["baseline"]
    for metric, found in baseline.items():
        if metric == "peer":
            continue
        parts = [interval_text(found["block_bootstrap"]), interval_text(found["episode_bootstrap"])]
        lines.append(
            f"regime minus {baseline['peer']} on {metric}: {found['estimate']:+.3f}; "
            f"{found['episode_bootstrap']['confidence']:.0%} CI " + ", ".join(parts)
        )
    return lines


def interval_text(interval: dict[str, Any]) -> str:
    """`[low, high] by <resampling>`."""
    how = interval["resampling"]
    if how["scheme"] == "circular_block":
        scheme = f"circular blocks of {how['block_weeks']} weeks"
    else:
        scheme = f"{how['bear_units']} bear markets and {how['calm_units']} calm spans resampled"
    return (
        f"[{interval['low']:+.3f}, {interval['high']:+.3f}] by {scheme} "
        f"({interval['samples']} resamples, seed {interval['seed']})"
    )


def interval_cell(found: dict[str, Any], fmt: str = "+.3f", signed: bool = True) -> str:
    """`estimate [low, high]` of an interval's dict."""
    fmt = fmt if signed or not fmt.startswith("+") else fmt[1:]
    return (
        f"{format(found['estimate'], fmt)} "
        f"[{format(found['low'], fmt)}, {format(found['high'], fmt)}]"
    )


def text_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def _num(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def _pct(value: float, fmt: str = ".1%") -> str:
    return format(value, fmt)
