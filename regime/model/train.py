"""Training: the nested walk-forward for the card, then the final fit with the final choice.

The artifact holds the final model (the choice made with everything known today, fitted on every
final label) and the walk-forward's own models, one per refit, so that a prediction for a past
week can use the model the walk-forward had then (`regime predict --as-of`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES, RISK_OFF
from regime.macro.nowcast import NowcastChoice, NowcastInputs, NowcastRun
from regime.macro.nowcast import fit_choice as fit_nowcast_choice
from regime.macro.prediction import StoredNowcast, StoredNowcasts
from regime.macro.record import nowcast_record
from regime.metrics import classification_scores, detection
from regime.model.artifact import CARD_FORMAT, PACKAGE, library_versions
from regime.model.classifier import SplitGateClassifier
from regime.model.outlook import OutlookChoice, TargetRun, fit_final
from regime.model.outlook_record import outlook_record
from regime.model.reuse import reuse
from regime.model.selection import Choice
from regime.model.serialize import classifier_to_dict, gate_to_dict
from regime.model.training_rows import (
    SIDE_COLUMN,
    Dataset,
    classifier_columns,
    final_labels,
    training_rows,
)
from regime.model.walk_forward import Progress, WalkForward, rulebook_realtime, walk_forward
from regime.sources.market_data import MarketData

Stage = Callable[[str], None]


@dataclass(frozen=True)
class RefitModel:
    """A walk-forward model: fitted on what was known on `refit`, used for the weeks after;
    with the outlook's models of that refit (target name -> model, columns)."""

    refit: pd.Timestamp
    labels_final_through: pd.Timestamp
    model: SplitGateClassifier
    outlook: dict[str, tuple[Any, list[str]]]


@dataclass(frozen=True)
class TrainedModel:
    """The final model, the walk-forward's models, the card, and the walk-forward itself."""

    model: SplitGateClassifier
    outlook: dict[str, tuple[Any, list[str]]]
    refit_models: list[RefitModel]
    card: dict[str, Any]
    walk_forward: WalkForward
    predictions: pd.DataFrame
    # The recession nowcast's final and walk-forward models (None: no nowcast inputs).
    recession: StoredNowcasts | None = None

    def payload(self) -> dict[str, Any]:
        """The artifact's content: plain data (see serialize.py and predict.PeriodModel).

        Each model answers for the weeks after its `start`; `in_risk_off` is whether the
        walk-forward called `start` itself risk_off, where a hysteresis rule picks up.
        """
        calls = self.walk_forward.nested.predictions["predicted"]

        def called_risk_off(week: pd.Timestamp) -> bool:
            return bool(week in calls.index and calls.loc[week] == RISK_OFF)

        through = pd.Timestamp(self.card["labels_final_through"])
        return {
            "format": CARD_FORMAT,
            "final": {
                "start": through.date().isoformat(),
                "trained_through": through.date().isoformat(),
                "in_risk_off": called_risk_off(through),
                "model": classifier_to_dict(self.model),
                "outlook": _outlook_payload(self.outlook, self.walk_forward),
            },
            "walk_forward": [
                {
                    "start": m.refit.date().isoformat(),
                    "trained_through": m.labels_final_through.date().isoformat(),
                    "in_risk_off": called_risk_off(m.refit),
                    "model": classifier_to_dict(m.model),
                    "outlook": _outlook_payload(m.outlook, self.walk_forward),
                }
                for m in self.refit_models
            ],
            "recession": None if self.recession is None else self.recession.to_dict(),
        }


