"""The recession nowcast: P(the US economy is in an NBER recession in this week's month).

A logistic regression on standardised macro inputs, refitted every `walk_forward.refit_weeks`
on the weeks whose month the NBER had dated by the refit (nber.py), predicting the weeks of its
block. At each refit the nested choice (learning/choice.py) picks the input families, the
regularisation and the calibration with the lowest log loss on earlier out-of-sample weeks,
exactly as the gates and the outlook choose theirs. The result holds one out-of-sample
probability per week: what a user would have read that week.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.config import Calibration, Settings
from regime.features.publication import fridays
from regime.features.table import macro_features
from regime.learning.calibration import IDENTITY, Sigmoid, calibrate_walk_forward, fit_sigmoid
from regime.learning.choice import UNKNOWN, binary_log_loss_weekly, lowest_loss
from regime.learning.logistic import ConstantGate, LastFit, fit_gate, gate_probability
from regime.learning.schedule import Refit, refits
from regime.macro.nber import NberMonths
from regime.sources.market_data import MarketData
from regime.workers import run_chunked


@dataclass(frozen=True, order=True)
class NowcastCandidate:
    """Input families, a regularisation strength and a calibration; `key` names it."""

    families: tuple[str, ...]
    C: float
    calibration: Calibration = "none"

    @property
    def key(self) -> str:
        return f"{'+'.join(self.families) or 'base rate'}:C={self.C:g}:{self.calibration}"

    @property
    def raw(self) -> NowcastCandidate:
        return NowcastCandidate(self.families, self.C, "none")

    def columns(self, families: Mapping[str, tuple[str, ...]]) -> list[str]:
        return list(dict.fromkeys(c for f in self.families for c in families[f]))

    def complexity(self) -> tuple[int, float, int]:
        """Orders ties in favour of fewer families, more regularisation, no calibration."""
        return (len(self.families), self.C, int(self.calibration != "none"))


def offered_families(
    settings: Settings, leave_out: Collection[str] = ()
) -> dict[str, tuple[str, ...]]:
    """The configured families without the inputs in `leave_out` (a family left empty goes)."""
    kept = {
        name: tuple(c for c in members if c not in leave_out)
        for name, members in settings.recession.families.items()
    }
    return {name: members for name, members in kept.items() if members}


def nowcast_candidates(
    settings: Settings, families: Mapping[str, tuple[str, ...]]
) -> list[NowcastCandidate]:
    """Every family subset (the empty one is the base rate) x C x calibration."""
    names = list(families)
    subsets = [s for k in range(len(names) + 1) for s in itertools.combinations(names, k)]
    r = settings.recession
    return [
        NowcastCandidate(subset, C, calibration)
        for subset in subsets
        for C in r.regularisation
        for calibration in r.calibration
    ]


@dataclass(frozen=True)
class NowcastInputs:
    """The nowcast's weekly macro inputs from `recession.train_start`, and its truth."""

    features: pd.DataFrame
    truth: NberMonths

    @classmethod
    def build(cls, data: MarketData, settings: Settings, through: date) -> NowcastInputs:
        """Inputs of every Friday from `recession.train_start` to the week of `through`."""
        rows = fridays(settings.recession.train_start, pd.Timestamp(through))
        features = macro_features(data, settings, rows)
        indicator = data[settings.recession.indicator]
        return cls(features, NberMonths.build(indicator, settings.recession))

    def targets(self, day: pd.Timestamp) -> NDArray[np.int8]:
        """Per week: 1 or 0 where its month was dated by `day` (and the week is not after it),
        else UNKNOWN."""
        known = self.truth.known_weeks(self.features.index, day)
        target = np.full(len(self.features), UNKNOWN, dtype=np.int8)
        target[self.features.index.get_indexer(known.index)] = known.to_numpy()
        return target


@dataclass(frozen=True)
class NowcastChoice:
    """What one refit chose: the candidate, the sigmoid its block used, the weeks judged."""

    refit: pd.Timestamp
    candidate: NowcastCandidate
    sigmoid: Sigmoid
    judged_weeks: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "refit": self.refit.date().isoformat(),
            "families": list(self.candidate.families),
            "C": self.candidate.C,
            "calibration": self.candidate.calibration,
            "sigmoid": list(self.sigmoid.as_tuple()),
            "judged_weeks": self.judged_weeks,
        }


