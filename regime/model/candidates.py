"""The candidate gates a refit chooses from, and their own walk-forward predictions.

A candidate is one gate (entry or exit) with a set of macro families on top of its state
features, a regularisation strength and a calibration. Each raw candidate (gate, families, C) is
refitted at every refit of the schedule on the rows known then, pooled over the small cap and
the pooled indices, and predicts P(risk_off) for the small cap's weeks of its side in the
block that follows. These out-of-sample series are what the nested selection judges; they are
computed once and reused (selection at every refit, the ablation, the state-only peer).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.config import Calibration, Gate, Settings
from regime.constants import RISK_OFF
from regime.learning.calibration import IDENTITY, Sigmoid, calibrate_walk_forward
from regime.learning.choice import UNKNOWN
from regime.learning.logistic import LastFit, gate_probability
from regime.model.schedule import Refit
from regime.model.training_rows import SIDE_COLUMN, Dataset, IndexHistory, model_columns
from regime.workers import run_chunked

Progress = Callable[[int, int], None]


@dataclass(frozen=True, order=True)
class Candidate:
    """One gate configuration; `key` names it in cards and reports.

    `pool_from`: the pooled indices' rows from this date join the small cap's (None: none).
    """

    gate: Gate
    families: tuple[str, ...]
    C: float
    calibration: Calibration = "none"
    pool_from: date | None = None

    @property
    def key(self) -> str:
        families = "+".join(self.families) or "state"
        pool = "alone" if self.pool_from is None else f"pooled from {self.pool_from.year}"
        return f"{self.gate}:{families}:C={self.C:g}:{self.calibration}:{pool}"

    @property
    def raw(self) -> Candidate:
        return Candidate(self.gate, self.families, self.C, "none", self.pool_from)

    def columns(self, settings: Settings) -> list[str]:
        """Its state features, then each family's members."""
        own = list(settings.model.state_features.of(self.gate))
        for family in self.families:
            own += settings.model.families[family]
        return list(dict.fromkeys(own))

    def complexity(self) -> tuple[int, float, int]:
        """Orders ties in favour of fewer families, more regularisation, no calibration."""
        return (len(self.families), self.C, int(self.calibration != "none"))


def candidates(settings: Settings) -> list[Candidate]:
    """Every candidate the settings offer: all family subsets x C x calibration, per gate."""
    model = settings.model
    if model.selection == "fixed":
        f = model.fixed
        return [
            Candidate(g, f.families, f.C, f.calibration, f.pool_from) for g in ("entry", "exit")
        ]
    names = list(model.families)
    subsets = [c for k in range(len(names) + 1) for c in itertools.combinations(names, k)]
    pools: list[date | None] = [*model.pool_from] if model.pool_from else [None]
    return [
        Candidate(gate, subset, C, calibration, pool)
        for gate in ("entry", "exit")
        for pool in pools
        for subset in subsets
        for C in model.regularisation
        for calibration in model.calibration
    ]


@dataclass(frozen=True)
class IndexRows:
    """One index's weekly rows as arrays: features, side flag, and per-refit targets."""

    dates: pd.DatetimeIndex
    X: NDArray[np.float64]
    in_bear: NDArray[np.bool_]
    # refit date -> per row: 1 risk_off, 0 another final label, UNKNOWN not a training row.
    targets: dict[pd.Timestamp, NDArray[np.int8]]