def train_model(
    data: MarketData,
    settings: Settings,
    *,
    progress: Progress | None = None,
    stage: Stage | None = None,
) -> TrainedModel:
    """Walk forward with nested selection, then fit the final choice on all final labels.

    Deterministic for the same inputs.
    """
    say = stage or (lambda _message: None)
    say("building features and labels")
    dataset = Dataset.build(data, settings)
    say("walk-forward: every candidate at every refit")
    run = reuse(
        settings.cache_dir / "walk_forward",
        dataset,
        settings,
        lambda: walk_forward(dataset, settings, progress=progress),
    )
    say("fitting the final model and the walk-forward's own models")
    model = fit_choice(dataset, settings, run.final, None)
    outlook = {
        name: _outlook_model(target_run, dataset, settings, target_run.final)
        for name, target_run in run.outlook.items()
    }
    refit_models = [
        RefitModel(
            choice.refit,
            _labels_final_through(dataset, settings, choice.refit),
            fit_choice(dataset, settings, choice, choice.refit),
            {
                name: _outlook_model(target_run, dataset, settings, target_run.choices[i])
                for name, target_run in run.outlook.items()
            },
        )
        for i, choice in enumerate(run.nested.choices)
    ]
    predictions = run.predictions(dataset, settings)
    recession = None
    if dataset.recession is not None and run.recession is not None:
        say("fitting the recession nowcast's models")
        recession = stored_nowcasts(dataset.recession, run.recession, settings)
    _, y = training_rows(dataset, settings)
    card = model_card(settings, dataset, y, run, predictions)
    return TrainedModel(model, outlook, refit_models, card, run, predictions, recession)


def stored_nowcasts(inputs: NowcastInputs, run: NowcastRun, settings: Settings) -> StoredNowcasts:
    """The nowcast's final model and each refit's, fitted on the months dated by their day."""

    def stored(choice: NowcastChoice, name: str) -> StoredNowcast:
        return StoredNowcast(
            start=choice.refit,
            families=choice.candidate.families,
            columns=tuple(choice.candidate.columns(run.families)),
            model=fit_nowcast_choice(inputs, run, choice, settings),
            sigmoid=choice.sigmoid,
            floor=settings.model.min_probability,
            name=name,
        )

    return StoredNowcasts(
        final=stored(run.final, "final model"),
        walk_forward=tuple(
            stored(c, f"walk-forward refit {c.refit.date().isoformat()}") for c in run.choices
        ),
    )


def _outlook_model(
    run: TargetRun, dataset: Dataset, settings: Settings, choice: OutlookChoice
) -> tuple[Any, list[str]]:
    return fit_final(run, dataset, settings, choice), choice.candidate.columns(settings)


def _outlook_payload(models: dict[str, tuple[Any, list[str]]], walk: WalkForward) -> dict[str, Any]:
    return {
        name: {
            "kind": walk.outlook[name].target.kind,
            "weeks": walk.outlook[name].target.weeks,
            "columns": columns,
            "model": gate_to_dict(model),
        }
        for name, (model, columns) in models.items()
    }


def fit_choice(
    dataset: Dataset,
    settings: Settings,
    choice: Choice,
    known_on: date | pd.Timestamp | None,
) -> SplitGateClassifier:
    """A `SplitGateClassifier` with `choice`'s hyperparameters, fitted on what was known on
    `known_on` (None: everything): the small cap's final labels, then the pooled indices' from
    the chosen date. The same rows, in the same order, as the walk-forward's candidate fits."""
    columns = classifier_columns(settings)
    X, y = training_rows(dataset, settings, known_on)
    parts_X, parts_y = [X], [y]
    pool_from = choice.entry.pool_from
    if pool_from is not None:
        for history in dataset.pooled:
            labels = history.known_labels(settings, known_on).loc[pd.Timestamp(pool_from) :]
            parts_X.append(history.features.loc[labels.index, columns])
            parts_y.append(labels)
    others = [r for r in REGIMES if r != RISK_OFF]
    model = SplitGateClassifier(
        side_feature=SIDE_COLUMN,
        entry_features=choice.entry.columns(settings),
        exit_features=choice.exit.columns(settings),
        entry_C=choice.entry.C,
        exit_C=choice.exit.C,
        entry_calibration=choice.entry_calibration.as_tuple(),
        exit_calibration=choice.exit_calibration.as_tuple(),
        rest_features={r: f"rulebook_if_not_bear_{r}" for r in others},
        gate_class=RISK_OFF,
        decision=choice.decision,
        hysteresis=settings.model.hysteresis,
        class_prior=[choice.prior[r] for r in REGIMES],
        min_proba=settings.model.min_probability,
        logistic_max_iter=settings.model.max_iter,
    )
    return model.fit(pd.concat(parts_X), pd.concat(parts_y).to_numpy())


