"""The macro panel's charts: P(recession) since the 1970s against NBER recessions, and one small
chart per macro family over the last two years. Each takes plain data and returns a Figure."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from regime.evaluation.report.macro.series import FamilyHistory, RecessionSeries
from regime.evaluation.report.palette import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    THRESHOLD_COLOUR,
    TIME_MARGINS,
    TIME_WIDTH,
    VERMILLION,
    percent_axis,
    style,
)
from regime.macro.indicators import words_for
from regime.macro.readings import CALM, STALE, STRESS, UNAVAILABLE, WATCH

NOWCAST_COLOUR = BLUE
CALLED_COLOUR = VERMILLION
NBER_COLOUR = "#BBBBBB"
STATE_COLOURS = {CALM: GREEN, WATCH: ORANGE, STRESS: VERMILLION, STALE: GREY, UNAVAILABLE: GREY}
OUTSIDE_HATCH = "////"
OUTSIDE_EDGE = "#AAAAAA"  # light enough that the line under the hatch still reads
HALF_WEEK = pd.Timedelta(days=3.5)


def recession_chart(series: RecessionSeries, now: tuple[pd.Timestamp, float] | None) -> Figure:
    """P(recession) week by week (the walk-forward's, out of sample) with NBER recessions
    shaded, the call threshold, the called weeks filled, the weeks outside the judged span
    hatched, and `now` (the current model's week and P) marked; below, strips of the called
    weeks and the NBER's months."""
    p = series.p
    with style():
        fig, (ax, called, nber) = plt.subplots(
            3,
            1,
            figsize=(TIME_WIDTH, 4.9),
            sharex=True,
            gridspec_kw={"height_ratios": [3.2, 0.38, 0.38]},
        )
        for first, last in series.recessions:
            ax.axvspan(first, last, color=NBER_COLOUR, alpha=0.55, lw=0, zorder=0)
        ax.fill_between(
            p.index, 0, p, where=series.called.to_numpy(), color=CALLED_COLOUR, alpha=0.4, lw=0
        )
        ax.plot(p.index, p, color=NOWCAST_COLOUR, lw=0.8, zorder=3)
        ax.axhline(series.threshold, color=THRESHOLD_COLOUR, ls="--", lw=0.9, zorder=2)
        if now is not None:
            ax.scatter([now[0]], [now[1]], s=36, color=NOWCAST_COLOUR, edgecolors=BLACK, zorder=5)
        ax.set_ylim(0, 1)
        percent_axis(ax)
        ax.set_ylabel("P(recession)")
        ax.set_title(
            "P(recession), out of sample week by week, against NBER recessions (grey): "
            f"at or above {series.threshold:.0%} (filled), a recession call"
        )
        ax.grid(alpha=0.3)
        _strip(called, p.index, series.called.to_numpy(), CALLED_COLOUR, None, "called")
        unknown = series.truth.isna().to_numpy()
        _strip(nber, p.index, series.truth.fillna(0).to_numpy() > 0.5, NBER_COLOUR, unknown, "NBER")
        _hatch_outside((ax, called, nber), series)
        nber.xaxis.set_major_locator(mdates.YearLocator(5))
        nber.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        # A few weeks of room on the right, so this week's dot is not cut by the frame.
        nber.set_xlim(p.index[0] - HALF_WEEK, p.index[-1] + pd.Timedelta(weeks=8))
        fig.legend(
            handles=_recession_legend(series, now),
            loc="lower center",
            ncol=3,
            frameon=False,
            bbox_to_anchor=(0.5, 0.0),
        )
        fig.subplots_adjust(**TIME_MARGINS, top=0.93, bottom=0.2, hspace=0.25)
    return fig


def _hatch_outside(axes: tuple[Axes, ...], series: RecessionSeries) -> None:
    """Hatch the weeks before and after the judged span on every axis."""
    weeks = series.p.index
    outside = np.asarray((weeks < series.judged[0]) | (weeks > series.judged[1]))
    for ax in axes:
        for start, end in _runs(outside):
            ax.axvspan(
                weeks[start] - HALF_WEEK,
                weeks[end] + HALF_WEEK,
                facecolor="none",
                edgecolor=OUTSIDE_EDGE,
                hatch=OUTSIDE_HATCH,
                lw=0,
            )


def _recession_legend(
    series: RecessionSeries, now: tuple[pd.Timestamp, float] | None
) -> list[Line2D | Patch]:
    first, last = series.judged
    this_week: list[Line2D | Patch] = []
    if now is not None:
        this_week.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                color=NOWCAST_COLOUR,
                markeredgecolor=BLACK,
                label=f"this week ({now[0]:%Y-%m-%d}): {now[1]:.0%}",
            )
        )
    return [
        *this_week,
        Line2D([], [], color=NOWCAST_COLOUR, lw=1.2, label="P(recession), walk-forward"),
        Line2D([], [], color=THRESHOLD_COLOUR, ls="--", lw=0.9, label="call threshold"),
        Patch(color=CALLED_COLOUR, alpha=0.5, label="called: P at or above the threshold"),
        Patch(color=NBER_COLOUR, label="NBER recession months"),
        Patch(
            facecolor="none",
            edgecolor=OUTSIDE_EDGE,
            hatch=OUTSIDE_HATCH,
            label=f"not judged: before {first:%Y-%m} (first years), after {last:%Y-%m} "
            "(not yet dated by the NBER)",
        ),
    ]