@dataclass(frozen=True)
class GateRows:
    """What every candidate fit needs, computed once: the small cap's rows and the pooled ones."""

    columns: list[str]
    own: IndexRows
    pooled: tuple[IndexRows, ...]

    @classmethod
    def build(cls, dataset: Dataset, settings: Settings, known_on: list[pd.Timestamp]) -> GateRows:
        """Rows for fits as of each date in `known_on` (the refit dates, and maybe today)."""
        columns = model_columns(settings)
        missing = [c for c in columns if c not in dataset.features.columns]
        if missing:
            from regime.errors import ConfigError

            raise ConfigError(
                f"model features {', '.join(missing)} are not in the feature table; "
                "check model.state_features and model.families"
            )
        own, *pooled = (
            _index_rows(history, settings, known_on, columns)
            for history in dataset.histories(settings)
        )
        return cls(columns, own, tuple(pooled))

    def positions(self, candidate: Candidate, settings: Settings) -> list[int]:
        return [self.columns.index(c) for c in candidate.columns(settings)]

    def same_fits(self, candidate: Candidate, settings: Settings) -> Hashable:
        """Equal for two candidates exactly when their gates are fitted on the same rows at
        every refit: the same side, features and C, and the same pooled rows able to train.

        A row missing one of the features never trains (`fit_gate`), so two pooling starts
        with no complete pooled row between them (the macro families of the pooled indices
        begin long after 1950) fit the same gates: those candidates are fitted once.
        """
        cols = self.positions(candidate, settings)
        trainable = []
        for rows in self.pooled:
            usable = np.zeros(len(rows.dates), dtype=bool)
            if candidate.pool_from is not None:
                complete = ~np.isnan(rows.X[:, cols]).any(axis=1)
                usable = complete & (rows.dates >= pd.Timestamp(candidate.pool_from))
            trainable.append(np.packbits(usable).tobytes())
        return (candidate.gate, tuple(cols), candidate.C, tuple(trainable))

    def training(
        self, refit: pd.Timestamp, gate: Gate, cols: list[int], pool_from: date | None
    ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
        """(X, target) of the gate's side as known at `refit`: the small cap's rows, then the
        pooled indices' rows from `pool_from` (none if None)."""
        parts_X, parts_y = [], []
        pooled = () if pool_from is None else self.pooled
        for rows in (self.own, *pooled):
            target = rows.targets[refit]
            keep = (target != UNKNOWN) & (rows.in_bear == (gate == "exit"))
            if rows is not self.own and pool_from is not None:
                keep &= rows.dates >= pd.Timestamp(pool_from)
            parts_X.append(rows.X[keep][:, cols])
            parts_y.append(target[keep])
        return np.vstack(parts_X), np.concatenate(parts_y)


def _index_rows(
    history: IndexHistory, settings: Settings, known_on: list[pd.Timestamp], columns: list[str]
) -> IndexRows:
    features = history.features
    dates = features.index
    targets: dict[pd.Timestamp, NDArray[np.int8]] = {}
    for day in known_on:
        labels = history.known_labels(settings, day)
        target = np.full(len(dates), UNKNOWN, dtype=np.int8)
        where = dates.get_indexer(labels.index)
        ok = where >= 0
        target[where[ok]] = (labels.to_numpy()[ok] == RISK_OFF).astype(np.int8)
        targets[day] = target
    return IndexRows(
        dates=dates,
        X=features[columns].to_numpy(dtype=float),
        in_bear=features[SIDE_COLUMN].to_numpy() > 0.5,
        targets=targets,
    )


def raw_series(
    rows: GateRows, candidate: Candidate, settings: Settings, schedule: list[Refit]
) -> pd.Series:
    """P(risk_off) out of sample for the small cap's weeks on the candidate's side.

    At each refit the gate is fitted on the rows known then and predicts its block; weeks of
    the other side, and weeks before the first refit, are NaN.
    """
    cols = rows.positions(candidate, settings)
    own = rows.own
    out = np.full(len(own.dates), np.nan)
    side = own.in_bear == (candidate.gate == "exit")
    fit = LastFit()
    for refit in schedule:
        X, y = rows.training(refit.date, candidate.gate, cols, candidate.pool_from)
        gate = fit(X, y.astype(int), candidate.C, settings.model.max_iter)
        where = own.dates.get_indexer(refit.block)
        where = where[side[where]]
        if len(where):
            out[where] = gate_probability(gate, own.X[where][:, cols])
    return pd.Series(out, index=own.dates, name=candidate.key)


def _walked(
    task: tuple[Candidate, bool], rows: GateRows, settings: Settings, schedule: list[Refit]
) -> tuple[pd.Series, tuple[pd.Series, dict[pd.Timestamp, Sigmoid]] | None]:
    """One raw candidate's series, and its calibrated series if asked (a task for a worker)."""
    candidate, calibrate = task
    raw = raw_series(rows, candidate, settings, schedule)
    return raw, calibrated_series(raw, rows, settings, schedule) if calibrate else None


def calibrated_series(
    raw: pd.Series, rows: GateRows, settings: Settings, schedule: list[Refit]
) -> tuple[pd.Series, dict[pd.Timestamp, Sigmoid]]:
    """`raw`, each block recalibrated by a sigmoid fitted on the weeks before its refit, judged
    by the labels known at that refit (learning/calibration.py)."""
    return calibrate_walk_forward(
        raw, rows.own.targets, schedule, settings.model.calibration_min_weeks
    )


@dataclass(frozen=True)
class CandidateRuns:
    """Every candidate's out-of-sample series, and the sigmoid each calibrated block used."""

    series: dict[Candidate, pd.Series]
    sigmoids: dict[Candidate, dict[pd.Timestamp, Sigmoid]]
    # Each (gate, families, C)'s uncalibrated series.
    raw: dict[Candidate, pd.Series]

    def sigmoid(self, candidate: Candidate, refit: pd.Timestamp) -> Sigmoid:
        """The map `candidate`'s block after `refit` used (identity for a date that is not a
        refit, such as today's final choice, which fits its own on every earlier week)."""
        if candidate.calibration == "none":
            return IDENTITY
        return self.sigmoids[candidate].get(refit, IDENTITY)


def run_candidates(
    rows: GateRows,
    offered: Iterable[Candidate],
    settings: Settings,
    schedule: list[Refit],
    progress: Progress | None = None,
) -> CandidateRuns:
    """Every offered candidate's walk-forward series (the raw fits, and their calibrations,
    spread over the workers of `settings.parallel`).

    Raw candidates whose gates are the same fits (`GateRows.same_fits`) are walked forward
    once: each gets that series under its own name.
    """
    offered = list(offered)
    raws = sorted({c.raw for c in offered})
    fits = {raw: rows.same_fits(raw, settings) for raw in raws}
    calibrated = {fits[c.raw] for c in offered if c.calibration != "none"}
    walked: dict[Hashable, Candidate] = {}
    for candidate in raws:
        walked.setdefault(fits[candidate], candidate)
    tasks = [(first, key in calibrated) for key, first in walked.items()]
    shared = (rows, settings, schedule)
    results = dict(
        zip(walked, run_chunked(_walked, tasks, shared, settings.parallel, progress), strict=True)
    )
    series: dict[Candidate, pd.Series] = {r: results[fits[r]][0].rename(r.key) for r in raws}
    sigmoids: dict[Candidate, dict[pd.Timestamp, Sigmoid]] = {}
    for candidate in offered:
        if candidate.calibration == "none":
            continue
        found = results[fits[candidate.raw]][1]
        assert found is not None, "a calibrated candidate's raw series is calibrated"
        series[candidate] = found[0].rename(candidate.raw.key)
        sigmoids[candidate] = dict(found[1])
    raw = {c: series[c] for c in raws}
    return CandidateRuns({c: series[c] for c in offered}, sigmoids, raw)
