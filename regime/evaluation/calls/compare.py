"""One model against another on the same weeks: differences with both bootstrap intervals.

Balanced accuracy: a positive difference favours the first model. Log loss (only when both
have probabilities): a negative difference favours the first model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from regime.bootstrap import (
    Units,
    balanced_accuracy_rows,
    balanced_accuracy_units,
    bootstrap_interval,
    episode_interval,
    mean_rows,
    mean_units,
)
from regime.config import Settings
from regime.metrics import weekly_log_loss


@dataclass(frozen=True)
class ModelRun:
    """One model's weekly out-of-sample calls; `proba` is None for a model without them."""

    name: str
    predicted: pd.Series
    proba: pd.DataFrame | None


def differences(
    truth: pd.Series,
    first: ModelRun,
    second: ModelRun,
    settings: Settings,
    units: Units,
    block: bool = True,
) -> dict[str, dict[str, Any]]:
    """`first` minus `second`: {"balanced_accuracy": {...}, "log_loss": {...} (if both have
    probabilities)}, each with its estimate and `episode_bootstrap` interval, and the
    `block_bootstrap` interval too when `block`."""
    ev = settings.evaluation
    values = truth.to_numpy()
    out: dict[str, dict[str, Any]] = {}
    a_rows = balanced_accuracy_rows(values, first.predicted.to_numpy())
    b_rows = balanced_accuracy_rows(values, second.predicted.to_numpy())
    a_units = balanced_accuracy_units(values, first.predicted.to_numpy(), units)
    b_units = balanced_accuracy_units(values, second.predicted.to_numpy(), units)
    statistics = {
        "balanced_accuracy": (
            lambda rows: a_rows(rows) - b_rows(rows),
            lambda draws: a_units(draws) - b_units(draws),
        )
    }
    if first.proba is not None and second.proba is not None:
        gap = weekly_log_loss(truth, first.proba) - weekly_log_loss(truth, second.proba)
        statistics["log_loss"] = (mean_rows(gap), mean_units(gap, units))
    for metric, (by_rows, by_units) in statistics.items():
        episode = episode_interval(
            by_units,
            units,
            samples=ev.episode_bootstrap_samples,
            seed=ev.seed,
            confidence=ev.confidence,
        )
        found: dict[str, Any] = {"estimate": episode.estimate}
        if block:
            found["block_bootstrap"] = bootstrap_interval(
                by_rows,
                len(truth),
                block=ev.bootstrap_block_weeks,
                samples=ev.bootstrap_samples,
                seed=ev.seed,
                confidence=ev.confidence,
            ).to_dict()
        found["episode_bootstrap"] = episode.to_dict()
        out[metric] = found
    return out


def compare_with_best_peer(
    truth: pd.Series,
    runs: dict[str, ModelRun],
    scores: dict[str, dict[str, Any]],
    settings: Settings,
    ours: str,
    baseline: str,
) -> dict[str, dict[str, Any]]:
    """`ours` minus the best peer, with both bootstrap intervals.

    Balanced accuracy: against the peer with the highest. Log loss: against the peer with the
    lowest among those with probabilities. Also `ours` minus `baseline` (the obvious
    alternative, whichever peer is best), under the key `baseline`.
    """
    units = Units.of(truth)
    peers = [name for name in runs if name != ours]
    best_ba = max(peers, key=lambda name: scores[name]["balanced_accuracy"])
    probabilistic = [name for name in peers if runs[name].proba is not None]
    best_ll = min(probabilistic, key=lambda name: scores[name]["log_loss"])
    found = differences(truth, runs[ours], runs[best_ba], settings, units)
    result = {"balanced_accuracy": {"best_peer": best_ba, **found["balanced_accuracy"]}}
    found = differences(truth, runs[ours], runs[best_ll], settings, units)
    result["log_loss"] = {"best_peer": best_ll, **found["log_loss"]}
    result["baseline"] = {
        "peer": baseline,
        **differences(truth, runs[ours], runs[baseline], settings, units),
    }
    return result