@dataclass(frozen=True)
class NowcastRun:
    """Every candidate's walk-forward, the nested choice at every refit, and today's choice.

    `predictions`: `p_recession` (out of sample), `refit`, `candidate` for every week from the
    first refit; `final`: the choice made with everything known on the last week.
    """

    schedule: list[Refit]
    families: dict[str, tuple[str, ...]]
    series: dict[NowcastCandidate, pd.Series]
    choices: list[NowcastChoice]
    predictions: pd.DataFrame
    final: NowcastChoice

    @property
    def probability(self) -> pd.Series:
        return self.predictions["p_recession"]


def run_nowcast(
    inputs: NowcastInputs,
    settings: Settings,
    leave_out: Collection[str] = (),
    through: date | pd.Timestamp | None = None,
    reuse: NowcastRun | None = None,
) -> NowcastRun:
    """Every candidate walked forward, then the nested choice (see the module docstring).

    `leave_out`: input columns withheld (the real-time variant leaves out revised inputs).
    `through`: only the refits up to this day (the final choice is then made on the last
    week of their blocks). `reuse`: a run on the same `inputs`; a candidate with the same
    inputs and C as one of its candidates, on the same refits, takes that walk-forward
    instead of refitting it (the real-time variant shares the families with no revised input).
    """
    r = settings.recession
    index = inputs.features.index
    schedule = refits(index, r.first_refit, settings.walk_forward.refit_weeks)
    today = index[-1]
    if through is not None:
        schedule = [x for x in schedule if x.date <= pd.Timestamp(through)]
        today = schedule[-1].block[-1]
    targets = {d: inputs.targets(d) for d in [*(x.date for x in schedule), today]}
    families = offered_families(settings, leave_out)
    offered = nowcast_candidates(settings, families)
    series: dict[NowcastCandidate, pd.Series] = {}
    sigmoids: dict[NowcastCandidate, dict[pd.Timestamp, Sigmoid]] = {}
    raws = sorted({c.raw for c in offered})
    done = _walked_before(reuse, schedule)
    tasks = [(raw, done.get((tuple(raw.columns(families)), raw.C))) for raw in raws]
    shared = (inputs, families, settings, schedule, targets)
    for raw, (found, calibrated) in zip(
        raws, run_chunked(_walked, tasks, shared, settings.parallel), strict=True
    ):
        series[raw] = found
        for calibration, (values, maps) in calibrated.items():
            series[replace(raw, calibration=calibration)] = values
            sigmoids[replace(raw, calibration=calibration)] = maps
    outcome = targets[today]
    loss = {c: binary_log_loss_weekly(s.to_numpy(), outcome) for c, s in series.items()}
    pool = sorted(offered, key=NowcastCandidate.complexity)

    def choose(day: pd.Timestamp) -> NowcastChoice:
        # A week judged at `day`: on or before it, and dated by the NBER by then. A dated month
        # keeps its label, so today's outcome of such a week is the one known at `day`.
        judged = (index <= day) & (targets[day] != UNKNOWN)
        min_judged = settings.model.selection_min_weeks
        best, _, weeks = lowest_loss(pool, loss.__getitem__, judged, min_judged)
        fitted = sigmoids.get(best, {}).get(day, IDENTITY)
        return NowcastChoice(day, best, fitted, weeks)

    choices = [choose(refit.date) for refit in schedule]
    frames = []
    for refit, choice in zip(schedule, choices, strict=True):
        frame = pd.DataFrame({"p_recession": series[choice.candidate].loc[refit.block]})
        frame["refit"] = refit.date
        frame["candidate"] = choice.candidate.key
        frames.append(frame)
    final = _with_full_calibration(choose(today), series, outcome)
    return NowcastRun(schedule, families, series, choices, pd.concat(frames), final)


