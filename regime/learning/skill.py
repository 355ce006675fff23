"""A forecast's out-of-sample record: its Brier skill against the two forecasts anyone could
make without a model, and whether that skill is shown.

- climatology: the training frequency of each outcome, the same every week of a refit's block;
- persistence: the training frequency of each outcome given a condition known on the week (the
  probabilistic form of carrying today's state forward).

Both are learned at each refit from the outcomes settled then, with add-one smoothing of the
counts given a condition, and floored like the forecast. A record holds the Brier skill against
each with a circular block bootstrap interval (regime/bootstrap.py), the AUROC of an event, and
`skill_shown`: true only when the interval's lower bound is above 0 against both. A forecast
without it is worth no more than the long-run frequency, and is shown as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.bootstrap import auroc_rows, bootstrap_interval, skill_rows
from regime.config import EvaluationSettings

# Add-one (Laplace) smoothing of the counts given a condition: no outcome is impossible.
SMOOTHING = 1.0
PEERS = ("climatology", "persistence")


def onehot(values: NDArray[Any], classes: Sequence[object]) -> NDArray[np.float64]:
    """(len(values), len(classes)): 1 where the value is that class."""
    return np.stack([np.asarray(values) == c for c in classes], axis=1).astype(float)


def floored(values: NDArray[np.float64], floor: float) -> NDArray[np.float64]:
    """Every probability at least `floor`, rows renormalised to 1."""
    out = np.maximum(values, floor)
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def climatology_proba(
    outcomes: NDArray[Any], weeks: int, classes: Sequence[object]
) -> NDArray[np.float64]:
    """(weeks, classes): the share of each outcome among the settled `outcomes`, every week."""
    return np.tile(onehot(outcomes, classes).mean(axis=0), (weeks, 1))


def persistence_proba(
    outcomes: NDArray[Any],
    known: NDArray[Any],
    today: NDArray[Any],
    classes: Sequence[object],
) -> NDArray[np.float64]:
    """(len(today), classes): the share of each outcome among the settled weeks whose condition
    (`known`, one per outcome) was the week's own (`today`), counts plus SMOOTHING."""
    hot = onehot(outcomes, classes)
    out = np.empty((len(today), len(classes)))
    for value in np.unique(today):
        counts = hot[known == value].sum(axis=0) + SMOOTHING
        out[today == value] = counts / counts.sum()
    return out


def skill_record(
    weeks: pd.DatetimeIndex,
    brier: dict[str, NDArray[np.float64]],
    settings: EvaluationSettings,
    block: int,
    event: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> dict[str, Any]:
    """The record of a forecast judged on `weeks` (see the module docstring).

    `brier`: each week's Brier score of the `forecast` and of each of PEERS; `event`: the 0/1
    outcome and P(event), for its AUROC (None: not an event). Plain JSON types only.
    """
    n = len(weeks)
    ours = brier["forecast"]
    skill = {
        peer: bootstrap_interval(
            skill_rows(ours, brier[peer]),
            n,
            block=block,
            samples=settings.bootstrap_samples,
            seed=settings.seed,
            confidence=settings.confidence,
        )
        for peer in PEERS
    }
    auroc = None
    if event is not None:
        auroc = float(auroc_rows(*event)(np.arange(n)[None, :])[0])
    return {
        "span": [weeks[0].date().isoformat(), weeks[-1].date().isoformat()],
        "weeks": n,
        "auroc": auroc,
        "brier": float(ours.mean()),
        **{f"brier_skill_vs_{peer}": skill[peer].to_dict() for peer in PEERS},
        "skill_shown": bool(all(skill[peer].low > 0 for peer in PEERS)),
    }
