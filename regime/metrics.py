"""Scores of predictions against hindsight labels: accuracy, probability quality, timing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
)

from regime.constants import REGIMES, RISK_OFF


def expected_calibration_error(truth: pd.Series, proba: pd.DataFrame, bins: int = 10) -> float:
    """Weighted gap between confidence and accuracy of the top class, in `bins` equal bins."""
    confidence = proba.max(axis=1).to_numpy()
    predicted = proba.idxmax(axis=1).to_numpy()
    correct = (predicted == truth.to_numpy()).astype(float)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            error += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(error)


def reliability_table(truth: pd.Series, proba: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Per confidence bin of the top class: mean confidence, accuracy and week count.

    The points of a reliability diagram; empty bins are left out.
    """
    confidence = proba.max(axis=1).to_numpy()
    correct = (proba.idxmax(axis=1).to_numpy() == truth.to_numpy()).astype(float)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    rows = [
        (b, confidence[which == b].mean(), correct[which == b].mean(), int((which == b).sum()))
        for b in range(bins)
        if (which == b).any()
    ]
    return pd.DataFrame(rows, columns=["bin", "confidence", "accuracy", "weeks"])


def weekly_log_loss(truth: pd.Series, proba: pd.DataFrame) -> np.ndarray:
    """-log of the probability given to the true class, week by week (clipped like sklearn)."""
    columns = list(proba.columns)
    positions = np.array([columns.index(label) for label in truth])
    values = proba.to_numpy(dtype=float)
    values = values / values.sum(axis=1, keepdims=True)
    picked = values[np.arange(len(values)), positions]
    return -np.log(np.clip(picked, np.finfo(float).eps, 1.0))


def brier_score(truth: pd.Series, proba: pd.DataFrame) -> float:
    """Multi-class Brier score: mean squared distance to the one-hot truth (0 best, 2 worst)."""
    onehot = pd.get_dummies(truth).reindex(columns=proba.columns, fill_value=0).to_numpy(float)
    return float(np.mean(np.sum((proba.to_numpy() - onehot) ** 2, axis=1)))


def classification_scores(
    truth: pd.Series, predicted: pd.Series, proba: pd.DataFrame | None = None, ece_bins: int = 10
) -> dict[str, Any]:
    """Every metric for one model; probability metrics are None when `proba` is None."""
    labels = list(REGIMES)
    scores = {
        "balanced_accuracy": float(balanced_accuracy_score(truth, predicted)),
        "macro_f1": float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        ),
        "log_loss": None,
        "brier": None,
        "ece": None,
        "recall": _per_class(recall_score, truth, predicted),
        "precision": _per_class(precision_score, truth, predicted),
        "confusion": confusion_matrix(truth, predicted, labels=labels).tolist(),
    }
    if proba is not None:
        proba = proba.set_axis(labels, axis=1)
        scores["log_loss"] = float(log_loss(truth, proba.to_numpy(), labels=labels))
        scores["brier"] = brier_score(truth, proba)
        scores["ece"] = expected_calibration_error(truth, proba, ece_bins)
    return scores


def _per_class(
    metric: Callable[..., Any], truth: pd.Series, predicted: pd.Series
) -> dict[str, float]:
    values = metric(truth, predicted, labels=list(REGIMES), average=None, zero_division=0)
    return {regime: float(v) for regime, v in zip(REGIMES, values, strict=True)}


def risk_off_episodes(truth: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(first week, last week) of each run of consecutive risk_off weeks."""
    flags = (truth == RISK_OFF).to_numpy()
    episodes, start = [], None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            episodes.append((truth.index[start], truth.index[i - 1]))
            start = None
    if start is not None:
        episodes.append((truth.index[start], truth.index[-1]))
    return episodes


def detection(truth: pd.Series, predicted: pd.Series) -> dict[str, Any]:
    """For each risk_off episode, weeks from its peak to the first risk_off call.

    An episode's first week is the week after its peak, so a call on that week has lag 1.

    `lag_weeks` is None for an episode never flagged. `false_alarm_weeks` counts risk_off calls
    outside every episode.
    """
    episodes = []
    for start, end in risk_off_episodes(truth):
        inside = predicted.loc[start:end]
        hits = np.flatnonzero(inside.to_numpy() == RISK_OFF)
        lag = int(hits[0]) + 1 if len(hits) else None
        episodes.append(
            {"start": start.date().isoformat(), "end": end.date().isoformat(), "lag_weeks": lag}
        )
    false_alarms = int(((predicted == RISK_OFF) & (truth != RISK_OFF)).sum())
    lags = [e["lag_weeks"] for e in episodes if e["lag_weeks"] is not None]
    return {
        "episodes": episodes,
        "mean_lag_weeks": float(np.mean(lags)) if lags else None,
        "missed_episodes": sum(e["lag_weeks"] is None for e in episodes),
        "false_alarm_weeks": false_alarms,
    }
