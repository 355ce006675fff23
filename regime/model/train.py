"""Training: walk-forward evaluation for the card, then the final fit on every final label."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from regime.config import Settings
from regime.constants import REGIMES
from regime.metrics import classification_scores, detection
from regime.model.artifact import CARD_FORMAT, PACKAGE, library_versions
from regime.model.classifier import build_classifier
from regime.model.training_rows import Dataset, training_rows
from regime.model.walk_forward import Progress, rulebook_realtime, walk_forward
from regime.sources.market_data import MarketData

Stage = Callable[[str], None]


@dataclass(frozen=True)
class TrainedModel:
    """A fitted pipeline, its card, and the walk-forward predictions behind the card's metrics."""

    pipeline: Pipeline
    card: dict[str, Any]
    walk_forward: pd.DataFrame


def train_model(
    data: MarketData,
    settings: Settings,
    *,
    progress: Progress | None = None,
    stage: Stage | None = None,
) -> TrainedModel:
    """Evaluate walk-forward, then fit on all final labels. Deterministic for the same inputs."""
    say = stage or (lambda _message: None)
    say("building features and labels")
    dataset = Dataset.build(data, settings)
    say("walk-forward evaluation")
    predictions = walk_forward(dataset, settings, progress=progress)
    say("fitting the final model")
    X, y = training_rows(dataset, settings)
    pipeline = build_classifier(settings.model).fit(X, y)
    card = model_card(settings, dataset, X, y, predictions)
    return TrainedModel(pipeline, card, predictions)


def walk_forward_summary(dataset: Dataset, predictions: pd.DataFrame) -> dict[str, Any]:
    """Our model's out-of-sample scores next to the real-time rulebook's, same weeks."""
    truth = predictions["label"]
    proba = predictions[[f"p_{r}" for r in REGIMES]]
    rulebook = rulebook_realtime(dataset, predictions.index)
    ours = classification_scores(truth, predictions["predicted"], proba)
    ours["detection"] = detection(truth, predictions["predicted"])
    peer = classification_scores(truth, rulebook)
    peer["detection"] = detection(truth, rulebook)
    return {
        "period": [
            predictions.index[0].date().isoformat(),
            predictions.index[-1].date().isoformat(),
        ],
        "n_weeks": len(predictions),
        "models": {"regime": ours, "rulebook_realtime": peer},
    }


def model_card(
    settings: Settings,
    dataset: Dataset,
    X: pd.DataFrame,
    y: pd.Series,
    predictions: pd.DataFrame,
) -> dict[str, Any]:
    """The metadata saved beside the artifact (see artifact.py for what loading checks)."""
    labels_final_through = y.index[-1].date().isoformat()
    version = f"{labels_final_through.replace('-', '')}-{settings.fingerprint()[:8]}"
    return {
        "format": CARD_FORMAT,
        "package": PACKAGE,
        "version": version,
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "libraries": library_versions(),
        "config_hash": settings.fingerprint(),
        "config": settings.learning_settings(),
        "feature_names": list(X.columns),
        "classes": list(REGIMES),
        "label_rules": settings.labels.model_dump(mode="json"),
        "training_span": [X.index[0].date().isoformat(), X.index[-1].date().isoformat()],
        "training_weeks": len(X),
        "class_counts": {r: int((y == r).sum()) for r in REGIMES},
        "labels_final_through": labels_final_through,
        "data_through": dataset.closes.index[-1].date().isoformat(),
        "walk_forward": walk_forward_summary(dataset, predictions),
    }
