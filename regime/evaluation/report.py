"""The visual report: PNG charts and one self-contained HTML page. I/O only in `write_report`."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from regime.atomic import write_bytes_atomic  # noqa: E402
from regime.config import Settings  # noqa: E402
from regime.constants import REGIMES, RISK_OFF  # noqa: E402
from regime.errors import RegimeError  # noqa: E402
from regime.evaluation.backtest import STRATEGY  # noqa: E402
from regime.evaluation.evaluate import OURS, Evaluation  # noqa: E402
from regime.evaluation.summary import (  # noqa: E402
    BACKTEST_HEADERS,
    COMPARISON_HEADERS,
    backtest_rows,
    comparison_lines,
    comparison_rows,
)
from regime.metrics import reliability_table  # noqa: E402
from regime.model.train import fit_choice  # noqa: E402

COLOURS = {
    "early_recovery": "#2ca02c",
    "narrow_rally": "#9467bd",
    "neutral": "#bdbdbd",
    "risk_off": "#d62728",
}
PEER_COLOURS = {
    "regime": "#1f77b4",
    "majority": "#7f7f7f",
    "rulebook_realtime": "#d62728",
    "state_only": "#17becf",
    "drawdown_rebound": "#e377c2",
    "term_spread_probit": "#bcbd22",
    "hmm": "#ff7f0e",
    "markov_switching": "#8c564b",
    "allocation": "#1f77b4",
    "buy_hold_spx": "#ff7f0e",
    "buy_hold_rut": "#2ca02c",
    "buy_hold_50_50": "#7f7f7f",
}
DPI = 110


@dataclass(frozen=True)
class Importances:
    values: pd.Series
    method: str


@dataclass(frozen=True)
class Report:
    """Chart PNGs by file stem, and the HTML page that embeds them."""

    charts: dict[str, bytes]
    html: str


def feature_importances(evaluation: Evaluation, settings: Settings) -> Importances:
    """What the final model (the last choice, fitted on every final label) leans on.

    Each gate is a logistic regression on standardised features, so its coefficients are the
    change in the log-odds of risk_off per standard deviation; a gate that could not be fitted
    (one outcome only) has none.
    """
    choice = evaluation.walk_forward.final
    model = fit_choice(evaluation.dataset, settings, choice, None)
    values: dict[str, float] = {}
    for gate, fitted, columns in (
        ("entry", model.entry_gate_, choice.entry.columns(settings)),
        ("exit", model.exit_gate_, choice.exit.columns(settings)),
    ):
        # A binary gate's coefficients are one row: those of risk_off's log-odds.
        coefficients = getattr(fitted, "coef_", [[]])[0]
        for column, coefficient in zip(columns, coefficients, strict=False):
            values[f"{gate}: {column}"] = float(coefficient)
    found = pd.Series(values, dtype=float)
    method = "standardised coefficient of each gate (log-odds of risk_off per s.d.)"
    return Importances(found.reindex(found.abs().sort_values().index), method)


def build_report(evaluation: Evaluation, importances: Importances) -> Report:
    charts = {
        "regimes": _png(_regimes_chart(evaluation)),
        "ratio": _png(_ratio_chart(evaluation)),
        "probabilities": _png(_probability_chart(evaluation)),
        "reliability": _png(_reliability_chart(evaluation)),
        "confusion": _png(_confusion_chart(evaluation)),
        "importances": _png(_importance_chart(importances)),
        "allocation": _png(_allocation_chart(evaluation)),
    }
    return Report(charts, render_html(evaluation, charts, importances))


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write every PNG and `report.html` into `out_dir` (created), each atomically."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = [
            write_bytes_atomic(out_dir / f"{name}.png", data)
            for name, data in report.charts.items()
        ]
        written.append(write_bytes_atomic(out_dir / "report.html", report.html.encode("utf-8")))
    except OSError as exc:
        raise RegimeError(f"cannot write the report to {out_dir}: {exc.strerror or exc}") from None
    return written


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _shade(ax: Axes, labels: pd.Series) -> None:
    """Colour the background of each run of equal labels (a run ends where the next begins)."""
    values = labels.to_numpy()
    dates = labels.index
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, len(values) - 1]
    for s, e in zip(starts, ends, strict=True):
        ax.axvspan(dates[s], dates[e], color=COLOURS[values[s]], alpha=0.3, lw=0)


def _legend_patches() -> list[Patch]:
    return [Patch(color=COLOURS[r], alpha=0.45, label=r) for r in REGIMES]


def _regimes_chart(ev: Evaluation) -> Figure:
    closes = ev.dataset.closes.loc[ev.truth.index]
    fig, axes = plt.subplots(2, 1, figsize=(13, 7.5), sharex=True)
    panels = (
        ("hindsight labels", ev.truth),
        ("out-of-sample predictions (regime)", ev.runs[OURS].predicted),
    )
    for ax, (title, labels) in zip(axes, panels, strict=True):
        _shade(ax, labels)
        ax.plot(
            closes.index, closes["small_cap"], color="black", lw=1.1, label="RUT (Russell 2000)"
        )
        ax.plot(closes.index, closes["large_cap"], color="#1f4e9c", lw=1.1, label="SPX (S&P 500)")
        ax.set_yscale("log")
        ax.set_ylabel("index level (log scale)")
        ax.set_title(f"RUT and SPX, background: {title}", loc="left")
        ax.grid(alpha=0.3, which="both", axis="y")
    handles = axes[0].get_legend_handles_labels()[0] + _legend_patches()
    axes[0].legend(handles=handles, loc="upper left", ncol=3, fontsize=9, framealpha=0.9)
    fig.tight_layout()
    return fig


def _ratio_chart(ev: Evaluation) -> Figure:
    closes = ev.dataset.closes.loc[ev.truth.index]
    fig, ax = plt.subplots(figsize=(13, 3.8))
    _shade(ax, ev.truth)
    ax.plot(closes.index, closes["small_cap"] / closes["large_cap"], color="black", lw=1.1)
    ax.set_title(
        "RUT / SPX price ratio (rising: small caps lead); background: hindsight labels", loc="left"
    )
    ax.set_ylabel("ratio")
    ax.grid(alpha=0.3)
    ax.legend(handles=_legend_patches(), loc="upper right", ncol=4, fontsize=9)
    fig.tight_layout()
    return fig


def _probability_chart(ev: Evaluation) -> Figure:
    proba = ev.runs[OURS].proba
    assert proba is not None, "our model always has probabilities"
    fig, (ax, strip) = plt.subplots(
        2, 1, figsize=(13, 4.8), sharex=True, gridspec_kw={"height_ratios": [6, 1]}
    )
    ax.stackplot(
        proba.index,
        *(proba[r] for r in REGIMES),
        colors=[COLOURS[r] for r in REGIMES],
        labels=list(REGIMES),
        alpha=0.85,
    )
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(
        "Out-of-sample probability of each regime (walk-forward, regime model)", loc="left"
    )
    ax.legend(loc="upper left", ncol=4, fontsize=9, framealpha=0.9)
    _shade(strip, ev.truth)
    strip.set_yticks([])
    strip.set_ylabel("truth", rotation=0, ha="right", va="center")
    fig.tight_layout()
    return fig


def _reliability_chart(ev: Evaluation) -> Figure:
    fig, ax = plt.subplots(figsize=(6.5, 6))
    ax.plot([0, 1], [0, 1], color="black", ls="--", lw=1, label="perfect calibration")
    for name, run in ev.runs.items():
        if run.proba is None:
            continue
        table = reliability_table(ev.truth, run.proba, 10)
        ece = ev.scores[name]["ece"]
        ax.plot(
            table["confidence"],
            table["accuracy"],
            marker="o",
            color=PEER_COLOURS[name],
            lw=2.2 if name == OURS else 1.2,
            label=f"{name} (ECE {ece:.3f})",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence of the top class")
    ax.set_ylabel("fraction of weeks it was right")
    ax.set_title("Reliability diagram (10 bins)", loc="left")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _confusion_chart(ev: Evaluation) -> Figure:
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.4))
    for ax, name in zip(axes, (OURS, "rulebook_realtime"), strict=True):
        counts = np.array(ev.scores[name]["confusion"], dtype=float)
        share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(REGIMES)):
            for j in range(len(REGIMES)):
                colour = "white" if share[i, j] > 0.6 else "black"
                ax.text(
                    j,
                    i,
                    f"{int(counts[i, j])}\n{share[i, j]:.0%}",
                    ha="center",
                    va="center",
                    color=colour,
                    fontsize=9,
                )
        names = [r.replace("_", "\n") for r in REGIMES]
        ax.set_xticks(range(len(REGIMES)), names, fontsize=9)
        ax.set_yticks(range(len(REGIMES)), names, fontsize=9)
        ax.set_xlabel("predicted")
        ax.set_ylabel("hindsight label")
        ax.set_title(f"Confusion matrix: {name} (row %)", loc="left")
    fig.tight_layout()
    return fig


def _importance_chart(importances: Importances) -> Figure:
    values = importances.values
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(values) + 1.5))
    colours = [COLOURS[RISK_OFF] if v > 0 else "#1f77b4" for v in values]
    ax.barh(values.index, values.to_numpy(), color=colours)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_title("Feature importance of the final model", loc="left")
    ax.set_xlabel(importances.method)
    ax.tick_params(axis="y", labelsize=9)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig


def _allocation_chart(ev: Evaluation) -> Figure:
    bt = ev.backtest
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(13, 7), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    for name in bt.equity.columns:
        width = 2.0 if name == STRATEGY else 1.1
        top.plot(bt.equity.index, bt.equity[name], color=PEER_COLOURS[name], lw=width, label=name)
        bottom.plot(bt.drawdown.index, bt.drawdown[name], color=PEER_COLOURS[name], lw=width)
    top.set_yscale("log")
    top.set_ylabel("growth of 1 (log scale)")
    top.set_title("Allocation backtest: equity curves (total returns)", loc="left")
    top.legend(loc="upper left", fontsize=9)
    top.grid(alpha=0.3, which="both", axis="y")
    bottom.set_ylabel("drawdown")
    bottom.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    bottom.set_title("Drawdown from the running peak", loc="left")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def findings(result: dict[str, Any]) -> list[str]:
    """Plain statements of where our model wins and where a peer does, from the numbers."""
    models = result["models"]
    ours = models[OURS]
    found = ours["detection"]
    peers = {n: m for n, m in models.items() if n != OURS}
    out = []
    ba = ours["balanced_accuracy"]
    ba_winners = [n for n, m in peers.items() if m["balanced_accuracy"] >= ba]
    out.append(
        f"Balanced accuracy: beaten or matched by {', '.join(ba_winners)}."
        if ba_winners
        else f"Balanced accuracy: highest of all models ({ba:.3f})."
    )
    ll = ours["log_loss"]
    ll_winners = [n for n, m in peers.items() if m["log_loss"] is not None and m["log_loss"] <= ll]
    out.append(
        f"Log loss: beaten or matched by {', '.join(ll_winners)}."
        if ll_winners
        else f"Log loss: lowest of the models with probabilities ({ll:.3f}); "
        "the real-time rulebook gives no probabilities."
    )
    verdict = "meets" if ours["ece"] <= 0.05 else "misses"
    out.append(f"Calibration: ECE {ours['ece']:.3f} {verdict} the 0.05 bar.")
    ours_lag = found["mean_lag_weeks"]
    for name, m in peers.items():
        theirs = m["detection"]
        lag = theirs["mean_lag_weeks"]
        if lag is not None and ours_lag is not None and lag < ours_lag:
            out.append(
                f"{name} flags risk_off episodes earlier on average ({lag:.1f} vs {ours_lag:.1f} "
                f"weeks), with {theirs['false_alarm_weeks']} false risk_off weeks (ours: "
                f"{found['false_alarm_weeks']}) and {theirs['missed_episodes']} missed episodes "
                f"(ours: {found['missed_episodes']})."
            )
        recall = m["recall"][RISK_OFF]
        if recall > ours["recall"][RISK_OFF]:
            out.append(
                f"{name} has the higher risk_off recall ({recall:.3f} vs "
                f"{ours['recall'][RISK_OFF]:.3f}) and misses {theirs['missed_episodes']} "
                f"episodes (ours: {found['missed_episodes']})."
            )
    rulebook = models.get("rulebook_realtime")
    if rulebook is not None and ours_lag is not None:
        rb = rulebook["detection"]
        out.append(
            f"Against the real-time rulebook: mean detection lag {ours_lag:.1f} vs "
            f"{rb['mean_lag_weeks']:.1f} weeks; missed episodes {found['missed_episodes']} vs "
            f"{rb['missed_episodes']} (the lag is averaged over detected episodes only)."
        )
    table = result["backtest"]["strategies"]
    timed = table[STRATEGY]
    better = [n for n, s in table.items() if n != STRATEGY and s["sharpe"] > timed["sharpe"]]
    out.append(
        f"Allocation: the probability-driven allocation has a lower Sharpe ratio than "
        f"{', '.join(better)}."
        if better
        else "Allocation: the probability-driven allocation has the highest Sharpe ratio."
    )
    return out


def _html_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1300px;
margin:24px auto;padding:0 16px;color:#222;line-height:1.45}
h1{font-size:1.6em} h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em;margin:8px 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right} th{background:#f2f2f2}
td:first-child,th:first-child{text-align:left}
img{max-width:100%;height:auto;display:block;margin:8px 0}
.note{color:#555;font-size:.9em}
"""


