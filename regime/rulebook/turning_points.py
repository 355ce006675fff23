"""Bull and bear dating on weekly closes, one week at a time.

A peak is confirmed when the close falls `decline` (e.g. 20%) below the highest close since the
last trough; a trough is confirmed when the close rises `rise` above the lowest close since the
last peak. The scan only ever looks at closes up to the current week, so its state at week t is
exactly what a person could have known at t. Hindsight labels and real-time rulebook features
both start from it.

Conventions: the series starts in a bull leg; thresholds are inclusive (a fall of exactly 20%
confirms); on ties the later week becomes the candidate turning point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Inclusive thresholds must survive float rounding: 100 * (1 - 0.2) is 80.00000000000001.
_EPS = 1e-9

BULL = 1
BEAR = -1


@dataclass(frozen=True)
class Scan:
    """The result of scanning n weekly closes. Positions are integer week offsets.

    `peaks` and `troughs` are confirmed turning points, in order. Per-week arrays, as known at
    that week: `leg` (+1 bull, -1 bear), `extreme` (position of the running max in a bull leg or
    running min in a bear leg), `last_peak` and `last_trough` (latest confirmed, -1 if none).
    """

    peaks: tuple[int, ...]
    troughs: tuple[int, ...]
    leg: np.ndarray
    extreme: np.ndarray
    last_peak: np.ndarray
    last_trough: np.ndarray


def scan(closes: np.ndarray, decline: float, rise: float) -> Scan:
    """Date turning points on `closes` (finite, positive), week by week."""
    closes = np.asarray(closes, dtype=float)
    if len(closes) and not (np.all(np.isfinite(closes)) and np.all(closes > 0)):
        raise ValueError("closes must be finite and positive")
    n = len(closes)
    leg_at = np.empty(n, dtype=int)
    extreme_at = np.empty(n, dtype=int)
    peak_at = np.empty(n, dtype=int)
    trough_at = np.empty(n, dtype=int)
    peaks: list[int] = []
    troughs: list[int] = []
    leg, extreme, last_peak, last_trough = BULL, 0, -1, -1
    for t in range(n):
        price = closes[t]
        if leg == BULL:
            if price >= closes[extreme]:
                extreme = t
            elif price <= closes[extreme] * (1 - decline) * (1 + _EPS):
                last_peak = extreme
                peaks.append(extreme)
                leg = BEAR
                extreme = _last_argmin(closes, extreme + 1, t)
        else:
            if price <= closes[extreme]:
                extreme = t
            elif price >= closes[extreme] * (1 + rise) * (1 - _EPS):
                last_trough = extreme
                troughs.append(extreme)
                leg = BULL
                extreme = _last_argmax(closes, extreme + 1, t)
        leg_at[t], extreme_at[t] = leg, extreme
        peak_at[t], trough_at[t] = last_peak, last_trough
    return Scan(tuple(peaks), tuple(troughs), leg_at, extreme_at, peak_at, trough_at)


def _last_argmin(values: np.ndarray, start: int, stop: int) -> int:
    window = values[start : stop + 1]
    return start + len(window) - 1 - int(np.argmin(window[::-1]))


def _last_argmax(values: np.ndarray, start: int, stop: int) -> int:
    window = values[start : stop + 1]
    return start + len(window) - 1 - int(np.argmax(window[::-1]))