def _labels_final_through(
    dataset: Dataset, settings: Settings, known_on: pd.Timestamp
) -> pd.Timestamp:
    return pd.Timestamp(final_labels(dataset.closes, settings, known_on).index[-1])


def walk_forward_summary(
    dataset: Dataset, settings: Settings, predictions: pd.DataFrame
) -> dict[str, Any]:
    """Our out-of-sample scores next to the real-time rulebook's, same weeks: the whole span
    and each sub-period of `evaluation.periods`."""
    out: dict[str, Any] = _scores_on(dataset, predictions)
    out["sub_periods"] = {}
    for first, last in settings.evaluation.periods:
        part = predictions.loc[pd.Timestamp(first or "1900") : pd.Timestamp(last or "2200")]
        if len(part):
            out["sub_periods"][period_name(part)] = _scores_on(dataset, part)
    return out


def period_name(part: pd.DataFrame) -> str:
    return f"{part.index[0].year}-{part.index[-1].year}"


def _scores_on(dataset: Dataset, predictions: pd.DataFrame) -> dict[str, Any]:
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
    y: pd.Series,
    run: WalkForward,
    predictions: pd.DataFrame,
) -> dict[str, Any]:
    """The metadata saved beside the artifact (see artifact.py for what loading checks).

    Nothing in it depends on the clock, so retraining on the same data and settings writes the
    same card, byte for byte.
    """
    labels_final_through = y.index[-1].date().isoformat()
    version = f"{labels_final_through.replace('-', '')}-{settings.fingerprint()[:8]}"
    final = run.final.to_dict()
    return {
        "format": CARD_FORMAT,
        "package": PACKAGE,
        "version": version,
        "libraries": library_versions(),
        "config_hash": settings.fingerprint(),
        "config": settings.learning_settings(),
        "feature_names": classifier_columns(settings),
        "classes": list(REGIMES),
        "label_rules": settings.labels.model_dump(mode="json"),
        "training_span": [y.index[0].date().isoformat(), y.index[-1].date().isoformat()],
        "training_weeks": len(y),
        "class_counts": {r: int((y == r).sum()) for r in REGIMES},
        "labels_final_through": labels_final_through,
        "data_through": dataset.closes.index[-1].date().isoformat(),
        "choice": {**final, "candidates_offered": len(run.runs.series)},
        "outlook": {
            name: {
                "families": list(target_run.final.candidate.families),
                "C": target_run.final.candidate.C,
                "refits": [c.to_dict() for c in target_run.choices],
                "record": outlook_record(target_run, dataset, settings, predictions.index),
            }
            for name, target_run in run.outlook.items()
        },
        "walk_forward": {
            **walk_forward_summary(dataset, settings, predictions),
            "refits": [choice.to_dict() for choice in run.nested.choices],
        },
        "recession": _recession_card(dataset, run, settings),
    }


def _recession_card(
    dataset: Dataset, run: WalkForward, settings: Settings
) -> dict[str, Any] | None:
    """The nowcast's final choice, every refit's, and its out-of-sample record."""
    if dataset.recession is None or run.recession is None:
        return None
    nowcast = run.recession
    return {
        "choice": {**nowcast.final.to_dict(), "candidates_offered": len(nowcast.series)},
        "record": nowcast_record(dataset.recession, nowcast, settings),
        "refits": [choice.to_dict() for choice in nowcast.choices],
    }