def render_html(ev: Evaluation, charts: dict[str, bytes], importances: Importances) -> str:
    result = ev.to_dict()
    bt = result["backtest"]
    first, last = result["period"]

    def img(name: str, alt: str) -> str:
        data = base64.b64encode(charts[name]).decode("ascii")
        return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'

    no_proba = ", ".join(n for n, m in result["models"].items() if not m["has_probabilities"])
    notes = "".join(
        f"<li>{html.escape(n)}: {html.escape(m['note'])}</li>" for n, m in result["models"].items()
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>regime: walk-forward evaluation</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>regime: walk-forward evaluation</h1>",
        f"<p>Out-of-sample weeks {first} to {last} ({result['n_weeks']} weeks, "
        f"{result['refits']} refits on an expanding window). Every model is refitted at the same "
        "dates on labels and data known then.</p>",
        "<h2>Findings</h2><ul>"
        + "".join(f"<li>{html.escape(f)}</li>" for f in findings(result))
        + "</ul>",
        "<h2>Comparison</h2>",
        _html_table(COMPARISON_HEADERS, comparison_rows(result)),
        "<ul class='note'>"
        + "".join(f"<li>{html.escape(x)}</li>" for x in comparison_lines(result))
        + "</ul>",
        f"<p class='note'>No probabilities, so no log loss, Brier or ECE: {html.escape(no_proba)}. "
        "Mean lag: weeks from the peak to the first risk_off call, over detected episodes; "
        "missed: episodes never flagged; false risk_off weeks: calls outside every episode.</p>",
        f"<ul class='note'>{notes}</ul>",
        "<h2>Regimes over time</h2>",
        img("regimes", "RUT and SPX with hindsight and predicted regimes"),
        img("ratio", "RUT/SPX ratio"),
        img("probabilities", "regime probabilities over time"),
        "<h2>Calibration and errors</h2>",
        img("reliability", "reliability diagram"),
        img("confusion", "confusion matrices"),
        "<h2>Feature importance</h2>",
        img("importances", "feature importances"),
        "<h2>Allocation backtest</h2>",
        f"<p>{bt['period'][0]} to {bt['period'][1]} ({bt['n_weeks']} weeks): "
        f"{html.escape(bt['description'])}. Sharpe ratio on excess returns over 3-month T-bills; "
        "turnover is value traded per year (sells plus buys) as a fraction of the portfolio.</p>",
        _html_table(BACKTEST_HEADERS, backtest_rows(result)),
        "<ul class='note'>" + "".join(f"<li>{html.escape(n)}</li>" for n in bt["notes"]) + "</ul>",
        img("allocation", "equity curves and drawdowns"),
        "</body></html>",
    ]
    return "\n".join(parts)