def _walked_before(
    run: NowcastRun | None, schedule: list[Refit]
) -> dict[tuple[tuple[str, ...], float], pd.Series]:
    """`run`'s uncalibrated series by (input columns, C), if it walked the same refits."""
    if run is None or not _same_refits(run.schedule, schedule):
        return {}
    return {
        (tuple(c.columns(run.families)), c.C): found
        for c, found in run.series.items()
        if c.calibration == "none"
    }


def _same_refits(one: list[Refit], other: list[Refit]) -> bool:
    return len(one) == len(other) and all(
        a.date == b.date and a.block.equals(b.block) for a, b in zip(one, other, strict=True)
    )


def _walked(
    task: tuple[NowcastCandidate, pd.Series | None],
    inputs: NowcastInputs,
    families: Mapping[str, tuple[str, ...]],
    settings: Settings,
    schedule: list[Refit],
    targets: Mapping[pd.Timestamp, NDArray[np.int8]],
) -> tuple[pd.Series, dict[Calibration, tuple[pd.Series, dict[pd.Timestamp, Sigmoid]]]]:
    """One uncalibrated candidate's walk-forward (unless given), and each offered calibration
    of it (a task for a worker: the shared inputs reach it once per chunk of candidates)."""
    raw, found = task
    if found is None:
        found = raw_series(inputs, families, raw, settings, schedule, targets)
    else:
        found = found.rename(raw.key)
    min_weeks = settings.model.calibration_min_weeks
    calibrated: dict[Calibration, tuple[pd.Series, dict[pd.Timestamp, Sigmoid]]] = {}
    for calibration in settings.recession.calibration:
        if calibration != "none":
            calibrated[calibration] = calibrate_walk_forward(found, targets, schedule, min_weeks)
    return found, calibrated


def raw_series(
    inputs: NowcastInputs,
    families: Mapping[str, tuple[str, ...]],
    candidate: NowcastCandidate,
    settings: Settings,
    schedule: list[Refit],
    targets: Mapping[pd.Timestamp, NDArray[np.int8]],
) -> pd.Series:
    """The uncalibrated candidate's P(recession) for every week of every refit's block."""
    index = inputs.features.index
    X = inputs.features[candidate.columns(families)].to_numpy(dtype=float)
    out = np.full(len(index), np.nan)
    fit = LastFit()
    for refit in schedule:
        model = _fit(X, targets[refit.date], candidate.C, settings.model.max_iter, fit)
        where = index.get_indexer(refit.block)
        out[where] = gate_probability(model, X[where])
    floor = settings.model.min_probability
    return pd.Series(np.clip(out, floor, 1 - floor), index=index, name=candidate.key)


def _fit(
    X: NDArray[np.float64],
    target: NDArray[np.int8],
    C: float,
    max_iter: int,
    fit: Callable[..., Any] = fit_gate,
) -> Any:
    known = target != UNKNOWN
    y = target[known].astype(int)
    if X.shape[1] == 0:  # the base rate: the share of recession weeks dated so far
        return ConstantGate(float(y.mean()) if len(y) else 0.0, 0)
    return fit(X[known], y, C, max_iter)


def fit_choice(
    inputs: NowcastInputs, run: NowcastRun, choice: NowcastChoice, settings: Settings
) -> Any:
    """`choice`'s model fitted on the weeks dated by its refit day (the model that answered
    that refit's block; for `run.final`, today's model)."""
    X = inputs.features[choice.candidate.columns(run.families)].to_numpy(dtype=float)
    return _fit(X, inputs.targets(choice.refit), choice.candidate.C, settings.model.max_iter)


def _with_full_calibration(
    choice: NowcastChoice, series: Mapping[NowcastCandidate, pd.Series], outcome: NDArray[np.int8]
) -> NowcastChoice:
    """Today's choice with its sigmoid fitted on every out-of-sample week dated today."""
    if choice.candidate.calibration == "none":
        return choice
    values = series[choice.candidate.raw].to_numpy()
    known = (outcome != UNKNOWN) & ~np.isnan(values)
    return replace(choice, sigmoid=fit_sigmoid(values[known], outcome[known]))
