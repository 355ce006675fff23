"""The outlook's peers, refitted at each refit date on the targets settled then.

- `climatology`: the training frequency of each outcome, the same every week of the block;
- `persistence`: the training frequency of each outcome given a condition known on the week,
  the probabilistic form of carrying today's state forward: the rulebook's real-time regime (for
  the regime h weeks ahead), whether small caps' total return beat large caps' over the last
  `outlook.leadership_weeks` (for leadership), whether the rulebook sees a confirmed bear market
  (for a bear market's start);
- `hmm_transition`: the nowcast's HMM peer, fitted once per refit (peer_refits.py), moved h
  weeks ahead: the filtered state distribution of week t times the fitted transition matrix to
  the power h, mapped to the outcome by P(outcome | state), which counts the training weeks'
  outcomes each weighted by that same h-step state distribution.

Counts given a condition or a state get one added per outcome (add-one smoothing), so no outcome
is impossible; every probability is then floored at `model.min_probability`, as the outlook's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.learning.skill import (
    SMOOTHING,
    climatology_proba,
    floored,
    onehot,
    persistence_proba,
)
from regime.model.horizons import Target
from regime.model.outlook_record import conditions

__all__ = ["NOTES", "PEERS", "conditions", "outlook_peer_proba"]

PEERS = ("climatology", "persistence", "hmm_transition")
NOTES = {
    "climatology": "the training frequency of each outcome, settled at the refit",
    "persistence": "the training frequency of each outcome given today's real-time rulebook "
    "regime (regime targets), whether small caps led on total return over the past leadership "
    "window (leadership), or the rulebook's bull/bear state (bear start)",
    "hmm_transition": "the nowcast HMM's filtered state distribution times its transition matrix "
    "to the power h, mapped to the outcome by a soft state-to-outcome map from training weeks",
}


def outlook_peer_proba(
    target: Target,
    settled: pd.Series,
    weeks: pd.DatetimeIndex,
    condition: pd.Series,
    states: pd.DataFrame,
    transition: NDArray[np.float64],
    floor: float,
) -> dict[str, pd.DataFrame]:
    """Each peer's probabilities (columns: the target's outcomes) for `weeks`, learned from the
    targets `settled` at the refit."""
    classes = list(target.classes)
    outcomes = settled.to_numpy()
    climate = climatology_proba(outcomes, len(weeks), classes)
    known = condition.reindex(settled.index).to_numpy()
    persistence = persistence_proba(outcomes, known, condition.reindex(weeks).to_numpy(), classes)
    ahead = pd.DataFrame(
        states.to_numpy() @ np.linalg.matrix_power(transition, target.weeks), index=states.index
    )
    trained = settled.index.intersection(ahead.index)
    weights = ahead.loc[trained].to_numpy()
    given = weights.T @ onehot(settled.loc[trained].to_numpy(), classes) + SMOOTHING
    given /= given.sum(axis=1, keepdims=True)
    hmm = ahead.loc[weeks].to_numpy() @ given
    return {
        name: pd.DataFrame(floored(values, floor), index=weeks, columns=classes)
        for name, values in zip(PEERS, (climate, persistence, hmm), strict=True)
    }
