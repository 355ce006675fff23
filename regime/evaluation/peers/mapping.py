"""From unsupervised states to regime probabilities, learned on the training window only.

A state is rarely one regime: a "stress" state holds risk_off weeks and the first weeks of a
recovery alike. So each state gets a distribution over regimes, not a single name:
P(regime | state) counts the training weeks of each regime, each weighted by the filtered
probability of the state on that week, plus one (add-one smoothing, so no regime is impossible).
A week's regime probability is then sum over states of P(state | data up to the week) times
P(regime | state): a proper probability whose log loss is a fair score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.constants import REGIMES

# Add-one (Laplace) smoothing of the state-by-regime counts.
SMOOTHING = 1.0


def regime_given_state(
    state_proba: NDArray[np.float64], labels: NDArray[np.str_] | pd.Series
) -> NDArray[np.float64]:
    """(states, regimes) matrix of P(regime | state) from training weeks (rows sum to 1).

    `state_proba` holds the filtered state probabilities of the training weeks, `labels` their
    regimes (in `REGIMES`).
    """
    labels = np.asarray(labels, dtype=object)
    onehot = np.stack([labels == regime for regime in REGIMES], axis=1).astype(float)
    counts = np.asarray(state_proba, dtype=float).T @ onehot + SMOOTHING
    return np.asarray(counts / counts.sum(axis=1, keepdims=True))


def label_proba(
    state_proba: NDArray[np.float64], given_state: NDArray[np.float64], floor: float
) -> pd.DataFrame:
    """Regime probabilities of each row: state probabilities times P(regime | state).

    The floor (the model's `min_probability`) bounds the cost of a confident miss, the same
    guard our own model has; rows are renormalised after it.

    >>> import numpy as np
    >>> given = np.array([[0.5, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 1.0]])
    >>> label_proba(np.array([[0.5, 0.5]]), given, floor=0.0).iloc[0].tolist()
    [0.25, 0.0, 0.25, 0.5]
    """
    out = np.maximum(np.asarray(state_proba, dtype=float) @ given_state, floor)
    return pd.DataFrame(out / out.sum(axis=1, keepdims=True), columns=list(REGIMES))


def describe(given_state: NDArray[np.float64]) -> dict[str, dict[str, float]]:
    """The matrix as {state: {regime: probability}}, rounded, for the evaluation's JSON."""
    return {
        str(state): {regime: round(float(p), 4) for regime, p in zip(REGIMES, row, strict=True)}
        for state, row in enumerate(given_state)
    }
