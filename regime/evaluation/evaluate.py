"""Walk-forward evaluation of our model against its peers, on the same weeks and refit dates.

The dataset is built once; our model comes from `walk_forward`, and every peer is refitted at
the walk-forward's own refit dates on what was known then. The result holds
each model's weekly out-of-sample calls, their scores, a block-bootstrap comparison with the
best peer, and the regime-timed allocation backtest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES
from regime.evaluation.backtest import BacktestResult, run_backtest
from regime.evaluation.bootstrap import balanced_accuracy_rows, bootstrap_interval, mean_rows
from regime.evaluation.peers import FilteredGaussianHMM, FilteredMarkovSwitching, majority_proba
from regime.features.known import known_on
from regime.metrics import classification_scores, detection, weekly_log_loss
from regime.model.training_rows import Dataset, training_rows
from regime.model.walk_forward import Progress, WalkForward, rulebook_realtime, walk_forward
from regime.sources.market_data import MarketData

OURS = "regime"
MODEL_NAMES = (OURS, "rulebook_realtime", "majority", "hmm", "markov_switching")
PROBA_COLUMNS = [f"p_{r}" for r in REGIMES]
NOTES = {
    OURS: "entry and exit gates, nested selection at every walk-forward refit",
    "rulebook_realtime": "the label rules applied with prices known each week; no probabilities",
    "majority": "the most frequent training label; probabilities = training class frequencies",
    "hmm": "Gaussian HMM on features, forward-filtered; states named by training majority vote",
    "markov_switching": "Markov-switching regression of weekly RUT-SPX returns, filtered",
}


@dataclass(frozen=True)
class ModelRun:
    """One model's weekly out-of-sample calls; `proba` is None for a model without them."""

    name: str
    predicted: pd.Series
    proba: pd.DataFrame | None


@dataclass(frozen=True)
class Evaluation:
    """Everything `regime evaluate` reports; `to_dict()` is its JSON."""

    truth: pd.Series
    runs: dict[str, ModelRun]
    scores: dict[str, dict[str, Any]]
    comparison: dict[str, dict[str, Any]]
    backtest: BacktestResult
    peer_details: dict[str, Any]
    refits: int
    dataset: Dataset = field(repr=False)
    walk_forward: WalkForward = field(repr=False)

    @property
    def period(self) -> tuple[str, str]:
        return (self.truth.index[0].date().isoformat(), self.truth.index[-1].date().isoformat())

    @property
    def n_weeks(self) -> int:
        return len(self.truth)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": list(self.period),
            "n_weeks": self.n_weeks,
            "refits": self.refits,
            "models": self.scores,
            "comparison": self.comparison,
            "backtest": self.backtest.to_dict(),
            "peer_details": self.peer_details,
        }

    def predictions(self) -> pd.DataFrame:
        """Our weekly predictions: `label`, `predicted`, `p_<regime>`, indexed by `date`."""
        ours = self.runs[OURS]
        assert ours.proba is not None, "our model always has probabilities"
        frame = ours.proba.set_axis(PROBA_COLUMNS, axis=1)
        frame.insert(0, "predicted", ours.predicted)
        frame.insert(0, "label", self.truth)
        frame.index.name = "date"
        return frame


def evaluate(data: MarketData, settings: Settings, progress: Progress | None = None) -> Evaluation:
    """Score our model and every peer on the configured walk-forward weeks. Deterministic."""
    dataset = Dataset.build(data, settings)
    run = walk_forward(dataset, settings, progress=_share(progress, 0, 2))
    ours = run.predictions(dataset, settings)
    truth = ours["label"]
    # Peers refit at the walk-forward's own refit dates and predict the same judged weeks.
    blocks = [
        (refit.date, refit.block.intersection(truth.index))
        for refit in run.schedule
        if len(refit.block.intersection(truth.index))
    ]
    proba = {OURS: ours[PROBA_COLUMNS].set_axis(list(REGIMES), axis=1)}
    peer_frames: dict[str, list[pd.DataFrame]] = {"majority": [], "hmm": [], "markov_switching": []}
    mappings: dict[str, list[dict[str, Any]]] = {"hmm": [], "markov_switching": []}
    report = _share(progress, 1, 2)
    for done, (refit_on, block) in enumerate(blocks):
        block_proba, block_maps = peer_probabilities(dataset, settings, block, refit_on)
        for name, frame in block_proba.items():
            peer_frames[name].append(frame)
        for name, mapping in block_maps.items():
            mappings[name].append({"refit": refit_on.date().isoformat(), "states": mapping})
        if report is not None:
            report(done + 1, len(blocks))
    for name, frames in peer_frames.items():
        proba[name] = pd.concat(frames)
    runs = {
        name: ModelRun(name, proba[name].idxmax(axis=1).rename(name), proba[name])
        for name in ("majority", "hmm", "markov_switching")
    }
    # Our call follows the model's own decision rule (model.decision), which need not be the
    # most probable class.
    runs[OURS] = ModelRun(OURS, ours["predicted"].rename(OURS), proba[OURS])
    runs["rulebook_realtime"] = ModelRun(
        "rulebook_realtime", rulebook_realtime(dataset, truth.index), None
    )
    runs = {name: runs[name] for name in MODEL_NAMES}
    scores = {name: _scores(truth, run, settings) for name, run in runs.items()}
    cash = weekly_cash_rate(data, settings, dataset.closes.index)
    return Evaluation(
        truth=truth,
        runs=runs,
        scores=scores,
        comparison=compare_with_best_peer(truth, runs, scores, settings),
        backtest=run_backtest(runs[OURS].predicted, dataset.closes, cash, settings.backtest),
        peer_details={
            "hmm": {"features": hmm_columns(dataset, settings), "state_labels": mappings["hmm"]},
            "markov_switching": {
                "series": "weekly log return of small_cap minus large_cap",
                "state_labels": mappings["markov_switching"],
            },
        },
        refits=len(blocks),
        dataset=dataset,
        walk_forward=run,
    )


