"""Prediction: the regime of a week from a saved model and the data published by then.

Never imports `labels`: a prediction can only use what was known on its date. For a week the
final model was trained after (on or before its last final label), the walk-forward's own model
of that week answers, fitted only on what was known at its refit: the answer a user would have
had then, not one informed by the years since.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regime.clock import today as clock_today
from regime.config import Settings, load_settings
from regime.constants import REGIMES, RISK_OFF
from regime.errors import ModelArtifactError, UsageError
from regime.features.known import cadence
from regime.features.publication import fridays, publication_dates
from regime.features.table import build_features, macro_features
from regime.features.words import formatted, label
from regime.freshness import Freshness, freshness
from regime.macro.backdrop import backdrop_inputs, macro_backdrop
from regime.macro.prediction import MacroBackdrop, StoredNowcasts, recession_nowcast
from regime.model.artifact import latest_version, load_artifact
from regime.model.call_rule import CallRule, call_rule
from regime.model.card_settings import differences, settings_of_card
from regime.model.classifier import SplitGateClassifier
from regime.model.decision import decide
from regime.model.horizons import Target, outlook_proba
from regime.model.serialize import classifier_from_dict, gate_from_dict
from regime.model.week import answered_week
from regime.model.week_change import WeekChange, week_change
from regime.sources.market_data import MarketData, load_market_data

N_DRIVERS = 5
# The prediction JSON's contract (docs/reading-a-prediction.md, "The JSON contract"): a key added
# keeps it; a key removed or renamed, or a value whose type or meaning changes, raises it.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Driver:
    """A feature that moved this prediction.

    `effect` is the called regime's probability minus what it would be with this one feature at
    its training median (every other feature unchanged): positive means the feature pushed
    towards the call. `label` and `value_text` say the same for a person (features/words.py):
    "Russell 2000 below its last high", "1.6%".
    """

    feature: str
    value: float | None
    effect: float
    label: str = ""
    value_text: str = ""

    @classmethod
    def of(cls, feature: str, value: Any, effect: float) -> Driver:
        """The driver with its words; `value` rounded to 6 decimals (None when missing)."""
        kept = None if pd.isna(value) else round(float(value), 6)
        return cls(feature, kept, round(float(effect), 6), label(feature), formatted(feature, kept))

    @property
    def words(self) -> str:
        """'Russell 2000 below its last high: 1.6%'."""
        return f"{self.label}: {self.value_text}"


@dataclass(frozen=True)
class Staleness:
    """How old a prediction's data is (regime/freshness.py), in one place for people and tools.

    `data_ends` is the week predicted, `today` the day it was judged on; `week_is_stale` when
    the week is more than `week_limit_days` (max_staleness_days.week) old then. Two lists, each
    in the inputs' order: `stale_today`, the series older than their cadence allows today (what
    a reader acting now should distrust), and `missing_at_week`, those already stale at the
    week, which the features treated as missing.
    """

    data_ends: str
    today: str
    week_age_days: int
    week_limit_days: int
    week_is_stale: bool
    stale_today: tuple[str, ...]
    missing_at_week: tuple[str, ...]

    @classmethod
    def of(cls, fresh: Freshness) -> Staleness:
        return cls(
            data_ends=fresh.week.isoformat(),
            today=fresh.today.isoformat(),
            week_age_days=fresh.week_age_days,
            week_limit_days=fresh.week_limit_days,
            week_is_stale=fresh.week_is_stale,
            stale_today=fresh.stale_series,
            missing_at_week=fresh.stale_series_at_week,
        )

    def banner(self, before: str = "today") -> str | None:
        """'data ends 2026-08-21, 105 days before today (2026-12-04)' when the week is stale,
        else None; `before` names the day ("this page")."""
        if not self.week_is_stale:
            return None
        return (
            f"data ends {self.data_ends}, {self.week_age_days} days before {before} ({self.today})"
        )


@dataclass(frozen=True)
class SeriesStatus:
    last_observation: str
    source: str


@dataclass(frozen=True)
class Event:
    """The probability of an event within `weeks`, the features that moved it most, and its
    out-of-sample record (see `Outlook`)."""

    weeks: int
    probability: float
    drivers: tuple[Driver, ...]
    record: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outlook:
    """What this week's data say about the weeks ahead (see README, "The outlook").

    `regime`: for each horizon ("13w"), the probability of each regime in that week.
    `small_caps_lead`: small caps beat large caps on total return over the next weeks.
    `bear_market_starts`: a small-cap bear market's peak is set within the next weeks.
    `regime_records` (by horizon, as `regime`) and each event's `record`: the forecast's
    out-of-sample record from the model's own walk-forward, stored in its card at training
    (model/outlook_record.py): `span`, `weeks`, `brier`, `brier_skill_vs_persistence` and
    `brier_skill_vs_climatology` (each an interval: `estimate`, `low`, `high`, ...), `auroc`
    (events; None for the regime) and `skill_shown` (both lower bounds above 0). Empty for a
    model whose card has none.
    """

    regime: dict[str, dict[str, float]]
    small_caps_lead: Event | None
    bear_market_starts: Event | None
    regime_records: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class RegimePrediction:
    """The answer for one week; `to_dict()` is the JSON that `regime predict` prints."""

    as_of: str
    regime: str
    confidence: float
    probabilities: dict[str, float]
    drivers: tuple[Driver, ...]
    data_through: dict[str, SeriesStatus]
    # Series whose last observation is older than its cadence allows, today; and as of the
    # week predicted (those were treated as missing by the features).
    stale: tuple[str, ...]
    stale_at_week: tuple[str, ...]
    # Days from the week predicted to today.
    week_age_days: int
    model: dict[str, str]
    outlook: Outlook | None = None
    # The recession nowcast and the macro families' readings (None: a model without them).
    macro: MacroBackdrop | None = None
    # The week's age and both lists of stale series, labelled (None: made without a clock).
    staleness: Staleness | None = None
    # How the call was made from the probabilities, and why when it is not the most probable.
    decision: CallRule | None = None
    # Last week beside this week (None: no earlier week this model answers).
    since_last_week: WeekChange | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (lists, not tuples): what `json.loads` gives back. The first
        key is `schema_version` (SCHEMA_VERSION)."""
        fields = _lists(asdict(self))
        assert isinstance(fields, dict)
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, **fields}
        out["macro"] = None if self.macro is None else self.macro.to_dict()
        out["since_last_week"] = (
            None if self.since_last_week is None else self.since_last_week.to_dict()
        )
        return out


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