def _strip(
    ax: Axes,
    dates: pd.DatetimeIndex,
    on: np.ndarray,
    colour: str,
    unknown: np.ndarray | None,
    name: str,
) -> None:
    """A row of weeks: `colour` where `on`, dotted where `unknown`."""
    for start, end in _runs(on):
        ax.axvspan(dates[start] - HALF_WEEK, dates[end] + HALF_WEEK, color=colour, lw=0)
    if unknown is not None:
        for start, end in _runs(unknown):
            ax.axvspan(
                dates[start] - HALF_WEEK,
                dates[end] + HALF_WEEK,
                facecolor="white",
                edgecolor="#555555",
                hatch="...",
                lw=0,
            )
    ax.set_yticks([])
    ax.set_ylabel(name, rotation=0, ha="right", va="center")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) positions of each run of True in `mask`."""
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def family_chart(history: FamilyHistory) -> Figure:
    """The family's indicator week by week with the watch and stress levels (the side beyond
    each shaded), each week's dot coloured by its state; below, a strip of the states (grey:
    no value that week, a stale feed)."""
    words = words_for(history.indicator)
    value = history.value
    with style():
        fig, (ax, strip) = plt.subplots(
            2, 1, figsize=(6.4, 2.9), sharex=True, gridspec_kw={"height_ratios": [5, 0.45]}
        )
        low, high = _limits(value, history.watch, history.stress)
        worse = high if history.higher_is_worse else low
        for level, colour in ((history.watch, ORANGE), (history.stress, VERMILLION)):
            ax.axhspan(level, worse, color=colour, alpha=0.1, lw=0)
            ax.axhline(level, color=colour, ls="--", lw=1.0)
        ax.plot(value.index, value, color=BLACK, lw=0.9, zorder=2)
        colours = [STATE_COLOURS.get(s, GREY) for s in history.state]
        ax.scatter(value.index, value, c=colours, s=11, zorder=3, lw=0)
        ax.set_ylim(low, high)
        ax.set_ylabel(words.unit.replace("percentage points", "% points"))
        ax.set_title(f"{history.family}: {words.short.removeprefix('the ')}")
        ax.text(
            1.0,
            1.02,
            f"watch {history.watch:g}, stress {history.stress:g}",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8.5,
            color="#444444",
        )
        ax.grid(alpha=0.3)
        _state_strip(strip, history.state)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
        strip.xaxis.set_major_locator(locator)
        strip.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        strip.set_xlim(value.index[0] - HALF_WEEK, value.index[-1] + HALF_WEEK)
        fig.tight_layout(h_pad=0.3)
    return fig


def _state_strip(ax: Axes, states: pd.Series) -> None:
    """A row of weeks, each the colour of its state."""
    values = states.to_numpy(dtype=str)
    for state in np.unique(values):
        for start, end in _runs(values == state):
            ax.axvspan(
                states.index[start] - HALF_WEEK,
                states.index[end] + HALF_WEEK,
                color=STATE_COLOURS.get(state, GREY),
                lw=0,
            )
    ax.set_yticks([])
    ax.set_ylabel("state", rotation=0, ha="right", va="center", fontsize=8.5)


def _limits(value: pd.Series, watch: float, stress: float) -> tuple[float, float]:
    """The y range: every value and both levels, with a margin."""
    seen = value.dropna().to_numpy(dtype=float)
    points = np.concatenate([seen, [watch, stress]])
    low, high = float(points.min()), float(points.max())
    margin = 0.12 * (high - low or 1.0)
    return low - margin, high + margin
