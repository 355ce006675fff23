"""Walk-forward evaluation: refit on an expanding window, predict the weeks that follow.

At each refit date the model sees only labels recomputed from prices known then (final weeks
only) and point-in-time features; it predicts the next `refit_weeks` weeks. The result holds one
out-of-sample prediction per test week, next to the hindsight label it is judged against.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from regime.config import Settings
from regime.constants import REGIMES
from regime.model.classifier import build_classifier
from regime.model.training_rows import Dataset, model_columns, training_rows

Progress = Callable[[int, int], None]


def test_weeks(dataset: Dataset, settings: Settings) -> pd.DatetimeIndex:
    """Weeks judged out of sample: in the configured span, with a final hindsight label."""
    wf = settings.walk_forward
    labels = dataset.labels.loc[pd.Timestamp(wf.first_test) : pd.Timestamp(wf.last_test)]
    return labels.index[~labels["provisional"].to_numpy()]


def refit_blocks(weeks: pd.DatetimeIndex, refit_weeks: int) -> list[pd.DatetimeIndex]:
    """Consecutive blocks of `refit_weeks` test weeks; a model is refitted before each."""
    return [weeks[i : i + refit_weeks] for i in range(0, len(weeks), refit_weeks)]


def walk_forward(
    dataset: Dataset, settings: Settings, progress: Progress | None = None
) -> pd.DataFrame:
    """Out-of-sample predictions for every test week.

    Columns: `label` (hindsight truth), `predicted`, `p_<regime>` for each regime, `refit`
    (the date of the last week the model could learn from: the Friday before the block).
    """
    blocks = refit_blocks(test_weeks(dataset, settings), settings.walk_forward.refit_weeks)
    columns = model_columns(dataset.features, settings)
    frames = []
    for done, block in enumerate(blocks):
        refit_on = block[0] - pd.Timedelta(days=7)
        X, y = training_rows(dataset, settings, known_on=refit_on)
        model = build_classifier(settings.model).fit(X, y)
        X_block = dataset.features.loc[block, columns]
        proba = _proba_frame(model, X_block)
        proba["predicted"] = model.predict(X_block)
        proba["refit"] = refit_on
        frames.append(proba)
        if progress is not None:
            progress(done + 1, len(blocks))
    result = pd.concat(frames)
    result.insert(0, "label", dataset.labels.loc[result.index, "label"])
    result.insert(1, "predicted", result.pop("predicted"))
    return result


def _proba_frame(model: Pipeline, X: pd.DataFrame) -> pd.DataFrame:
    proba = pd.DataFrame(model.predict_proba(X), index=X.index, columns=model.classes_)
    proba = proba.reindex(columns=list(REGIMES), fill_value=0.0)
    proba = proba.div(proba.sum(axis=1), axis=0)
    return proba.rename(columns=lambda r: f"p_{r}").astype(np.float64)


def rulebook_realtime(dataset: Dataset, weeks: pd.DatetimeIndex) -> pd.Series:
    """The rulebook's own real-time call for each week (a peer with no probabilities)."""
    onehot = dataset.features.loc[weeks, [f"rulebook_{r}" for r in REGIMES]].to_numpy()
    return pd.Series(np.asarray(REGIMES)[onehot.argmax(axis=1)], index=weeks, name="rulebook")
