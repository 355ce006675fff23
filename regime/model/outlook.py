"""The outlook: the regime weeks ahead, small- versus large-cap leadership, and the chance that
a small-cap bear market begins soon, each a probability from what is known this week.

Every target needs future weeks, so a refit may train only on targets that were already settled
on its date: the regime of week t + h once that label is final, leadership once t + 13 weeks have
passed, a bear-market start once no peak that could still be confirmed lies in the window. Each
target's model is a logistic regression (multinomial for the regime) on the rulebook's state and
the macro families chosen at that refit by the same inner walk-forward as the nowcast: no
families, each family alone, or all of them, whichever had the lowest log loss on the weeks
before the refit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.config import Settings
from regime.learning.choice import lowest_loss
from regime.learning.logistic import ConstantGate, StandardizedLogistic
from regime.model.horizons import Target, outlook_proba, outlook_targets
from regime.model.schedule import Refit
from regime.model.training_rows import Dataset, final_labels
from regime.rulebook.rules import scan_closes
from regime.workers import run_chunked

Progress = Callable[[int, int], None]


def known_targets(
    target: Target, dataset: Dataset, settings: Settings, known_on: date | pd.Timestamp | None
) -> pd.Series:
    """The target's value for every week t from `model.train_start` whose outcome was settled
    by `known_on` (None: by the last week of data). Weeks not yet settled are left out."""
    cut = dataset.closes.index[-1] if known_on is None else pd.Timestamp(known_on)
    closes = dataset.closes.loc[:cut]
    if target.kind == "regime":
        values = _regime_ahead(closes, settings, target.weeks)
    elif target.kind == "leadership":
        values = _leadership_ahead(dataset.total_returns.loc[:cut], target.weeks)
    else:
        values = _bear_start_ahead(closes, settings, target.weeks)
    return values.loc[pd.Timestamp(settings.model.train_start) :]


def _regime_ahead(closes: pd.DataFrame, settings: Settings, weeks: int) -> pd.Series:
    labels = final_labels(closes, settings, None)
    ahead = labels.copy()
    ahead.index = labels.index - pd.Timedelta(weeks=weeks)
    return ahead.loc[ahead.index >= closes.index[0]]


def _leadership_ahead(total_returns: pd.DataFrame, weeks: int) -> pd.Series:
    """1 when small caps' total return beats large caps' over the next `weeks`, else 0."""
    if total_returns.empty:
        return pd.Series(dtype=float)
    logs = np.log(total_returns[["small_cap", "large_cap"]])
    future = logs.shift(-weeks) - logs
    excess = (future["small_cap"] - future["large_cap"]).dropna()
    return (excess > 0).astype(int)


def _bear_start_ahead(closes: pd.DataFrame, settings: Settings, weeks: int) -> pd.Series:
    """1 when a bear market's peak is set within the next `weeks` (later confirmed), else 0.

    Settled only while the whole window lies before the open leg's candidate turning point:
    from there on, a peak that is not yet confirmed could still fall in the window.
    """
    state = scan_closes(closes, settings.labels)
    n = len(closes)
    event = np.zeros(n, dtype=int)
    for peak in state.peaks:
        event[max(0, peak - weeks) : peak] = 1
    settled = np.arange(n) + weeks < (state.extreme[-1] if n else 0)
    return pd.Series(event[settled], index=closes.index[settled])


@dataclass(frozen=True, order=True)
class OutlookCandidate:
    """One target's model configuration."""

    target: Target
    families: tuple[str, ...]
    C: float

    @property
    def key(self) -> str:
        return f"{self.target.name}:{'+'.join(self.families) or 'state'}:C={self.C:g}"

    def columns(self, settings: Settings) -> list[str]:
        own = list(settings.outlook.state_features)
        for family in self.families:
            own += settings.model.families[family]
        return list(dict.fromkeys(own))


def outlook_candidates(settings: Settings, target: Target) -> list[OutlookCandidate]:
    """No macro family, each family alone, or all of them, for each regularisation offered."""
    names = list(settings.model.families)
    sets = [(), *((name,) for name in names)]
    if len(names) > 1:
        sets.append(tuple(names))
    return [
        OutlookCandidate(target, families, C)
        for families in sets
        for C in settings.outlook.regularisation
    ]


def fit_outlook_model(
    X: NDArray[np.float64], y: NDArray[Any], C: float, max_iter: int
) -> StandardizedLogistic | ConstantGate:
    """A logistic model of `y` on the complete rows of X (a constant if y has one class)."""
    complete = ~np.isnan(X).any(axis=1)
    values = y[complete]
    if len(np.unique(values)) < 2:
        share = float(np.mean(values == values[0])) if len(values) else 0.0
        return ConstantGate(share, X.shape[1])
    return StandardizedLogistic(C, max_iter).fit(X, y)


def candidate_series(
    candidate: OutlookCandidate,
    features: pd.DataFrame,
    settings: Settings,
    schedule: list[Refit],
    settled: dict[str, dict[pd.Timestamp, pd.Series]],
) -> pd.DataFrame:
    """The candidate's out-of-sample probabilities for every week of every refit's block.

    `features`: the dataset's feature table; `settled`: each target's `known_targets` on each
    refit date."""
    features = features[candidate.columns(settings)]
    X = features.to_numpy(dtype=float)
    dates = features.index
    floor = settings.model.min_probability
    frames = []
    for refit in schedule:
        y = settled[candidate.target.name][refit.date]
        rows = dates.get_indexer(y.index)
        model = fit_outlook_model(X[rows], y.to_numpy(), candidate.C, settings.model.max_iter)
        block = dates.get_indexer(refit.block)
        frames.append(outlook_proba(model, features.iloc[block], candidate.target, floor))
    return pd.concat(frames)


