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

from regime.config import Settings
from regime.evaluation.peers.mapping import SMOOTHING
from regime.model.horizons import Target
from regime.model.training_rows import Dataset
from regime.model.walk_forward import rulebook_realtime

PEERS = ("climatology", "persistence", "hmm_transition")
NOTES = {
    "climatology": "the training frequency of each outcome, settled at the refit",
    "persistence": "the training frequency of each outcome given today's real-time rulebook "
    "regime (regime targets), whether small caps led on total return over the past leadership "
    "window (leadership), or the rulebook's bull/bear state (bear start)",
    "hmm_transition": "the nowcast HMM's filtered state distribution times its transition matrix "
    "to the power h, mapped to the outcome by a soft state-to-outcome map from training weeks",
}


def conditions(target: Target, dataset: Dataset, settings: Settings) -> pd.Series:
    """What persistence carries forward, as known on each week (a label per week)."""
    features = dataset.features
    if target.kind == "regime":
        return rulebook_realtime(dataset, features.index)
    if target.kind == "bear_start":
        in_bear = features["rulebook_risk_off"].to_numpy() > 0.5
        return pd.Series(np.where(in_bear, "bear", "bull"), index=features.index)
    levels = np.log(dataset.total_returns[["small_cap", "large_cap"]])
    past = levels - levels.shift(settings.outlook.leadership_weeks)
    excess = (past["small_cap"] - past["large_cap"]).reindex(features.index)
    led = np.where(excess.isna(), "unknown", np.where(excess > 0, "led", "lagged"))
    return pd.Series(led, index=features.index)


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
    onehot = _onehot(settled.to_numpy(), classes)
    climate = np.tile(onehot.mean(axis=0), (len(weeks), 1))
    known = condition.reindex(settled.index).to_numpy()
    today = condition.reindex(weeks).to_numpy()
    persistence = np.empty((len(weeks), len(classes)))
    for value in np.unique(today):
        counts = onehot[known == value].sum(axis=0) + SMOOTHING
        persistence[today == value] = counts / counts.sum()
    ahead = pd.DataFrame(
        states.to_numpy() @ np.linalg.matrix_power(transition, target.weeks), index=states.index
    )
    trained = settled.index.intersection(ahead.index)
    weights = ahead.loc[trained].to_numpy()
    given = weights.T @ _onehot(settled.loc[trained].to_numpy(), classes) + SMOOTHING
    given /= given.sum(axis=1, keepdims=True)
    hmm = ahead.loc[weeks].to_numpy() @ given
    return {
        name: _floored(values, weeks, classes, floor)
        for name, values in zip(PEERS, (climate, persistence, hmm), strict=True)
    }


def _onehot(values: NDArray[np.generic], classes: list[object]) -> NDArray[np.float64]:
    return np.stack([values == c for c in classes], axis=1).astype(float)


def _floored(
    values: NDArray[np.float64], weeks: pd.DatetimeIndex, classes: list[object], floor: float
) -> pd.DataFrame:
    out = np.maximum(values, floor)
    return pd.DataFrame(out / out.sum(axis=1, keepdims=True), index=weeks, columns=classes)