@dataclass(frozen=True)
class OutlookModel:
    """One outlook target's fitted model and the feature columns it reads."""

    target: Target
    columns: list[str]
    model: Any


@dataclass(frozen=True)
class PeriodModel:
    """A model and the weeks it answers for: those after `start` (exclusive).

    `in_risk_off` is whether the week `start` itself was called risk_off: the state a
    hysteresis rule starts from. `trained_through` is its last final training label.
    """

    start: pd.Timestamp
    trained_through: pd.Timestamp
    in_risk_off: bool
    classifier: SplitGateClassifier
    name: str
    outlook: dict[str, OutlookModel]


class RegimeModel:
    """A trained regime classifier with the settings it was trained under.

    Use `load_model()` to get one.
    - `predict(features)`: the model's own call for each week (rows: consecutive weeks in time
      order), by its decision rule: the call `regime predict` makes.
    - `predict_proba(features)`: the four regime probabilities. The call is *not* their argmax:
      with the balanced rule a 35% risk_off probability can be the call (see README).
    - `predict_current(as_of=None)`: the answer for the latest week, or the week of `as_of`.
    - `estimator`: the final model's fitted scikit-learn estimator, for other tools.
    """

    def __init__(
        self,
        final: PeriodModel,
        walk_forward: list[dict[str, Any]],
        card: dict[str, Any],
        settings: Settings,
        config_differences: tuple[str, ...] = (),
        recession: StoredNowcasts | None = None,
    ) -> None:
        self.final = final
        # The walk-forward's models as stored: read only when a past week asks for one.
        self._walk_forward = walk_forward
        self.card = card
        self.settings = settings
        # Learning settings of the config that differ from the model's own (card_settings.py).
        self.config_differences = config_differences
        self.recession = recession

    @property
    def feature_names(self) -> list[str]:
        return list(self.card["feature_names"])

    @property
    def classes_(self) -> list[str]:
        return list(REGIMES)

    @property
    def version(self) -> str:
        return str(self.card["version"])

    @property
    def outlook_records(self) -> dict[str, dict[str, Any]]:
        """Each outlook target's out-of-sample record from the card (see `Outlook`)."""
        return {
            name: dict(item["record"])
            for name, item in (self.card.get("outlook") or {}).items()
            if isinstance(item, dict) and isinstance(item.get("record"), dict)
        }

    @property
    def estimator(self) -> SplitGateClassifier:
        """The final model's fitted scikit-learn estimator, for other tools.

        It reads a DataFrame with the columns `feature_names` (`build_features` gives them)
        and works with `sklearn.base.clone`, a `Pipeline` and `cross_val_score`. Its settings
        (families, regularisation, calibration, decision rule) were chosen by the walk-forward
        on the whole span, so a cross-validated score of it is not an out-of-sample record:
        the walk-forward's own (`card["walk_forward"]`, `regime evaluate`) is.
        """
        return self.final.classifier

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        """Class probabilities (columns: the four regimes) indexed like `features`."""
        return _proba(self.final.classifier, self._X(features))

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """The called regime of each row (consecutive weeks, oldest first), as `regime predict`
        calls it: the model's decision rule, not the most probable regime."""
        calls = _calls(self.final, self._X(features), in_risk_off=False)
        return pd.Series(calls, index=features.index, name="regime")

    def _X(self, features: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.feature_names if c not in features.columns]
        if missing:
            raise ModelArtifactError(
                f"feature table lacks {', '.join(missing[:5])}; build it with regime.build_features"
            )
        return features[self.feature_names]

    def model_for(self, week: pd.Timestamp) -> PeriodModel:
        """The model that answers for `week`: the final one after its last training label, the
        walk-forward's model of that week before. UsageError before the walk-forward."""
        if week > self.final.start:
            return self.final
        for stored in reversed(self._walk_forward):
            if week > pd.Timestamp(stored["start"]):
                return _readable(stored, f"walk-forward refit {stored['start']}")
        starts = [pd.Timestamp(p["start"]) for p in self._walk_forward]
        first = starts[0] + pd.Timedelta(days=7) if starts else week
        raise UsageError(
            f"no point-in-time model for the week of {week.date()}: the walk-forward starts on "
            f"{first.date()}; pick a later --as-of"
        )

    def predict_current(
        self,
        as_of: date | None = None,
        data: MarketData | None = None,
        today: date | None = None,
        since_last_week: bool = True,
        *,
        strict: bool = False,
    ) -> RegimePrediction:
        """The regime of the latest complete week on or before `as_of` (default: the latest
        week both indices have closes for).

        That week ends on the Friday on or before `as_of` (a week is complete only with its
        Friday's close), and only observations published by that Friday are used: never one
        published after `as_of`. For a week on or before the model's last training label, only
        the walk-forward model fitted before it answers. Staleness is judged on `today`
        (default: `regime.clock.today()`) and on the week itself. With `since_last_week`, the
        answer carries the week before's beside it (model/week_change.py).

        Without `data`, the inputs are loaded and checked (regime/sources/validate.py) on
        `today`, rows after `as_of` not judged; `strict` makes an implausible value an error.
        Raises UsageError for a date before the earliest week the model answers,
        StaleDataError when the data has no closes of both indices for the week,
        InvalidDataError for an impossible row (or an implausible one under `strict`).
        """
        today = today or clock_today()
        if data is None:
            data = load_market_data(
                self.settings, self._inputs(), through=as_of, today=today, strict=strict
            )
        week = self._week(data, as_of)
        period = self.model_for(week)
        features = build_features(data, self.settings, as_of=week.date())
        span = self._X(features.loc[features.index > period.start])
        calls = _calls(period, span, period.in_risk_off)
        row = span.iloc[[-1]]
        proba = _proba(period.classifier, row).iloc[0]
        regime = str(calls[-1])
        before = bool(calls[-2] == RISK_OFF) if len(calls) > 1 else period.in_risk_off
        probabilities = {r: float(proba[r]) for r in REGIMES}
        used = self._used_observations(data, week)
        outlook = _outlook(period, features.loc[[week]], self.settings, self.outlook_records)
        fresh = self._freshness(week, used, today)
        macro = self._macro(data, week)
        answer = RegimePrediction(
            as_of=week.date().isoformat(),
            regime=regime,
            confidence=float(proba[regime]),
            probabilities=probabilities,
            drivers=_drivers(period.classifier, row, regime),
            data_through=self._data_through(data, used),
            stale=fresh.stale_series,
            stale_at_week=fresh.stale_series_at_week,
            week_age_days=fresh.week_age_days,
            model={
                "version": self.version,
                "trained_through": period.trained_through.date().isoformat(),
                "fitted": period.name,
            },
            outlook=outlook,
            macro=macro,
            staleness=Staleness.of(fresh),
            decision=call_rule(period.classifier, row, regime, probabilities, before),
        )
        previous = week - pd.Timedelta(days=7)
        if not since_last_week or previous not in features.index:
            return answer
        try:
            last = self.predict_current(previous.date(), data, today, since_last_week=False)
        except UsageError:  # the week before the walk-forward's first: nothing to compare
            return answer
        rows = self._X(features.loc[[previous, week]])
        change = week_change(last, answer, period.classifier, rows)
        return replace(answer, since_last_week=change)

    def _macro(self, data: MarketData, week: pd.Timestamp) -> MacroBackdrop | None:
        """The week's recession nowcast, from the macro inputs as known that week."""
        if self.recession is None:
            return None
        r = self.settings.recession
        inputs = macro_features(data, self.settings, fridays(r.train_start, week))
        card = self.card.get("recession") or {}
        nowcast = recession_nowcast(
            self.recession, inputs, week, r.call_threshold, card.get("record")
        )
        table = backdrop_inputs(data, self.settings, week.date(), macro=inputs)
        return MacroBackdrop(nowcast, macro_backdrop(table, week, self.settings).readings)

    def _week(self, data: MarketData, as_of: date | None) -> pd.Timestamp:
        """The week answered (see regime/model/week.py)."""
        first = data[self.settings.indices.small_cap].index[0]
        return answered_week(data, self.settings, as_of, self.earliest_week(first))

    def earliest_week(self, first_close: pd.Timestamp) -> pd.Timestamp:
        """The first Friday with a year of prices before it and a model that may answer it."""
        year_on = first_close + pd.Timedelta(days=365)
        with_history = year_on + pd.Timedelta(days=(4 - year_on.weekday()) % 7)
        starts = [pd.Timestamp(p["start"]) for p in self._walk_forward] or [self.final.start]
        return max(with_history, starts[0] + pd.Timedelta(days=7))

    def _inputs(self) -> tuple[str, ...]:
        """The series a prediction reads (pooled indices only train)."""
        indices = (self.settings.indices.small_cap, self.settings.indices.large_cap)
        return (*self.settings.input_series, *indices)

    def _used_observations(self, data: MarketData, week: pd.Timestamp) -> dict[str, pd.Timestamp]:
        used = {}
        for key in self._inputs():
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

    def freshness(self, prediction: RegimePrediction, today: date) -> Freshness:
        """How old `prediction`'s week and inputs are on `today` (see regime.freshness)."""
        used = {
            key: pd.Timestamp(status.last_observation)
            for key, status in prediction.data_through.items()
        }
        return self._freshness(pd.Timestamp(prediction.as_of), used, today)

    def _freshness(
        self, week: pd.Timestamp, used: dict[str, pd.Timestamp], today: date
    ) -> Freshness:
        return freshness(
            week.date(),
            {key: last.date() for key, last in used.items()},
            {key: cadence(self.settings, key) for key in self._inputs()},
            self.settings.max_staleness_days,
            today,
        )


