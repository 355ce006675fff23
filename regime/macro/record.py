"""The recession nowcast's out-of-sample record: what a prediction shows beside P(recession).

Judged on every week from `recession.first_test` whose month the NBER had dated by the data's
last week, against the truth of that month; the nowcast's probability of each week is the one
its walk-forward gave that week. Brier skill is against climatology (the share of recession
weeks dated by each refit: the base-rate candidate's own walk-forward), with a circular block
bootstrap interval (regime/bootstrap.py). `skill_shown` only when the interval's lower bound is
above 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from regime.bootstrap import auroc_rows, bootstrap_interval, skill_rows
from regime.config import Settings
from regime.learning.choice import UNKNOWN
from regime.macro.nowcast import NowcastCandidate, NowcastInputs, NowcastRun


def judged_weeks(inputs: NowcastInputs, settings: Settings) -> pd.DatetimeIndex:
    """Weeks from `recession.first_test` whose month was dated by the last week of inputs."""
    weeks = inputs.features.index
    dated = inputs.targets(weeks[-1]) != UNKNOWN
    return weeks[dated & (weeks >= pd.Timestamp(settings.recession.first_test))]


def climatology(run: NowcastRun, settings: Settings) -> pd.Series:
    """The base rate known at each refit, week by week (the no-input candidate's series)."""
    return run.series[NowcastCandidate((), settings.recession.regularisation[0], "none")]


def nowcast_record(inputs: NowcastInputs, run: NowcastRun, settings: Settings) -> dict[str, Any]:
    """AUROC, Brier score and Brier skill against climatology, on the judged weeks."""
    weeks = judged_weeks(inputs, settings)
    truth = inputs.truth.weekly(weeks).to_numpy(dtype=float)
    ours = run.probability.loc[weeks].to_numpy(dtype=float)
    base = climatology(run, settings).loc[weeks].to_numpy(dtype=float)
    brier, brier_base = (ours - truth) ** 2, (base - truth) ** 2
    ev = settings.evaluation
    skill = bootstrap_interval(
        skill_rows(brier, brier_base),
        len(weeks),
        block=ev.bootstrap_block_weeks,
        samples=ev.bootstrap_samples,
        seed=ev.seed,
        confidence=ev.confidence,
    )
    whole = np.arange(len(weeks))[None, :]
    return {
        "span": [weeks[0].date().isoformat(), weeks[-1].date().isoformat()],
        "weeks": len(weeks),
        "recession_weeks": int(truth.sum()),
        "recessions": [r.name for r in inputs.truth.recessions if r.trough >= weeks[0]],
        "auroc": float(auroc_rows(truth, ours)(whole)[0]),
        "brier": float(brier.mean()),
        "brier_skill_vs_climatology": skill.to_dict(),
        "skill_shown": bool(skill.low > 0),
    }
