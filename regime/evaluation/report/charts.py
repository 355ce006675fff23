"""The other charts: reliability with its week counts, confusion matrices, the model's
coefficients and the allocation backtest. Each takes plain data and returns a Figure."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from regime.constants import REGIMES, RISK_OFF
from regime.evaluation.evaluate import OURS
from regime.evaluation.report.inputs import EvaluationRecord
from regime.evaluation.report.palette import (
    MODEL_COLOURS,
    MODEL_MARKERS,
    REGIME_COLOURS,
    TIME_MARGINS,
    TIME_WIDTH,
    colour,
    percent_axis,
    plain_log_axis,
    style,
)
from regime.features.words import label
from regime.metrics import reliability_table
from regime.model.predict import RegimeModel

# A bin with fewer weeks than this is a point of noise: left off the lines, kept in the counts.
MIN_BIN_WEEKS = 10


def reliability_chart(record: EvaluationRecord, bins: int) -> Figure:
    """Accuracy against confidence per model (bins of at least MIN_BIN_WEEKS weeks, marker
    area by weeks); below, our model's weeks in every bin."""
    with style():
        fig, (ax, counts) = plt.subplots(
            2, 1, figsize=(7.5, 8), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
        ax.plot([0, 1], [0, 1], color="black", ls=":", lw=1, label="perfect calibration")
        ours = None
        for name, proba in record.proba.items():
            if proba is None:
                continue
            table = reliability_table(record.truth, proba, bins)
            shown = table[table["weeks"] >= MIN_BIN_WEEKS]
            ece = record.result["models"][name]["ece"]
            mine = name == OURS
            ax.plot(
                shown["confidence"],
                shown["accuracy"],
                color=MODEL_COLOURS.get(name, "grey"),
                lw=2.2 if mine else 1.0,
                zorder=3 if mine else 2,
                label=f"{name} (ECE {ece:.3f})",
                marker=MODEL_MARKERS.get(name, "o"),
                ms=0,
            )
            ax.scatter(
                shown["confidence"],
                shown["accuracy"],
                s=8 + 0.25 * shown["weeks"].to_numpy(),
                color=MODEL_COLOURS.get(name, "grey"),
                marker=MODEL_MARKERS.get(name, "o"),
                zorder=4 if mine else 2,
                edgecolors="black" if mine else "none",
                linewidths=0.6,
            )
            if mine:
                ours = table
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        percent_axis(ax)
        ax.set_ylabel("share of weeks the top class was right")
        ax.set_title(
            f"Reliability of the top class ({bins} bins; marker area: weeks; "
            f"bins under {MIN_BIN_WEEKS} weeks left off)"
        )
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
        if ours is not None:
            bars = counts.bar(
                (ours["bin"] + 0.5) / bins,
                ours["weeks"],
                width=0.8 / bins,
                color=MODEL_COLOURS[OURS],
            )
            counts.bar_label(bars, labels=[f"{w:,}" for w in ours["weeks"]], fontsize=8)
            counts.set_ylim(0, ours["weeks"].max() * 1.3)
        counts.set_ylabel("weeks in the bin\n(regime)")
        counts.set_xlabel("confidence of the top class")
        percent_axis(counts)
        counts.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        counts.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        counts.grid(alpha=0.3, axis="y")
        fig.tight_layout()
    return fig


def confusion_chart(record: EvaluationRecord, names: tuple[str, ...]) -> Figure:
    """Row-normalised confusion matrices (rows: hindsight label), counts in each cell."""
    with style():
        fig, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 5.4))
        for ax, name in zip(np.atleast_1d(axes), names, strict=True):
            counts = np.array(record.result["models"][name]["confusion"], dtype=float)
            share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
            ax.imshow(share, cmap="cividis", vmin=0, vmax=1)
            for i in range(len(REGIMES)):
                for j in range(len(REGIMES)):
                    ax.text(
                        j,
                        i,
                        f"{int(counts[i, j]):,}\n{share[i, j]:.0%}",
                        ha="center",
                        va="center",
                        color="black" if share[i, j] > 0.55 else "white",
                        fontsize=9,
                    )
            ticks = [r.replace("_", "\n") for r in REGIMES]
            ax.set_xticks(range(len(REGIMES)), ticks)
            ax.set_yticks(range(len(REGIMES)), ticks)
            ax.set_xlabel("called")
            ax.set_ylabel("hindsight label")
            ax.set_title(f"{name}: weeks, and share of the row")
        fig.tight_layout()
    return fig


def coefficients(model: RegimeModel) -> pd.Series:
    """The final model's gate coefficients (log-odds of risk_off per s.d. of each feature),
    smallest magnitude first, each named by its gate and its feature's label (wrapped for the
    chart's axis); a gate fitted as a constant has none."""
    classifier = model.final.classifier
    names = model.feature_names
    values: dict[str, float] = {}
    for gate, fitted, columns in (
        ("entry", classifier.entry_gate_, classifier.entry_columns_),
        ("exit", classifier.exit_gate_, classifier.exit_columns_),
    ):
        coef = getattr(fitted, "coef_", None)
        if coef is None:
            continue
        for column, value in zip(columns, np.ravel(coef), strict=True):
            values[textwrap.fill(f"{gate} gate: {label(names[column])}", 60)] = float(value)
    found = pd.Series(values, dtype=float)
    return found.reindex(found.abs().sort_values().index)


def coefficient_chart(values: pd.Series, version: str) -> Figure:
    with style():
        lines = sum(name.count("\n") + 1 for name in values.index)
        fig, ax = plt.subplots(figsize=(11, 0.22 * lines + 0.12 * len(values) + 1.6))
        colours = [REGIME_COLOURS[RISK_OFF] if v > 0 else MODEL_COLOURS[OURS] for v in values]
        ax.barh(values.index, values.to_numpy(), color=colours)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(f"What model {version} leans on: each gate's standardised coefficients")
        ax.set_xlabel(
            "change in the log-odds of risk_off per standard deviation (right: more risk_off)"
        )
        ax.grid(alpha=0.3, axis="x")
        fig.tight_layout()
    return fig


def allocation_chart(equity: pd.DataFrame, drawdown: pd.DataFrame, title: str) -> Figure:
    """Growth of 1 (log scale) and drawdown of each strategy, on the time charts' margins."""
    with style():
        fig, (top, bottom) = plt.subplots(
            2, 1, figsize=(TIME_WIDTH, 6.5), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
        )
        for name in equity.columns:
            width = 2.0 if name == next(iter(equity.columns)) else 1.1
            top.plot(equity.index, equity[name], color=colour(name), lw=width, label=name)
            bottom.plot(drawdown.index, drawdown[name], color=colour(name), lw=width)
        top.set_yscale("log")
        plain_log_axis(top)
        top.set_ylabel("growth of 1")
        top.set_title(title)
        top.legend(loc="upper left")
        top.grid(alpha=0.3)
        bottom.set_ylabel("drawdown")
        percent_axis(bottom)
        bottom.set_title("Drawdown from the running peak")
        bottom.grid(alpha=0.3)
        bottom.set_xlim(equity.index[0], equity.index[-1])
        fig.subplots_adjust(**TIME_MARGINS, top=0.94, bottom=0.06, hspace=0.25)
    return fig
