"""Walk-forward: every candidate refitted on an expanding window, and the nested choice.

At each refit date the candidates see only labels recomputed from prices known then (final
weeks only) and point-in-time features, and predict the next `refit_weeks` weeks. The nested
selection (selection.py) then picks, at each refit, from the candidates' earlier out-of-sample
weeks only. The result holds one out-of-sample call per week, next to the hindsight label it is
judged against, and everything needed to repeat the choice without the candidates it excluded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES
from regime.learning.calibration import IDENTITY, Sigmoid, fit_sigmoid
from regime.macro.nowcast import NowcastRun, run_nowcast
from regime.model.candidates import (
    UNKNOWN,
    Candidate,
    CandidateRuns,
    GateRows,
    candidates,
    run_candidates,
)
from regime.model.outlook import TargetRun, run_outlook
from regime.model.schedule import Refit, judged_weeks, refit_schedule
from regime.model.selection import Allowed, Choice, Nested, choose, nested_walk_forward
from regime.model.training_rows import Dataset

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class WalkForward:
    """The candidates' runs and the nested choice made from them (see module docstring)."""

    schedule: list[Refit]
    rows: GateRows
    runs: CandidateRuns
    nested: Nested
    # The choice made with everything known on the last week of data: the final model's.
    final: Choice
    # The outlook's targets, each walked forward and chosen the same way (see outlook.py).
    outlook: dict[str, TargetRun]
    # The recession nowcast's own walk-forward (macro/nowcast.py); None without its inputs.
    recession: NowcastRun | None = None

    def predictions(self, dataset: Dataset, settings: Settings) -> pd.DataFrame:
        """The nested calls on the judged weeks: `label`, `predicted`, `p_<regime>`, `refit`."""
        return judged(self.nested.predictions, dataset, settings)

    def restricted(self, dataset: Dataset, settings: Settings, allowed: Allowed) -> pd.DataFrame:
        """The same nested walk-forward, choosing only among `allowed` candidates."""
        nested = nested_walk_forward(
            dataset, settings, self.schedule, self.runs, self.rows, allowed
        )
        return judged(nested.predictions, dataset, settings)


def walk_forward(
    dataset: Dataset,
    settings: Settings,
    progress: Progress | None = None,
    through: date | pd.Timestamp | None = None,
) -> WalkForward:
    """Run every candidate, then choose at every refit (only refits up to `through`, if set).

    The candidates' refits run on the workers of `settings.parallel` (see regime/workers.py)."""
    schedule = refit_schedule(dataset, settings)
    if through is not None:
        schedule = [r for r in schedule if r.date <= pd.Timestamp(through)]
    today = dataset.features.index[-1] if through is None else schedule[-1].block[-1]
    rows = GateRows.build(dataset, settings, [*(r.date for r in schedule), today])
    offered = candidates(settings)
    half = None if progress is None else (lambda d, n: progress(d, 2 * n))
    runs = run_candidates(rows, offered, settings, schedule, half)
    nested = nested_walk_forward(dataset, settings, schedule, runs, rows)
    final = choose(today, dataset, settings, runs, rows, list(runs.series))
    final = _with_full_calibration(final, runs, rows)
    rest = None if progress is None else (lambda d, n: progress(n + d, 2 * n))
    outlook = run_outlook(dataset, settings, schedule, today, rest)
    recession = (
        None
        if dataset.recession is None
        else run_nowcast(dataset.recession, settings, through=through)
    )
    return WalkForward(schedule, rows, runs, nested, final, outlook, recession)


def judged(predictions: pd.DataFrame, dataset: Dataset, settings: Settings) -> pd.DataFrame:
    """`predictions` on the judged weeks, with the hindsight `label` in front."""
    weeks = judged_weeks(dataset, settings)
    out = predictions.loc[predictions.index.intersection(weeks)].copy()
    out.insert(0, "label", dataset.labels.loc[out.index, "label"])
    return out


def _with_full_calibration(choice: Choice, runs: CandidateRuns, rows: GateRows) -> Choice:
    """`choice` with each calibrated gate's sigmoid fitted on all its out-of-sample weeks."""
    target = rows.own.targets[choice.refit]

    def sigmoid(candidate: Candidate) -> Sigmoid:
        if candidate.calibration == "none":
            return IDENTITY
        values = runs.raw[candidate.raw].to_numpy()
        known = (target != UNKNOWN) & ~np.isnan(values)
        return fit_sigmoid(values[known], target[known])

    from dataclasses import replace

    return replace(
        choice,
        entry_calibration=sigmoid(choice.entry),
        exit_calibration=sigmoid(choice.exit),
    )


def rulebook_realtime(dataset: Dataset, weeks: pd.DatetimeIndex) -> pd.Series:
    """The rulebook's own real-time call for each week (a peer with no probabilities)."""
    onehot = dataset.features.loc[weeks, [f"rulebook_{r}" for r in REGIMES]].to_numpy()
    return pd.Series(np.asarray(REGIMES)[onehot.argmax(axis=1)], index=weeks, name="rulebook")
