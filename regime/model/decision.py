"""Decision rules: from regime probabilities to the regime called each week.

- argmax: the most probable regime.
- balanced: the regime whose probability is highest relative to its training frequency. The
  expected balanced accuracy of calling regime r is P(r) / frequency(r), so this call maximises
  it when the probabilities are calibrated: a risk_off probability of 35% is already a strong
  warning when one week in five is risk_off.
- balanced_hysteresis: balanced, except that a risk_off call starts only when its relative
  probability beats the best other regime's by the factor `hysteresis`, and ends only when it
  falls below 1 / `hysteresis` of it. Fewer flips at the cost of later turns. The rule carries
  state from week to week, so rows must be consecutive weeks in time order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.constants import REGIMES, RISK_OFF

DECISIONS = ("argmax", "balanced", "balanced_hysteresis")


def decide(
    proba: NDArray[np.float64],
    classes: Sequence[str],
    prior: NDArray[np.float64],
    rule: str,
    gate_class: str,
    hysteresis: float = 1.0,
    in_gate: bool = False,
) -> NDArray[np.str_]:
    """The called class of each row of `proba` (columns in `classes` order).

    `prior` holds the training frequency of each class (balanced rules); `in_gate` says whether
    the week before the first row was called `gate_class` (hysteresis only).
    """
    if rule not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {rule!r}")
    labels = np.asarray(classes)
    if rule == "argmax":
        return np.asarray(labels[np.argmax(proba, axis=1)])
    relative = proba / np.maximum(prior, 1e-12)
    calls = labels[np.argmax(relative, axis=1)]
    if rule == "balanced" or len(proba) == 0:
        return np.asarray(calls)
    gate = list(labels).index(gate_class)
    others = np.delete(relative, gate, axis=1)
    best_other = np.argmax(others, axis=1)
    other_labels = np.delete(labels, gate)[best_other]
    ratio = relative[:, gate] / np.maximum(others[np.arange(len(others)), best_other], 1e-300)
    out = np.empty(len(proba), dtype=object)
    state = in_gate
    for i, r in enumerate(ratio):
        state = bool(r > (1.0 / hysteresis if state else hysteresis))
        out[i] = gate_class if state else other_labels[i]
    return np.asarray(out.astype(str))


def rest_labels(features: pd.DataFrame) -> NDArray[np.str_]:
    """The label each week gets unless it turns out to be risk_off (known on the week)."""
    others = [r for r in REGIMES if r != RISK_OFF]
    onehot = features[[f"rulebook_if_not_bear_{r}" for r in others]].to_numpy()
    return np.asarray(np.asarray(others)[onehot.argmax(axis=1)])
