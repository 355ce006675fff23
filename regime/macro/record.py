"""The recession nowcast's out-of-sample record: what a prediction shows beside P(recession).

Judged on every week from `recession.first_test` whose month the NBER had dated by the data's
last week, against the truth of that month; the nowcast's probability of each week is the one
its walk-forward gave that week. Brier skill is against climatology (the share of recession
weeks dated by each refit: the base-rate candidate's own walk-forward) and against persistence
(the share of recession weeks, among those dated by each refit, given the state the NBER had
last dated by the week: what carrying the known state forward gives, when a recession is dated
only months after it began), each with a circular block bootstrap interval (learning/skill.py).
`skill_shown` only when both intervals' lower bounds are above 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.learning.choice import UNKNOWN
from regime.learning.skill import floored, persistence_proba, skill_record
from regime.macro.nowcast import NowcastCandidate, NowcastInputs, NowcastRun


def judged_weeks(inputs: NowcastInputs, settings: Settings) -> pd.DatetimeIndex:
    """Weeks from `recession.first_test` whose month was dated by the last week of inputs."""
    weeks = inputs.features.index
    dated = inputs.targets(weeks[-1]) != UNKNOWN
    return weeks[dated & (weeks >= pd.Timestamp(settings.recession.first_test))]


def climatology(run: NowcastRun, settings: Settings) -> pd.Series:
    """The base rate known at each refit, week by week (the no-input candidate's series)."""
    return run.series[NowcastCandidate((), settings.recession.regularisation[0], "none")]


def last_dated_state(inputs: NowcastInputs) -> pd.Series:
    """Per week: "recession" or "expansion", the NBER state of the latest week whose month was
    dated by that week ("unknown" before any was)."""
    weeks = inputs.features.index
    months = weeks.to_period("M").to_timestamp()
    known = inputs.truth.known_from.reindex(months).to_numpy(dtype="datetime64[ns]")
    state = inputs.truth.recession.reindex(months).to_numpy()
    # dated[t, w]: week w's month was dated by week t (a month is dated only after it).
    dated = known[None, :] <= weeks.to_numpy()[:, None]
    last = len(weeks) - 1 - np.argmax(dated[:, ::-1], axis=1)
    words = np.where(state[last] == 1, "recession", "expansion")
    return pd.Series(np.where(dated.any(axis=1), words, "unknown"), index=weeks)


def persistence(inputs: NowcastInputs, run: NowcastRun, settings: Settings) -> pd.Series:
    """P(recession) from the last dated state, learned at each refit from the weeks dated then
    (learning/skill.py's persistence), for every week of the nowcast's walk-forward."""
    condition = last_dated_state(inputs).to_numpy()
    index = inputs.features.index
    parts = []
    for refit in run.schedule:
        targets = inputs.targets(refit.date)
        settled = targets != UNKNOWN
        rows = index.get_indexer(refit.block)
        proba = persistence_proba(targets[settled], condition[settled], condition[rows], (0, 1))
        floor = settings.model.min_probability
        parts.append(pd.Series(floored(proba, floor)[:, 1], index=refit.block))
    return pd.concat(parts)


def nowcast_record(inputs: NowcastInputs, run: NowcastRun, settings: Settings) -> dict[str, Any]:
    """AUROC, Brier score and Brier skill against climatology and persistence, on the judged
    weeks."""
    weeks = judged_weeks(inputs, settings)
    truth = inputs.truth.weekly(weeks).to_numpy(dtype=float)
    ours = run.probability.loc[weeks].to_numpy(dtype=float)
    peers = {
        "climatology": climatology(run, settings),
        "persistence": persistence(inputs, run, settings),
    }
    brier = {"forecast": (ours - truth) ** 2}
    brier.update({k: (v.loc[weeks].to_numpy(dtype=float) - truth) ** 2 for k, v in peers.items()})
    block = settings.evaluation.bootstrap_block_weeks
    record = skill_record(weeks, brier, settings.evaluation, block, (truth, ours))
    return {
        **record,
        "recession_weeks": int(truth.sum()),
        "recessions": [r.name for r in inputs.truth.recessions if r.trough >= weeks[0]],
    }