def _proba(classifier: SplitGateClassifier, X: pd.DataFrame) -> pd.DataFrame:
    proba = pd.DataFrame(classifier.predict_proba(X), index=X.index)
    proba.columns = [str(c) for c in classifier.classes_]
    return proba.reindex(columns=list(REGIMES), fill_value=0.0)


def _calls(period: PeriodModel, X: pd.DataFrame, in_risk_off: bool) -> np.ndarray:
    """The model's calls for consecutive weeks, its hysteresis starting from `in_risk_off`."""
    classifier = period.classifier
    return decide(
        np.asarray(classifier.predict_proba(X)),
        [str(c) for c in classifier.classes_],
        classifier.class_prior_,
        classifier.decision,
        RISK_OFF,
        classifier.hysteresis,
        in_risk_off,
    )


def _drivers(classifier: SplitGateClassifier, row: pd.DataFrame, regime: str) -> tuple[Driver, ...]:
    """The features of the answering gate that moved P(regime) most (see `Driver`)."""
    in_bear = bool(row[classifier.side_feature].iloc[0] > 0.5)
    gate = classifier.exit_gate_ if in_bear else classifier.entry_gate_
    columns = classifier.exit_columns_ if in_bear else classifier.entry_columns_
    medians = getattr(gate, "median_", None)
    if medians is None:
        return ()
    base = float(_proba(classifier, row)[regime].iloc[0])
    trials = pd.DataFrame(np.repeat(row.to_numpy(), len(columns), axis=0), columns=row.columns)
    for k, column in enumerate(columns):
        trials.iat[k, column] = medians[k]
    effects = base - _proba(classifier, trials)[regime].to_numpy()
    order = np.argsort(-np.abs(effects), kind="stable")[:N_DRIVERS]
    return tuple(
        Driver.of(str(row.columns[columns[k]]), row.iat[0, columns[k]], effects[k])
        for k in order
        if abs(effects[k]) > 1e-9
    )


