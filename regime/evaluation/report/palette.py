"""One colour per regime, model, strategy and index, the same on every chart (Okabe-Ito).

The Okabe-Ito palette stays distinguishable under the common colour-vision deficiencies; where
eight models need eight colours, a model's marker and line style tell it apart as well. Charts
are drawn inside `style()`: plain tick labels (no offset, no scientific notation).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from regime.constants import EARLY_RECOVERY, NARROW_RALLY, NEUTRAL, RISK_OFF  # noqa: E402

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"

REGIME_COLOURS = {
    EARLY_RECOVERY: GREEN,
    NARROW_RALLY: PURPLE,
    NEUTRAL: LIGHT_GREY,
    RISK_OFF: VERMILLION,
}
# The indices, and the strategies that hold one of them, share its colour.
INDEX_COLOURS = {"small_cap": BLACK, "large_cap": ORANGE}
MODEL_COLOURS = {
    "regime": BLUE,
    "rulebook_realtime": BLACK,
    "state_only": SKY_BLUE,
    "drawdown_rebound": ORANGE,
    "term_spread_probit": YELLOW,
    "majority": GREY,
    "hmm": GREEN,
    "markov_switching": PURPLE,
}
MODEL_MARKERS = {
    "regime": "o",
    "rulebook_realtime": "x",
    "state_only": "s",
    "drawdown_rebound": "v",
    "term_spread_probit": "D",
    "majority": "P",
    "hmm": "^",
    "markov_switching": "*",
}
STRATEGY_COLOURS = {
    "regime_timed": BLUE,
    "buy_hold_rut": BLACK,
    "buy_hold_spx": ORANGE,
    "buy_hold_50_50": GREY,
}
THRESHOLD_COLOUR = BLACK
DPI = 110
# Every time chart has this width and these margins, so stacked charts share their x positions.
TIME_WIDTH = 13.0
TIME_MARGINS = {"left": 0.075, "right": 0.985}

_STYLE: dict[Any, Any] = {
    "axes.formatter.useoffset": False,
    "axes.formatter.limits": (-9, 12),
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "legend.fontsize": 9,
}


def colour(name: str) -> str:
    """The colour of a regime, model, strategy or index (grey for a name with none)."""
    for table in (REGIME_COLOURS, MODEL_COLOURS, STRATEGY_COLOURS, INDEX_COLOURS):
        if name in table:
            return table[name]
    return GREY


@contextmanager
def style() -> Iterator[None]:
    """The report's matplotlib settings, for drawing and saving a chart."""
    with plt.rc_context(_STYLE):
        yield


def png(figure: Figure, tight: bool = True) -> bytes:
    """The figure as PNG bytes (closed afterwards). `tight=False` keeps the figure's own size,
    so time charts with fixed margins line up when stacked."""
    buffer = io.BytesIO()
    with style():
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight" if tight else None)
    plt.close(figure)
    return buffer.getvalue()


def plain_log_axis(ax: Axes) -> None:
    """Label a log-scaled y axis with plain numbers (1,000, not 10^3) at 1, 2 and 5 times
    each power of ten."""
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.12g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def percent_axis(ax: Axes, decimals: int = 0) -> None:
    """Label the y axis as percentages of 1."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.{decimals}%}"))
