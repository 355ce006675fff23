"""Walk-forward evaluation of our model against its peers, on the same weeks and refit dates.

The dataset is built once; our model comes from `walk_forward`, and every peer is refitted at
the walk-forward's own refit dates on what was known then (peer_refits.py). The result holds
each model's weekly out-of-sample calls and their scores over the whole span and each
sub-period, a row per bear market, the comparison with the best peer (block and episode
bootstrap), the ablation of the macro families, the outlook against its own peers
(outlook_evaluation.py), and the allocation backtest driven by the probabilities (backtest.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES
from regime.evaluation.allocation.backtest import BacktestResult, run_backtest
from regime.evaluation.allocation.signals import allocation_signals
from regime.evaluation.allocation.simulation import asset_returns
from regime.evaluation.calls.ablation import STATE_ONLY, ablation, family_choices, variant_runs
from regime.evaluation.calls.compare import ModelRun, compare_with_best_peer
from regime.evaluation.calls.episodes import bear_markets
from regime.evaluation.calls.periods import period_scores
from regime.evaluation.outlook.evaluation import (
    TargetEvaluation,
    evaluate_outlook,
    outlook_variants,
)
from regime.evaluation.peers.refits import (
    Block,
    BlockPeers,
    PeerInputs,
    drawdown_rebound_run,
    hmm_columns,
    run_block_peers,
)
from regime.evaluation.recession.evaluation import RecessionEvaluation, evaluate_recession
from regime.features.known import known_on
from regime.metrics import classification_scores, detection
from regime.model.reuse import reuse
from regime.model.training_rows import Dataset
from regime.model.walk_forward import Progress, WalkForward, rulebook_realtime, walk_forward
from regime.sources.market_data import MarketData

OURS = "regime"
MODEL_NAMES = (
    OURS,
    "rulebook_realtime",
    STATE_ONLY,
    "drawdown_rebound",
    "term_spread_probit",
    "majority",
    "hmm",
    "markov_switching",
)
PROBA_COLUMNS = [f"p_{r}" for r in REGIMES]
NOTES = {
    OURS: "entry and exit gates, nested selection at every walk-forward refit",
    "rulebook_realtime": "the label rules applied with prices known each week; no probabilities",
    STATE_ONLY: "our nested walk-forward offered only gates without macro families",
    "drawdown_rebound": "risk_off from a fall of `entry` below the up leg's high until a rise of "
    "`exit` above the low, chosen per refit; no probabilities",
    "term_spread_probit": "NY Fed probit of risk_off on the 10y-3m spread a year earlier; "
    "balanced call",
    "majority": "the training class frequencies every week; calls the most frequent",
    "hmm": "Gaussian HMM on features, forward-filtered, soft state-to-regime map; balanced call",
    "markov_switching": "Markov-switching model of weekly RUT-SPX returns, filtered, soft map; "
    "balanced call",
}


@dataclass(frozen=True)
class Evaluation:
    """Everything `regime evaluate` reports; `to_dict()` is its JSON."""

    truth: pd.Series
    runs: dict[str, ModelRun]
    scores: dict[str, dict[str, Any]]
    periods: list[dict[str, Any]]
    bears: dict[str, Any]
    comparison: dict[str, dict[str, Any]]
    ablation: dict[str, Any]
    variants: dict[str, ModelRun]
    outlook: dict[str, Any]
    outlook_runs: dict[str, TargetEvaluation]
    backtest: BacktestResult
    peer_details: dict[str, Any]
    refits: int
    dataset: Dataset = field(repr=False)
    walk_forward: WalkForward = field(repr=False)
    # The recession nowcast against its peers (None: the dataset has no nowcast inputs).
    recession: RecessionEvaluation | None = None

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
            "periods": self.periods,
            "bear_markets": self.bears,
            "comparison": self.comparison,
            "ablation": self.ablation,
            "outlook": self.outlook,
            "backtest": self.backtest.to_dict(),
            "peer_details": self.peer_details,
            "recession": None if self.recession is None else self.recession.summary,
        }

    def predictions(self) -> pd.DataFrame:
        """Our weekly predictions: `label`, `predicted`, `p_<regime>`, indexed by `date`."""
        ours = self.runs[OURS]
        assert ours.proba is not None, "our model always has probabilities"
        frame = ours.proba.set_axis(PROBA_COLUMNS, axis=1)
        frame.insert(0, "predicted", ours.predicted)
        frame.insert(0, "label", self.truth)
        if self.walk_forward.recession is not None:
            # Each week's out-of-sample P(recession), as the nowcast's walk-forward gave it.
            frame["p_recession"] = self.walk_forward.recession.probability.reindex(frame.index)
        frame.index.name = "date"
        return frame


def evaluate(data: MarketData, settings: Settings, progress: Progress | None = None) -> Evaluation:
    """Score our model and every peer on the configured walk-forward weeks. Deterministic.

    The refits run on the workers of `settings.parallel` (see regime/workers.py)."""
    dataset = Dataset.build(data, settings)
    run = reuse(
        settings.cache_dir / "walk_forward",
        dataset,
        settings,
        lambda: walk_forward(dataset, settings, progress=_share(progress, 0, 2)),
    )
    ours = run.predictions(dataset, settings)
    truth = ours["label"]
    blocks = judged_blocks(run, truth.index)
    inputs = PeerInputs.build(dataset, settings)
    # The peers' refits keep the workers busy while this process mostly waits: the
    # ablations' choices and the drawdown rule (sequential, light) run meanwhile, in a thread.
    with ThreadPoolExecutor(max_workers=1) as beside:
        ablated = beside.submit(variant_runs, run, dataset, settings, truth.index)
        drawdown = beside.submit(drawdown_rebound_run, inputs, settings, blocks)
        outlook_ablated = beside.submit(outlook_variants, run, settings)
        recession = beside.submit(_recession, dataset, run, settings)
        found = run_block_peers(inputs, settings, blocks, _share(progress, 1, 2))
        variants, (drawdown_calls, drawdown_chosen) = ablated.result(), drawdown.result()
        outlook_ablations = outlook_ablated.result()
        recession_evaluation = recession.result()
    runs = _model_runs(dataset, ours, variants[STATE_ONLY], drawdown_calls, found)
    scores = {name: _scores(truth, model, settings) for name, model in runs.items()}
    calls = {name: model.predicted for name, model in runs.items()}
    families = list(settings.model.families)
    choices = family_choices(run.nested.choices, [refit for refit, _ in blocks], families)
    outlook, outlook_runs = evaluate_outlook(
        run, dataset, settings, truth.index, found, outlook_ablations
    )
    cash = weekly_cash_rate(data, settings, dataset.total_returns.index)
    returns = asset_returns(dataset.total_returns, cash)
    return Evaluation(
        truth=truth,
        runs=runs,
        scores=scores,
        periods=period_scores(
            truth,
            calls,
            {name: model.proba for name, model in runs.items()},
            settings.evaluation.periods,
            settings.evaluation.ece_bins,
        ),
        bears=bear_markets(truth, calls),
        comparison=compare_with_best_peer(truth, runs, scores, settings, OURS, "rulebook_realtime"),
        ablation=ablation(truth, runs[OURS], variants, choices, settings),
        variants=variants,
        outlook=outlook,
        outlook_runs=outlook_runs,
        backtest=run_backtest(allocation_signals(run, settings), returns, run.schedule, settings),
        peer_details=_peer_details(dataset, settings, found, drawdown_chosen),
        refits=len(blocks),
        dataset=dataset,
        walk_forward=run,
        recession=recession_evaluation,
    )


def _recession(
    dataset: Dataset, run: WalkForward, settings: Settings
) -> RecessionEvaluation | None:
    if dataset.recession is None or run.recession is None:
        return None
    return evaluate_recession(dataset.recession, run.recession, settings)


def _model_runs(
    dataset: Dataset,
    ours: pd.DataFrame,
    state_only: ModelRun,
    drawdown_calls: pd.Series,
    found: list[BlockPeers],
) -> dict[str, ModelRun]:
    """Every model's weekly calls (and probabilities) on the judged weeks, in `MODEL_NAMES`."""
    proba = ours[PROBA_COLUMNS].set_axis(list(REGIMES), axis=1)
    runs = {
        OURS: ModelRun(OURS, ours["predicted"].rename(OURS), proba),
        "rulebook_realtime": ModelRun(
            "rulebook_realtime", rulebook_realtime(dataset, ours.index), None
        ),
        STATE_ONLY: state_only,
        "drawdown_rebound": ModelRun("drawdown_rebound", drawdown_calls, None),
    }
    for name in ("term_spread_probit", "majority", "hmm", "markov_switching"):
        calls = pd.concat([b.calls[name] for b in found]).rename(name)
        runs[name] = ModelRun(name, calls, pd.concat([b.proba[name] for b in found]))
    return {name: runs[name] for name in MODEL_NAMES}


