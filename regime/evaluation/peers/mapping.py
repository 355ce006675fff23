"""Turning unsupervised states into regime labels, learned on the training window only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regime.constants import REGIMES


def states_to_labels(states: np.ndarray, labels: np.ndarray, n_states: int) -> dict[int, str]:
    """The majority training label of each state (`states`, `labels`: the same training weeks).

    A state no training week falls in gets the overall majority label. Ties go to the label
    first in `REGIMES` order, so the mapping is deterministic.
    """
    labels = np.asarray(labels, dtype=object)
    overall = _majority(labels)
    mapping = {}
    for state in range(n_states):
        members = labels[np.asarray(states) == state]
        mapping[state] = _majority(members) if len(members) else overall
    return mapping


def label_proba(state_proba: np.ndarray, mapping: dict[int, str], floor: float) -> pd.DataFrame:
    """Regime probabilities: each state's probability goes to its label, floored, renormalised.

    The floor (the model's `min_probability`) keeps a label no state maps to from costing an
    infinite log loss, the same guard our own model has.
    """
    out = np.zeros((state_proba.shape[0], len(REGIMES)))
    for state, label in mapping.items():
        out[:, REGIMES.index(label)] += state_proba[:, state]
    out = np.maximum(out, floor)
    return pd.DataFrame(out / out.sum(axis=1, keepdims=True), columns=list(REGIMES))


def _majority(labels: np.ndarray) -> str:
    counts = [(int(np.sum(labels == r)), -i, r) for i, r in enumerate(REGIMES)]
    return max(counts)[2]
