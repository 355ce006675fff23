"""The time charts: indices, their ratio, P(risk_off) against its threshold, called and truth.

One layout for the whole judged span and for the last weeks, so they read the same way: five
panels on one time axis, fixed margins (palette.TIME_MARGINS) so every time chart of the page
lines up with the others when stacked.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from regime.constants import REGIMES, RISK_OFF
from regime.evaluation.report.palette import (
    INDEX_COLOURS,
    MODEL_COLOURS,
    REGIME_COLOURS,
    THRESHOLD_COLOUR,
    TIME_MARGINS,
    TIME_WIDTH,
    percent_axis,
    plain_log_axis,
    style,
)

HALF_WEEK = pd.Timedelta(days=3.5)
LATER_HATCH = "////"
PROVISIONAL_HATCH = "..."
# Beyond this many weeks the lines are drawn thinner, or they fill the panel.
LONG_SPAN_WEEKS = 520


def timeline_chart(frame: pd.DataFrame, title: str, log_prices: bool) -> Figure:
    """`frame`: a row per week with `small_cap`, `large_cap`, `called`, `p_risk_off`,
    `threshold`, `label`, `provisional`, and optionally `source` (weeks whose source is not the
    first one are hatched: the current model's calls after the judged span)."""
    with style():
        fig, axes = plt.subplots(
            5,
            1,
            figsize=(TIME_WIDTH, 8.8),
            sharex=True,
            gridspec_kw={"height_ratios": [3, 1.6, 2.4, 0.45, 0.45]},
        )
        prices, ratio, proba, called, truth = axes
        _prices(prices, frame, log_prices, title)
        _ratio(ratio, frame)
        _probability(proba, frame)
        _strip(called, frame["called"], None, "called")
        _strip(truth, frame["label"], frame["provisional"].to_numpy(dtype=bool), "truth")
        later = _later_weeks(frame)
        for ax in axes:
            for start, end in _runs(later):
                ax.axvspan(
                    frame.index[start] - HALF_WEEK,
                    frame.index[end] + HALF_WEEK,
                    facecolor="none",
                    edgecolor="#555555",
                    hatch=LATER_HATCH,
                    lw=0,
                )
        truth.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=6, maxticks=14))
        truth.xaxis.set_major_formatter(
            mdates.ConciseDateFormatter(truth.xaxis.get_major_locator())
        )
        truth.set_xlim(frame.index[0] - HALF_WEEK, frame.index[-1] + HALF_WEEK)
        fig.legend(
            handles=_legend(frame, later),
            loc="lower center",
            ncol=4,
            frameon=False,
            bbox_to_anchor=(0.5, 0.0),
        )
        fig.subplots_adjust(**TIME_MARGINS, top=0.955, bottom=0.115, hspace=0.28)
    return fig


def _prices(ax: Axes, frame: pd.DataFrame, log: bool, title: str) -> None:
    for column, name in (("small_cap", "RUT (Russell 2000)"), ("large_cap", "SPX (S&P 500)")):
        rebased = 100 * frame[column] / frame[column].iloc[0]
        ax.plot(frame.index, rebased, color=INDEX_COLOURS[column], lw=1.2, label=name)
    if log:
        ax.set_yscale("log")
        plain_log_axis(ax)
    ax.set_ylabel("price, first week = 100")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="major")
    ax.legend(loc="upper left", ncol=2)


def _ratio(ax: Axes, frame: pd.DataFrame) -> None:
    relative = frame["small_cap"] / frame["large_cap"]
    ax.plot(frame.index, relative / relative.iloc[0], color=INDEX_COLOURS["small_cap"], lw=1.1)
    ax.set_ylabel("RUT / SPX\n(first week = 1)")
    ax.set_title("Small caps against large caps (rising: small caps lead)")
    ax.grid(alpha=0.3)


def _probability(ax: Axes, frame: pd.DataFrame) -> None:
    p, threshold = frame["p_risk_off"].astype(float), frame["threshold"].astype(float)
    ax.fill_between(
        frame.index,
        0,
        p,
        where=(frame["called"] == RISK_OFF).to_numpy(),
        step="mid",
        color=REGIME_COLOURS[RISK_OFF],
        alpha=0.35,
        lw=0,
    )
    thin = len(frame) > LONG_SPAN_WEEKS
    ax.step(
        frame.index,
        threshold,
        where="mid",
        color=THRESHOLD_COLOUR,
        ls="--",
        lw=0.5 if thin else 1.0,
    )
    ax.step(frame.index, p, where="mid", color=MODEL_COLOURS["regime"], lw=0.7 if thin else 1.3)
    ax.set_ylim(0, 1)
    percent_axis(ax)
    ax.set_ylabel("P(risk_off)")
    ax.set_title("P(risk_off) and the decision threshold: above it (shaded), the call is risk_off")
    ax.grid(alpha=0.3)


def _strip(ax: Axes, labels: pd.Series, provisional: np.ndarray | None, name: str) -> None:
    """A row of coloured weeks; provisional weeks are dotted (later prices may change them)."""
    dates = labels.index
    values = labels.to_numpy(dtype=str)  # a str array: pandas 2 gives object, np.char refuses it
    dotted = np.zeros(len(values), dtype=bool) if provisional is None else provisional
    key = np.char.add(values, dotted.astype(str))
    for start, end in _runs(np.ones(len(values), dtype=bool), key):
        ax.axvspan(
            dates[start] - HALF_WEEK,
            dates[end] + HALF_WEEK,
            facecolor=REGIME_COLOURS.get(values[start], "white"),
            edgecolor="black" if dotted[start] else "none",
            hatch=PROVISIONAL_HATCH if dotted[start] else None,
            lw=0,
        )
    ax.set_yticks([])
    ax.set_ylabel(name, rotation=0, ha="right", va="center")


def _later_weeks(frame: pd.DataFrame) -> np.ndarray:
    if "source" not in frame:
        return np.zeros(len(frame), dtype=bool)
    source = frame["source"].to_numpy()
    return np.asarray(source != source[0])


def _runs(mask: np.ndarray, key: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(first, last) positions of each run of True in `mask`, split where `key` changes."""
    key = np.zeros(len(mask)) if key is None else key
    runs, start = [], None
    for i in range(len(mask)):
        if mask[i] and start is None:
            start = i
        if start is not None and (i + 1 == len(mask) or not mask[i + 1] or key[i + 1] != key[i]):
            runs.append((start, i))
            start = None
    return runs


def _legend(frame: pd.DataFrame, later: np.ndarray) -> list[Line2D | Patch]:
    handles: list[Line2D | Patch] = [Patch(color=REGIME_COLOURS[r], label=r) for r in REGIMES]
    handles += [
        Line2D([], [], color=MODEL_COLOURS["regime"], lw=1.3, label="P(risk_off), regime model"),
        Line2D([], [], color=THRESHOLD_COLOUR, ls="--", lw=1.0, label="decision threshold"),
    ]
    if frame["provisional"].any():
        handles.append(
            Patch(
                facecolor=REGIME_COLOURS["neutral"],
                edgecolor="black",
                hatch=PROVISIONAL_HATCH,
                lw=0,
                label="provisional truth (dotted)",
            )
        )
    if later.any():
        handles.append(
            Patch(
                facecolor="none",
                edgecolor="#555555",
                hatch=LATER_HATCH,
                label="after the judged weeks: the current model's calls",
            )
        )
    return handles
