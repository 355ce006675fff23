"""The last weeks through the latest one: each week's call, who made it, and the truth so far.

Judged weeks carry the walk-forward's out-of-sample call (from the evaluation). Weeks after the
judged span have no such call in the evaluation; they get the current model's own calls
(`RegimeModel.predict`), marked as such, with `in_sample` set where that model learned the
week's label (a week it was trained on).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from regime.constants import RISK_OFF
from regime.evaluation.report.inputs import EvaluationRecord
from regime.evaluation.report.now import Now
from regime.model.classifier import SplitGateClassifier
from regime.model.decision import rest_labels

WEEKS = 104
# Weeks before the window the current model also calls, so its hysteresis (a rule with memory)
# enters the window in the state its own earlier calls left it.
WARM_UP_WEEKS = 52
JUDGED = "walk-forward (judged)"
COLUMNS = [
    "small_cap",
    "large_cap",
    "label",
    "provisional",
    "called",
    "p_risk_off",
    "threshold",
    "source",
    "in_sample",
]


def recent_weeks(record: EvaluationRecord, now: Now, weeks: int = WEEKS) -> pd.DataFrame:
    """One row per week of the last `weeks` weeks of data, oldest first (see COLUMNS).

    `source` is `walk-forward (judged)` or `model <version>`; `label` is the hindsight label as
    known today, `provisional` where later prices can still change it.
    """
    dataset = now.dataset
    index = dataset.closes.index[-weeks:]
    frame = dataset.closes.loc[index, ["small_cap", "large_cap"]].copy()
    labels = dataset.labels.reindex(index)
    frame["label"] = labels["label"]
    frame["provisional"] = labels["provisional"].fillna(True).astype(bool)
    judged = index.intersection(record.ours.index)
    later = index.difference(judged)
    ours = record.ours
    frame["called"] = ours["predicted"].reindex(index)
    frame["p_risk_off"] = ours[f"p_{RISK_OFF}"].reindex(index)
    frame["threshold"] = ours["threshold"].reindex(index)
    frame["source"] = JUDGED
    frame["in_sample"] = False
    if len(later):
        calls = model_calls(now, later)
        for column in ("called", "p_risk_off", "threshold"):
            frame.loc[later, column] = calls[column]
        frame.loc[later, "source"] = f"model {now.model.version}"
        frame.loc[later, "in_sample"] = later <= now.model.final.trained_through
    return frame[COLUMNS]


def model_calls(now: Now, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """The current model's `called`, `p_risk_off` and `threshold` for `weeks` (consecutive)."""
    features = now.features
    first = features.index.get_loc(weeks[0])
    span = features.iloc[max(0, first - WARM_UP_WEEKS) : features.index.get_loc(weeks[-1]) + 1]
    called = now.model.predict(span)
    proba = now.model.predict_proba(span)
    threshold = rule_thresholds(now.model.final.classifier, span, called.to_numpy())
    out = pd.DataFrame(
        {"called": called, "p_risk_off": proba[RISK_OFF], "threshold": threshold},
        index=span.index,
    )
    return out.loc[weeks]


def rule_thresholds(
    classifier: SplitGateClassifier, features: pd.DataFrame, calls: NDArray[np.str_]
) -> NDArray[np.float64]:
    """For each week, the P(risk_off) above which the model's decision rule calls risk_off.

    The same rule as the walk-forward's thresholds (`selection.risk_off_thresholds`), read from
    a fitted classifier: argmax 1/2; balanced f / (f + f_k), with f and f_k the training
    frequencies of risk_off and of the week's other possible label k; with hysteresis the odds
    must beat h to start a risk_off call and 1/h to keep one.
    """
    if classifier.decision == "argmax":
        return np.full(len(features), 0.5)
    prior = {
        str(c): float(p) for c, p in zip(classifier.classes_, classifier.class_prior_, strict=True)
    }
    f = prior[RISK_OFF]
    f_rest = np.array([prior.get(str(k), 1.0) for k in rest_labels(features)])
    factor = np.ones(len(features))
    if classifier.decision == "balanced_hysteresis":
        h = float(classifier.hysteresis)
        before = np.concatenate([[False], np.asarray(calls[:-1]) == RISK_OFF])
        factor = np.where(before, 1.0 / h, h)
    return np.asarray(factor * f / (f_rest + factor * f), dtype=float)


def sources(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Runs of consecutive weeks with one source: `source`, `first`, `last`, `weeks`,
    `in_sample`, and whether any truth in the run is `provisional`."""
    key = frame["source"] + frame["in_sample"].astype(str)
    starts = np.flatnonzero(np.r_[True, key.to_numpy()[1:] != key.to_numpy()[:-1]])
    ends = np.r_[starts[1:], len(frame)]
    runs = []
    for s, e in zip(starts, ends, strict=True):
        part = frame.iloc[s:e]
        runs.append(
            {
                "source": str(part["source"].iloc[0]),
                "first": part.index[0].date().isoformat(),
                "last": part.index[-1].date().isoformat(),
                "weeks": len(part),
                "in_sample": bool(part["in_sample"].iloc[0]),
                "provisional": int(part["provisional"].sum()),
            }
        )
    return runs
