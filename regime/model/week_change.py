"""What changed since last week: the previous week's call, probabilities and macro states beside
this week's, and the features that moved P(risk_off) most.

The previous week is the answer `predict --as-of` gives for it (its own model and data as
published then). What moved is measured with this week's model on the two weeks' rows: each
feature in turn set back to last week's value, every other feature as it is now; the features
whose move changed P(risk_off) most, in points, are the ones shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regime.constants import RISK_OFF
from regime.features.words import change, label
from regime.model.classifier import SplitGateClassifier

if TYPE_CHECKING:
    from regime.model.predict import RegimePrediction

N_MOVED = 3
# A move smaller than this (in probability) is not worth a reader's attention.
MOVED_AT_LEAST = 0.002


@dataclass(frozen=True)
class MovedFeature:
    """A feature whose move since last week changed this week's P(risk_off) by `effect`."""

    feature: str
    label: str
    before: float | None
    after: float | None
    change_text: str
    effect: float

    @property
    def words(self) -> str:
        """'credit spread against its 3-year history: +0.40 sd on the week', or '...: 6% to
        63%' for a feature whose change reads as its two values."""
        if " to " in self.change_text or self.change_text == "n/a":
            return f"{self.label}: {self.change_text}"
        return f"{self.label}: {self.change_text} on the week"


@dataclass(frozen=True)
class WeekChange:
    """Last week beside this week.

    `regime_changed`: the call differs; `recession_call_changed`: the recession nowcast's call
    (P(recession) at or above its threshold) differs; `macro_states_*`: each macro family's
    state (calm, watch, stress, stale) by family.
    """

    previous_week: str
    previous_regime: str
    regime: str
    regime_changed: bool
    probabilities_before: dict[str, float]
    probabilities_now: dict[str, float]
    p_recession_before: float | None
    p_recession_now: float | None
    recession_call_before: bool | None
    recession_call_now: bool | None
    recession_call_changed: bool
    macro_states_before: dict[str, str]
    macro_states_now: dict[str, str]
    moved: tuple[MovedFeature, ...]

    @property
    def changed(self) -> bool:
        """A change of call or of the recession call: what `regime run --on-change` alerts on."""
        return self.regime_changed or self.recession_call_changed

    @property
    def sentence(self) -> str:
        """'last week neutral, now risk_off: P(risk_off) 21% → 44%; moved most: ...'."""
        if self.regime_changed:
            head = f"last week {self.previous_regime}, now {self.regime}"
        else:
            head = f"last week {self.previous_regime}, still {self.regime}"
        before, now = self.probabilities_before[RISK_OFF], self.probabilities_now[RISK_OFF]
        parts = [f"P(risk_off) {before:.0%} → {now:.0%}"]
        if self.recession_call_changed:
            call = {True: "a recession call", False: "no recession call", None: "none"}
            parts.append(
                f"{call[self.recession_call_before]} → {call[self.recession_call_now]} "
                f"(P(recession) {_pct(self.p_recession_before)} → {_pct(self.p_recession_now)})"
            )
        states = [
            f"{family} {self.macro_states_before[family]} → {state}"
            for family, state in self.macro_states_now.items()
            if self.macro_states_before.get(family, state) != state
        ]
        if states:
            parts.append("macro " + ", ".join(states))
        text = f"{head}: " + ", ".join(parts)
        if self.moved:
            text += "; moved most: " + ", ".join(
                f"{m.words} ({100 * m.effect:+.1f} pt)" for m in self.moved
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["moved"] = [asdict(m) for m in self.moved]
        out["changed"] = self.changed
        out["sentence"] = self.sentence
        return out


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def week_change(
    before: RegimePrediction,
    now: RegimePrediction,
    classifier: SplitGateClassifier,
    rows: pd.DataFrame,
) -> WeekChange:
    """`before` (last week's prediction) beside `now`; `rows`: the two weeks' feature rows
    (last week's first) in the columns `classifier` reads."""
    recession_before = before.macro.recession if before.macro is not None else None
    recession_now = now.macro.recession if now.macro is not None else None
    call_before = None if recession_before is None else recession_before.call
    call_now = None if recession_now is None else recession_now.call
    return WeekChange(
        previous_week=before.as_of,
        previous_regime=before.regime,
        regime=now.regime,
        regime_changed=before.regime != now.regime,
        probabilities_before=dict(before.probabilities),
        probabilities_now=dict(now.probabilities),
        p_recession_before=None if recession_before is None else recession_before.probability,
        p_recession_now=None if recession_now is None else recession_now.probability,
        recession_call_before=call_before,
        recession_call_now=call_now,
        recession_call_changed=call_before is not None
        and call_now is not None
        and call_before != call_now,
        macro_states_before=_states(before),
        macro_states_now=_states(now),
        moved=moved_features(classifier, rows),
    )


def _states(p: RegimePrediction) -> dict[str, str]:
    if p.macro is None:
        return {}
    return {reading.family: reading.state for reading in p.macro.families}


def moved_features(classifier: SplitGateClassifier, rows: pd.DataFrame) -> tuple[MovedFeature, ...]:
    """The features whose move from the first row to the second changed P(risk_off) most."""
    previous, current = rows.iloc[0], rows.iloc[1]
    differ = [
        c
        for c in rows.columns
        if not (pd.isna(previous[c]) and pd.isna(current[c])) and previous[c] != current[c]
    ]
    if not differ:
        return ()
    gate = list(classifier.classes_).index(RISK_OFF)
    base = float(classifier.predict_proba(rows.iloc[[1]])[0, gate])
    trials = pd.DataFrame(np.repeat(rows.iloc[[1]].to_numpy(), len(differ), axis=0))
    trials.columns = rows.columns
    for k, column in enumerate(differ):
        trials.iloc[k, rows.columns.get_loc(column)] = previous[column]
    effects = base - classifier.predict_proba(trials)[:, gate]
    order = np.argsort(-np.abs(effects), kind="stable")[:N_MOVED]
    return tuple(
        MovedFeature(
            feature=differ[k],
            label=label(differ[k]),
            before=_plain(previous[differ[k]]),
            after=_plain(current[differ[k]]),
            change_text=change(differ[k], _plain(previous[differ[k]]), _plain(current[differ[k]])),
            effect=round(float(effects[k]), 6),
        )
        for k in order
        if abs(effects[k]) >= MOVED_AT_LEAST
    )


def _plain(value: Any) -> float | None:
    return None if pd.isna(value) else round(float(value), 6)