def _outlook(
    period: PeriodModel,
    row: pd.DataFrame,
    settings: Settings,
    records: dict[str, dict[str, Any]],
) -> Outlook | None:
    """The answering period's outlook models applied to the week's features, each beside its
    record (`records`, by target name)."""
    if not period.outlook:
        return None
    floor = settings.model.min_probability
    regime: dict[str, dict[str, float]] = {}
    regime_records: dict[str, dict[str, Any]] = {}
    events: dict[str, Event] = {}
    for outlook_model in sorted(period.outlook.values(), key=lambda m: m.target.weeks):
        target = outlook_model.target
        X = row[outlook_model.columns]
        proba = outlook_proba(outlook_model.model, X, target, floor).iloc[0]
        record = records.get(target.name, {})
        if target.kind == "regime":
            regime[f"{target.weeks}w"] = {str(k): float(v) for k, v in proba.items()}
            regime_records[f"{target.weeks}w"] = record
        else:
            drivers = _event_drivers(outlook_model, X, floor)
            events[target.kind] = Event(target.weeks, float(proba[1]), drivers, record)
    return Outlook(regime, events.get("leadership"), events.get("bear_start"), regime_records)


def _event_drivers(
    outlook_model: OutlookModel, X: pd.DataFrame, floor: float
) -> tuple[Driver, ...]:
    """Features whose move to their training median would change P(event) most."""
    medians = getattr(outlook_model.model, "median_", None)
    if medians is None:
        return ()
    target = outlook_model.target
    base = float(outlook_proba(outlook_model.model, X, target, floor)[1].iloc[0])
    trials = pd.DataFrame(np.repeat(X.to_numpy(), X.shape[1], axis=0), columns=X.columns)
    for k in range(X.shape[1]):
        trials.iat[k, k] = medians[k]
    effects = base - outlook_proba(outlook_model.model, trials, target, floor)[1].to_numpy()
    order = np.argsort(-np.abs(effects), kind="stable")[:N_DRIVERS]
    return tuple(
        Driver.of(str(X.columns[k]), X.iat[0, k], effects[k])
        for k in order
        if abs(effects[k]) > 1e-9
    )