def _share(progress: Progress | None, part: int, parts: int) -> Progress | None:
    """`progress` for one of `parts` equal stages (a stage reports its own done/total)."""
    if progress is None:
        return None
    return lambda done, total: progress(part * total + done, parts * total)


def peer_probabilities(
    dataset: Dataset, settings: Settings, block: pd.DatetimeIndex, refit_on: pd.Timestamp
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str]]]:
    """Each probabilistic peer's regime probabilities for `block`, refitted as of `refit_on`.

    Training labels are those known on `refit_on` (final weeks only); fitting sees features and
    returns up to `refit_on`; the probabilities of a week use data up to that week only.
    Also returns the state -> label mapping each state-based peer learned.
    """
    ev = settings.evaluation
    floor = settings.model.min_probability
    _, y = training_rows(dataset, settings, known_on=refit_on)
    start = pd.Timestamp(settings.model.train_start)
    features = dataset.features.loc[start:, hmm_columns(dataset, settings)]
    hmm = FilteredGaussianHMM(ev.hmm_states, ev.hmm_iterations, ev.seed, floor)
    hmm.fit(features.loc[:refit_on], y)
    returns = relative_returns(dataset.closes).loc[start:]
    markov = FilteredMarkovSwitching(ev.markov_regimes, floor).fit(returns.loc[:refit_on], y)
    proba = {
        "majority": majority_proba(y, block),
        "hmm": hmm.predict_proba(features.loc[: block[-1]]).loc[block],
        "markov_switching": markov.predict_proba(returns.loc[: block[-1]]).loc[block],
    }
    maps = {
        "hmm": {str(k): v for k, v in hmm.state_labels_.items()},
        "markov_switching": {str(k): v for k, v in markov.state_labels_.items()},
    }
    return proba, maps


def hmm_columns(dataset: Dataset, settings: Settings) -> list[str]:
    prefixes = settings.evaluation.hmm_features
    return [c for c in dataset.features.columns if c.startswith(prefixes)]


def relative_returns(closes: pd.DataFrame) -> pd.Series:
    """Weekly log return of small caps minus that of large caps (known at each week's close)."""
    logs = np.log(closes[["small_cap", "large_cap"]])
    return (logs["small_cap"].diff() - logs["large_cap"].diff()).dropna()


def weekly_cash_rate(data: MarketData, settings: Settings, weeks: pd.DatetimeIndex) -> pd.Series:
    """The T-bill rate (annual %) as known on each week, carried forward over gaps."""
    series_id = settings.series.market.cash_rate
    return known_on(settings, data, series_id, weeks).ffill()


def _scores(truth: pd.Series, run: ModelRun, settings: Settings) -> dict[str, Any]:
    scores = classification_scores(truth, run.predicted, run.proba, settings.evaluation.ece_bins)
    scores["detection"] = detection(truth, run.predicted)
    scores["has_probabilities"] = run.proba is not None
    scores["note"] = NOTES[run.name]
    return scores


def compare_with_best_peer(
    truth: pd.Series,
    runs: dict[str, ModelRun],
    scores: dict[str, dict[str, Any]],
    settings: Settings,
) -> dict[str, dict[str, Any]]:
    """Our model minus the best peer, with block-bootstrap intervals.

    Balanced accuracy: the peer with the highest one (a positive difference favours us). Log
    loss: the peer with the lowest, among peers with probabilities (negative favours us).
    """
    ev = settings.evaluation
    interval = partial(
        bootstrap_interval,
        block=ev.bootstrap_block_weeks,
        samples=ev.bootstrap_samples,
        seed=ev.seed,
        confidence=ev.confidence,
    )
    peers = [name for name in runs if name != OURS]
    best_ba = max(peers, key=lambda name: scores[name]["balanced_accuracy"])
    ours_ba = balanced_accuracy_rows(truth.to_numpy(), runs[OURS].predicted.to_numpy())
    peer_ba = balanced_accuracy_rows(truth.to_numpy(), runs[best_ba].predicted.to_numpy())
    ba = interval(lambda rows: ours_ba(rows) - peer_ba(rows), len(truth))
    result = {"balanced_accuracy": {"best_peer": best_ba, "difference": ba.to_dict()}}
    probabilistic = [name for name in peers if runs[name].proba is not None]
    best_ll = min(probabilistic, key=lambda name: scores[name]["log_loss"])
    gap = weekly_log_loss(truth, runs[OURS].proba) - weekly_log_loss(truth, runs[best_ll].proba)
    ll = interval(mean_rows(gap), len(truth))
    result["log_loss"] = {"best_peer": best_ll, "difference": ll.to_dict()}
    return result
