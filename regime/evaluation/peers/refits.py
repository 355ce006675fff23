"""Every peer refitted at the walk-forward's refit dates, on what was known then.

At a refit date the peers learn from the labels recomputed from the closes known that day (final
weeks only, from `model.train_start`) and from data up to that day; the probabilities of a week
in the block that follows use data up to that week only. The probabilistic peers' refits are
independent of one another, so they are spread over the workers of `settings.parallel`
(regime/workers.py); what they read is cut from the dataset once (`PeerInputs`, small enough to
send to a worker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES, RISK_OFF
from regime.evaluation.peers import (
    DrawdownRebound,
    FilteredGaussianHMM,
    FilteredMarkovSwitching,
    TermSpreadProbit,
    majority_proba,
)
from regime.evaluation.peers.mapping import describe
from regime.model.decision import decide, rest_labels
from regime.model.selection import regime_proba
from regime.model.training_rows import Dataset, final_labels
from regime.workers import run_chunked

Progress = Callable[[int, int], None]
Block = tuple[pd.Timestamp, pd.DatetimeIndex]
# Peers whose call is the balanced rule on their probabilities (the majority peer's is its top
# class: on constant probabilities the balanced rule has nothing to go on).
BALANCED = ("term_spread_probit", "hmm", "markov_switching")
PROBABILISTIC = ("majority", *BALANCED)
REST_COLUMNS = [f"rulebook_if_not_bear_{r}" for r in REGIMES if r != RISK_OFF]


@dataclass(frozen=True)
class PeerInputs:
    """What the peers read, from `model.train_start` on (closes: from the first week)."""

    closes: pd.DataFrame
    hmm_features: pd.DataFrame
    returns: pd.Series
    lagged_spread: pd.Series
    rest: pd.DataFrame

    @classmethod
    def build(cls, dataset: Dataset, settings: Settings) -> PeerInputs:
        start = pd.Timestamp(settings.model.train_start)
        features = dataset.features
        lag = settings.evaluation.probit_lag_weeks
        return cls(
            closes=dataset.closes,
            hmm_features=features.loc[start:, hmm_columns(features, settings)],
            returns=relative_returns(dataset.closes).loc[start:],
            lagged_spread=features["term_spread"].shift(lag).loc[start:],
            rest=features.loc[start:, REST_COLUMNS],
        )

    def known_labels(self, settings: Settings, refit_on: pd.Timestamp) -> pd.Series:
        labels = final_labels(self.closes, settings, refit_on)
        return labels.loc[pd.Timestamp(settings.model.train_start) :]


@dataclass(frozen=True)
class BlockPeers:
    """The probabilistic peers' probabilities and calls for one block, and what they learned.

    `hmm_states` (the HMM's filtered state probabilities of every week from `model.train_start`
    to the block's last week) and `hmm_transition` (its fitted transition matrix) serve the
    outlook's HMM peer (outlook_peers.py), which needs no fit of its own.
    """

    refit: pd.Timestamp
    proba: dict[str, pd.DataFrame]
    calls: dict[str, pd.Series]
    details: dict[str, dict[str, Any]]
    hmm_states: pd.DataFrame
    hmm_transition: np.ndarray


def block_peers(
    inputs: PeerInputs, settings: Settings, block: pd.DatetimeIndex, refit_on: pd.Timestamp
) -> BlockPeers:
    """Each probabilistic peer refitted as of `refit_on`, answering for the weeks of `block`."""
    ev = settings.evaluation
    floor = settings.model.min_probability
    y = inputs.known_labels(settings, refit_on)
    hmm = FilteredGaussianHMM(ev.hmm_states, ev.hmm_iterations, ev.seed, floor)
    hmm.fit(inputs.hmm_features.loc[:refit_on], y)
    markov = FilteredMarkovSwitching(ev.markov_regimes, floor).fit(inputs.returns.loc[:refit_on], y)
    probit = TermSpreadProbit().fit(inputs.lagged_spread, y)
    p_risk_off = probit.risk_off_probability(inputs.lagged_spread.loc[block])
    seen = inputs.hmm_features.loc[: block[-1]]
    states = pd.DataFrame(hmm.filtered_state_proba(seen), index=seen.index)
    proba = {
        "majority": majority_proba(y, block),
        "term_spread_probit": regime_proba(p_risk_off, inputs.rest.loc[block], settings),
        "hmm": hmm.proba_of_states(states).loc[block],
        "markov_switching": markov.predict_proba(inputs.returns.loc[: block[-1]]).loc[block],
    }
    prior = training_prior(y)
    calls = {"majority": proba["majority"].idxmax(axis=1)}
    for name in BALANCED:
        called = decide(proba[name].to_numpy(), list(REGIMES), prior, "balanced", RISK_OFF)
        calls[name] = pd.Series(called, index=block)
    details: dict[str, dict[str, Any]] = {
        "hmm": {"regime_given_state": describe(hmm.regime_given_state_)},
        "markov_switching": {"regime_given_state": describe(markov.regime_given_state_)},
        "term_spread_probit": {
            "intercept": _num(probit.params_[0]),
            "slope": _num(probit.params_[1]),
        },
    }
    return BlockPeers(refit_on, proba, calls, details, states, hmm.hmm_.transmat_.copy())


def run_block_peers(
    inputs: PeerInputs,
    settings: Settings,
    blocks: list[Block],
    progress: Progress | None = None,
) -> list[BlockPeers]:
    """`block_peers` for every block, on the workers of `settings.parallel`; results in the
    order of `blocks`. (Later refits fit on more weeks and take longer: the workers' chunks
    interleave them.)"""
    return run_chunked(_block_task, blocks, (inputs, settings), settings.parallel, progress)


def _block_task(block: Block, inputs: PeerInputs, settings: Settings) -> BlockPeers:
    refit, weeks = block
    return block_peers(inputs, settings, weeks, refit)


def drawdown_rebound_run(
    inputs: PeerInputs, settings: Settings, blocks: list[Block]
) -> tuple[pd.Series, list[dict[str, Any]]]:
    """The drawdown-and-rebound peer's calls on every block's weeks, and the pair chosen."""
    ev = settings.evaluation
    rest = pd.Series(rest_labels(inputs.rest), index=inputs.rest.index)
    closes = inputs.closes["small_cap"]
    rule = DrawdownRebound.build(
        closes,
        rest.reindex(closes.index).fillna("neutral").to_numpy(dtype=str),
        ev.drawdown_entry_grid,
        ev.drawdown_exit_grid,
    )
    calls, chosen = [], []
    for refit, block in blocks:
        entry, exit = rule.choose(inputs.known_labels(settings, refit))
        calls.append(rule.predict((entry, exit), block))
        chosen.append({"refit": refit.date().isoformat(), "entry": entry, "exit": exit})
    return pd.concat(calls), chosen


def training_prior(y: pd.Series) -> np.ndarray:
    """Training frequency of each regime, in `REGIMES` order; a regime absent from training is
    never called by the balanced rule (its prior is infinite)."""
    frequency = y.value_counts(normalize=True).reindex(list(REGIMES), fill_value=0.0)
    values = frequency.to_numpy(dtype=float)
    return np.where(values > 0, values, np.inf)


def hmm_columns(features: pd.DataFrame, settings: Settings) -> list[str]:
    prefixes = settings.evaluation.hmm_features
    return [c for c in features.columns if c.startswith(prefixes)]


def relative_returns(closes: pd.DataFrame) -> pd.Series:
    """Weekly log return of small caps minus that of large caps (known at each week's close)."""
    logs = np.log(closes[["small_cap", "large_cap"]])
    return (logs["small_cap"].diff() - logs["large_cap"].diff()).dropna()


def _num(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)
