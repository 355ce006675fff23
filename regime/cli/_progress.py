"""A one-line progress bar on stderr that other lines can be printed above.

The ETA comes from the pace of the last few steps, not the average since the start: the steps
of a walk-forward are not equal (`regime evaluate` refits our model quickly, then its slower
peers), and an average over all of them promises the end too early.
"""

from __future__ import annotations

import shutil
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

RECENT_STEPS = 8
BAR_WIDTH = 28
CLEAR_LINE = "\r\x1b[K"


class ProgressLine:
    """Call it as `progress(done, total)`; `note(message)` prints a line above the bar."""

    def __init__(
        self, label: str, stream: TextIO, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.label = label
        self.stream = stream
        self.clock = clock
        self.done = 0
        self.total = 0
        self.drawn = False
        self._recent: deque[tuple[float, int]] = deque(maxlen=RECENT_STEPS + 1)

    def __call__(self, done: int, total: int) -> None:
        if done < self.done or total != self.total:  # a new count: forget the old pace
            self._recent.clear()
        self.done, self.total = done, total
        self._recent.append((self.clock(), done))
        self._draw()

    def eta_seconds(self) -> float | None:
        """Seconds left at the pace of the last RECENT_STEPS steps; None until two are seen."""
        if len(self._recent) < 2 or self.total <= 0:
            return None
        (t0, d0), (t1, d1) = self._recent[0], self._recent[-1]
        if d1 <= d0 or t1 <= t0:
            return None
        return (self.total - self.done) * (t1 - t0) / (d1 - d0)

    def note(self, message: str) -> None:
        """Print `message` on its own line; the bar, if shown, moves below it."""
        self.stream.write((CLEAR_LINE if self.drawn else "") + message + "\n")
        if self.drawn:
            self._draw()
        else:
            self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

    def line(self) -> str:
        """The bar as text, e.g. `refits [#######-----]  25%  13/53  eta 0:42`."""
        share = self.done / self.total if self.total else 0.0
        filled = int(round(share * BAR_WIDTH))
        eta = self.eta_seconds()
        when = "eta --:--" if eta is None else f"eta {int(eta) // 60}:{int(eta) % 60:02d}"
        if self.done >= self.total > 0:
            when = "done"
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        text = f"{self.label} [{bar}] {share:4.0%}  {self.done}/{self.total}  {when}"
        return text[: shutil.get_terminal_size().columns - 1]

    def _draw(self) -> None:
        self.stream.write(CLEAR_LINE + self.line())
        self.stream.flush()
        self.drawn = True