def judged_blocks(run: WalkForward, weeks: pd.DatetimeIndex) -> list[Block]:
    """(refit date, the judged weeks of its block) for every refit that predicts judged weeks."""
    blocks = [(refit.date, refit.block.intersection(weeks)) for refit in run.schedule]
    return [(day, block) for day, block in blocks if len(block)]


def _peer_details(
    dataset: Dataset, settings: Settings, found: list[BlockPeers], drawdown: list[dict[str, Any]]
) -> dict[str, Any]:
    """What each fitted peer learned at each refit."""

    def per_refit(name: str) -> list[dict[str, Any]]:
        return [{"refit": b.refit.date().isoformat(), **b.details[name]} for b in found]

    return {
        "drawdown_rebound": {"series": "weekly small-cap closes", "chosen": drawdown},
        "term_spread_probit": {
            "series": "term_spread (10y minus 3m)",
            "lag_weeks": settings.evaluation.probit_lag_weeks,
            "fits": per_refit("term_spread_probit"),
        },
        "hmm": {"features": hmm_columns(dataset.features, settings), "fits": per_refit("hmm")},
        "markov_switching": {
            "series": "weekly log return of small_cap minus large_cap",
            "fits": per_refit("markov_switching"),
        },
    }


def _share(progress: Progress | None, part: int, parts: int) -> Progress | None:
    """`progress` for one of `parts` equal stages (a stage reports its own done/total)."""
    if progress is None:
        return None
    return lambda done, total: progress(part * total + done, parts * total)


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