def load_model(path: str | Path | None = None, settings: Settings | None = None) -> RegimeModel:
    """The active model (`models/LATEST`), or the version folder at `path`.

    The model keeps the feature, label and model settings it was trained with (from its card);
    data and cache paths come from `settings` (default: the project's config.yaml). Learning
    settings of `settings` that differ from the card's are listed in `config_differences`.
    """
    current = settings if settings is not None else load_settings()
    if path is None:
        version_dir = current.models_dir / latest_version(current.models_dir)
    else:
        version_dir = Path(path)
    payload, card = load_artifact(version_dir)
    trained = settings_of_card(card, current)
    final = _readable(payload.get("final"), "final model")
    walk = payload.get("walk_forward")
    if not isinstance(walk, list) or not all(isinstance(p, dict) and "start" in p for p in walk):
        raise ModelArtifactError(_unreadable(version_dir, "no walk-forward models"))
    return RegimeModel(
        final,
        walk,
        card,
        trained,
        differences(trained, current),
        _nowcasts(payload.get("recession")),
    )


def _nowcasts(data: Any) -> StoredNowcasts | None:
    """The stored recession nowcasts, None when the model has none."""
    if data is None:
        return None
    try:
        return StoredNowcasts.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        why = f"{type(exc).__name__}: {exc}"
        raise ModelArtifactError(_unreadable("recession nowcast", why)) from None


def _readable(data: Any, name: str) -> PeriodModel:
    """The stored period model, or ModelArtifactError if it cannot be read."""
    try:
        return _period(data, name)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelArtifactError(_unreadable(name, f"{type(exc).__name__}: {exc}")) from None


def _unreadable(where: object, why: str) -> str:
    return f"{where} holds a model this regime cannot read ({why}); retrain with `regime train`"


def _period(data: dict[str, Any], name: str) -> PeriodModel:
    return PeriodModel(
        start=pd.Timestamp(data["start"]),
        trained_through=pd.Timestamp(data["trained_through"]),
        in_risk_off=bool(data["in_risk_off"]),
        classifier=classifier_from_dict(data["model"]),
        name=name,
        outlook={
            key: OutlookModel(
                Target(item["kind"], int(item["weeks"])),
                [str(c) for c in item["columns"]],
                gate_from_dict(item["model"]),
            )
            for key, item in data.get("outlook", {}).items()
        },
    )