@dataclass(frozen=True)
class OutlookChoice:
    refit: pd.Timestamp
    candidate: OutlookCandidate
    judged_weeks: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "refit": self.refit.date().isoformat(),
            "families": list(self.candidate.families),
            "C": self.candidate.C,
            "judged_weeks": self.judged_weeks,
        }


@dataclass(frozen=True)
class TargetRun:
    """One target's candidates, their series, and the nested choice at every refit."""

    target: Target
    series: dict[OutlookCandidate, pd.DataFrame]
    settled: dict[pd.Timestamp, pd.Series]
    choices: list[OutlookChoice]
    predictions: pd.DataFrame
    final: OutlookChoice

    def restricted(
        self, settings: Settings, schedule: list[Refit], allowed: Callable[[OutlookCandidate], bool]
    ) -> pd.DataFrame:
        """The nested choice among `allowed` candidates only (the ablation)."""
        offered = [c for c in self.series if allowed(c)]
        today = max(self.settled)
        judge = Judge(self.series, self.settled, today)
        return _nested(self.series, judge, offered, settings, schedule)[1]


def run_outlook(
    dataset: Dataset,
    settings: Settings,
    schedule: list[Refit],
    today: pd.Timestamp,
    progress: Progress | None = None,
) -> dict[str, TargetRun]:
    """Every target's candidates walk-forward, then the nested choice (see module docstring).

    The candidates' refits are spread over the workers of `settings.parallel`."""
    runs: dict[str, TargetRun] = {}
    targets = outlook_targets(settings)
    dates = [*(r.date for r in schedule), today]
    settled = {t.name: {d: known_targets(t, dataset, settings, d) for d in dates} for t in targets}
    offered = [c for t in targets for c in outlook_candidates(settings, t)]
    shared = (dataset.features, settings, schedule, settled)
    frames = run_chunked(candidate_series, offered, shared, settings.parallel, progress)
    series = dict(zip(offered, frames, strict=True))
    for target in targets:
        own = {c: s for c, s in series.items() if c.target == target}
        judge = Judge(own, settled[target.name], today)
        choices, predictions = _nested(own, judge, list(own), settings, schedule)
        final = judge.choose(list(own), today, settings)
        runs[target.name] = TargetRun(
            target, own, settled[target.name], choices, predictions, final
        )
    return runs


Series = dict[OutlookCandidate, pd.DataFrame]
Settled = dict[pd.Timestamp, pd.Series]


class Judge:
    """Each candidate's weekly log loss, computed once, and which weeks each refit may judge.

    A week's outcome, once settled, never changes (a final label stays final, a past return is
    past, a window without an unconfirmed peak keeps none), so the loss against today's settled
    outcomes is the loss a refit would have computed; a refit just sees fewer weeks.
    """

    def __init__(self, series: Series, settled: Settled, today: pd.Timestamp):
        self.settled = settled
        outcome = settled[today]
        self.weeks = outcome.index
        self.loss = {
            c: _weekly_log_loss(frame.reindex(self.weeks), outcome, c.target)
            for c, frame in series.items()
        }

    def choose(
        self, offered: list[OutlookCandidate], refit: pd.Timestamp, settings: Settings
    ) -> OutlookChoice:
        """The offered candidate with the lowest log loss on the weeks predicted and settled
        by `refit` (a week counts once its prediction was made before the refit, its week on
        or before it, and its outcome was settled by then)."""
        judged = self.weeks.isin(self.settled[refit].index) & (self.weeks <= refit)
        pool = sorted(offered, key=lambda c: (len(c.families), c.C))
        best, _, weeks = lowest_loss(
            pool, self.loss.__getitem__, judged, settings.model.selection_min_weeks
        )
        return OutlookChoice(refit, best, weeks)


def _weekly_log_loss(proba: pd.DataFrame, y: pd.Series, target: Target) -> NDArray[np.float64]:
    """-log P(outcome) week by week; NaN where the week has no prediction."""
    columns = list(target.classes)
    values = proba[columns].to_numpy(dtype=float)
    where = np.array([columns.index(v) for v in y.to_numpy()])
    picked = values[np.arange(len(values)), where]
    return np.asarray(-np.log(np.clip(picked, 1e-15, 1.0)), dtype=float)


def _nested(
    series: Series,
    judge: Judge,
    offered: list[OutlookCandidate],
    settings: Settings,
    schedule: list[Refit],
) -> tuple[list[OutlookChoice], pd.DataFrame]:
    choices, frames = [], []
    for refit in schedule:
        choice = judge.choose(offered, refit.date, settings)
        choices.append(choice)
        frame = series[choice.candidate].loc[refit.block].copy()
        frame["refit"] = refit.date
        frames.append(frame)
    return choices, pd.concat(frames)


def fit_final(
    run: TargetRun, dataset: Dataset, settings: Settings, choice: OutlookChoice
) -> StandardizedLogistic | ConstantGate:
    """`choice`'s model fitted on the targets settled at its refit date."""
    y = run.settled[choice.refit]
    X = dataset.features.loc[y.index, choice.candidate.columns(settings)].to_numpy(dtype=float)
    return fit_outlook_model(X, y.to_numpy(), choice.candidate.C, settings.model.max_iter)
