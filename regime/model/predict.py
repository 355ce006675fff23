"""Prediction: the regime of a week from a saved model and the data published by then.

Never imports `labels`: a prediction can only use what was known on its date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regime.config import LEARNING_SECTIONS, Settings, load_settings
from regime.constants import REGIMES
from regime.errors import ModelArtifactError, StaleDataError
from regime.features.publication import latest_week, publication_dates, week_ending
from regime.features.table import build_features, cadence
from regime.model.artifact import latest_version, load_artifact
from regime.sources.market_data import MarketData, load_market_data

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

N_DRIVERS = 5


@dataclass(frozen=True)
class Driver:
    """A feature that moved this prediction.

    `effect` is the called regime's probability minus what it would be with this one feature at
    its training median (every other feature unchanged): positive means the feature pushed
    towards the call.
    """

    feature: str
    value: float | None
    effect: float


@dataclass(frozen=True)
class SeriesStatus:
    last_observation: str
    source: str


@dataclass(frozen=True)
class RegimePrediction:
    """The answer for one week; `to_dict()` is the JSON that `regime predict` prints."""

    as_of: str
    regime: str
    confidence: float
    probabilities: dict[str, float]
    drivers: tuple[Driver, ...]
    data_through: dict[str, SeriesStatus]
    stale: tuple[str, ...]
    model: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["drivers"] = [asdict(d) for d in self.drivers]
        out["stale"] = list(self.stale)
        return out


class RegimeModel:
    """A trained regime classifier with the settings it was trained under.

    Use `load_model()` to get one. `predict_proba(features)` scores a feature table;
    `predict_current()` answers for the latest week (or `as_of`) from the configured data.
    """

    def __init__(self, pipeline: Pipeline, card: dict[str, Any], settings: Settings) -> None:
        self.pipeline = pipeline
        self.card = card
        self.settings = settings

    @property
    def feature_names(self) -> list[str]:
        return list(self.card["feature_names"])

    @property
    def classes_(self) -> list[str]:
        return list(REGIMES)

    @property
    def version(self) -> str:
        return str(self.card["version"])

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        """Class probabilities (columns: the four regimes) indexed like `features`."""
        missing = [c for c in self.feature_names if c not in features.columns]
        if missing:
            raise ModelArtifactError(
                f"feature table lacks {', '.join(missing[:5])}; build it with regime.build_features"
            )
        X = features[self.feature_names]
        proba = pd.DataFrame(self.pipeline.predict_proba(X), index=features.index)
        proba.columns = list(self.pipeline.classes_)
        return proba.reindex(columns=list(REGIMES), fill_value=0.0)

    def predict_current(
        self, as_of: date | None = None, data: MarketData | None = None
    ) -> RegimePrediction:
        """The regime of the week of `as_of` (default: the latest week with index closes).

        Only observations published by that week's Friday are used. Raises StaleDataError when
        the data has no index closes for that week.
        """
        data = data if data is not None else load_market_data(self.settings)
        small = data[self.settings.indices.small_cap]
        week = week_ending(as_of) if as_of is not None else latest_week(small.index[-1])
        first_week = small.index[0] + pd.Timedelta(days=365)  # features need a year of prices
        if week < first_week or week > small.index[-1] + pd.Timedelta(days=6):
            advice = (
                f"the earliest week with a year of history is {week_ending(first_week).date()}"
                if week < first_week
                else "run `regime fetch` for newer data"
            )
            raise StaleDataError(
                f"no index closes for the week of {week.date()}; the data covers "
                f"{small.index[0].date()} to {small.index[-1].date()} ({advice})"
            )
        features = build_features(data, self.settings, as_of=week.date())
        row = features.iloc[[-1]]
        proba = self.predict_proba(row).iloc[0]
        # The call follows the model's decision rule (model.decision), as in walk-forward
        # evaluation: with "balanced" it need not be the most probable regime.
        regime = str(self.pipeline.predict(row[self.feature_names])[0])
        used = self._used_observations(data, week)
        return RegimePrediction(
            as_of=week.date().isoformat(),
            regime=regime,
            confidence=float(proba[regime]),
            probabilities={r: float(proba[r]) for r in REGIMES},
            drivers=self._drivers(row, regime),
            data_through=self._data_through(data, used),
            stale=self._stale(used, week),
            model={"version": self.version, "trained_through": self.card["labels_final_through"]},
        )

    def _drivers(self, row: pd.DataFrame, regime: str) -> tuple[Driver, ...]:
        X = row[self.feature_names]
        base = float(self.predict_proba(X)[regime].iloc[0])
        medians = self.pipeline.named_steps["impute"].statistics_
        trials = pd.DataFrame(
            np.repeat(X.to_numpy(), len(self.feature_names), axis=0), columns=X.columns
        )
        for i in range(len(self.feature_names)):
            trials.iat[i, i] = medians[i]
        changed = self.predict_proba(trials)[regime].to_numpy()
        effects = base - changed
        order = np.argsort(-np.abs(effects), kind="stable")[:N_DRIVERS]
        return tuple(
            Driver(
                feature=self.feature_names[i],
                value=None if pd.isna(X.iat[0, i]) else round(float(X.iat[0, i]), 6),
                effect=round(float(effects[i]), 6),
            )
            for i in order
            if abs(effects[i]) > 1e-9
        )

    def _used_observations(self, data: MarketData, week: pd.Timestamp) -> dict[str, pd.Timestamp]:
        used = {}
        for key in (*self.settings.fred_series, *self.settings.index_symbols):
            series = data[key]
            public = publication_dates(series.index, self.settings.publication[key]) <= week
            if public.any():
                used[key] = series.index[public][-1]
        return used

    @staticmethod
    def _data_through(data: MarketData, used: dict[str, pd.Timestamp]) -> dict[str, SeriesStatus]:
        return {
            key: SeriesStatus(last.date().isoformat(), data.origin.get(key, "snapshot"))
            for key, last in used.items()
        }

    def _stale(self, used: dict[str, pd.Timestamp], week: pd.Timestamp) -> tuple[str, ...]:
        limits = self.settings.max_staleness_days
        stale = []
        for key in (*self.settings.fred_series, *self.settings.index_symbols):
            allowed = getattr(limits, cadence(self.settings, key))
            if key not in used or (week - used[key]).days > allowed:
                stale.append(key)
        return tuple(stale)


def load_model(path: str | Path | None = None, settings: Settings | None = None) -> RegimeModel:
    """The active model (`models/LATEST`), or the version folder at `path`.

    The model keeps the feature, label and model settings it was trained with (from its card);
    data and cache paths come from `settings` (default: the project's config.yaml).
    """
    current = settings if settings is not None else load_settings()
    if path is None:
        version_dir = current.models_dir / latest_version(current.models_dir)
    else:
        version_dir = Path(path)
    pipeline, card = load_artifact(version_dir)
    trained = settings_of_card(card, current)
    return RegimeModel(pipeline, card, trained)


def settings_of_card(card: dict[str, Any], current: Settings) -> Settings:
    """The settings a model was trained with, reading data from where `current` says."""
    try:
        carried = current.model_dump(exclude=set(LEARNING_SECTIONS) | {"source_path"})
        return Settings.model_validate(
            {**carried, **card["config"], "source_path": current.source_path}
        )
    except (KeyError, ValueError) as exc:
        raise ModelArtifactError(f"model card settings are unreadable ({exc}); retrain") from None
