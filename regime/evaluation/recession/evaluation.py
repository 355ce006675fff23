"""The recession nowcast judged against NBER months and against what a user could read instead.

Every model is judged on the same weeks (macro/record.py: from `recession.first_test`, months
the NBER had dated by the data's last week), each week with the probability its walk-forward
gave that week:

- `nowcast`: the shipped nowcast (macro/nowcast.py); `realtime_inputs`: the same walk-forward
  without the revised inputs (claims, payrolls, the NFCI), so a user sees what revisions are
  worth;
- `climatology`: the share of recession weeks dated by each refit;
- `sahm_rule`: the real-time Sahm rule's trigger, 1 when SAHMREALTIME is 0.5 or more (a 0/1
  forecast), and `sahm_value`: the value itself as a score (ranked, so AUROC only);
- `sahm_logistic`: a walk-forward logistic on the Sahm value alone;
- `term_spread_probit`: the NY Fed's probit on the 10y-3m spread a year earlier, refitted at
  each refit on the weeks dated then.

Scores: AUROC, Brier score and Brier skill (with circular block bootstrap intervals), log loss,
reliability; per recession, the weeks from its start to the first call and from its trough to
the all-clear; false-alarm weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from regime.bootstrap import auroc_rows, skill_rows
from regime.config import Settings
from regime.evaluation.outlook.scores import interval, reliability, scores
from regime.evaluation.peers import TermSpreadProbit
from regime.learning.choice import UNKNOWN
from regime.macro.nber import Recession
from regime.macro.nowcast import (
    NowcastCandidate,
    NowcastInputs,
    NowcastRun,
    raw_series,
    run_nowcast,
)
from regime.macro.record import climatology, judged_weeks
from regime.model.horizons import EVENT_CLASSES, Target

RECESSION = Target("recession", 0)
NOWCAST = "nowcast"
PROBABILISTIC = (
    NOWCAST,
    "realtime_inputs",
    "climatology",
    "sahm_logistic",
    "term_spread_probit",
    "sahm_rule",
)
SAHM_TRIGGER = 0.5
# A call this many weeks before a recession's first month counts as early, not as a false alarm.
EARLY_WEEKS = 26
NOTES = {
    NOWCAST: "walk-forward logistic, input families chosen at every refit (nested)",
    "realtime_inputs": "the same, without revised inputs: Sahm value, curve and credit only",
    "climatology": "the share of recession weeks dated by each refit",
    "sahm_logistic": "walk-forward logistic on the real-time Sahm value alone",
    "term_spread_probit": "NY Fed probit on the 10y-3m spread a year earlier, refitted",
    "sahm_rule": "the real-time Sahm rule's 0.5 trigger, as a 0/1 forecast",
    "sahm_value": "the real-time Sahm value as a score (AUROC only)",
}


@dataclass(frozen=True)
class RecessionEvaluation:
    """Every model's weekly P(recession) on the judged weeks, and what `evaluate` reports."""

    truth: pd.Series
    probabilities: pd.DataFrame
    summary: dict[str, Any]


def evaluate_recession(
    inputs: NowcastInputs, run: NowcastRun, settings: Settings
) -> RecessionEvaluation:
    """Score the nowcast and its peers (see the module docstring)."""
    weeks = judged_weeks(inputs, settings)
    truth = inputs.truth.weekly(weeks).astype(int)
    realtime = run_nowcast(inputs, settings, settings.recession.revised_inputs, reuse=run)
    sahm = inputs.features["sahm_realtime"].loc[weeks]
    forecasts = {
        NOWCAST: run.probability,
        "realtime_inputs": realtime.probability,
        "climatology": climatology(run, settings),
        "sahm_logistic": _sahm_logistic(inputs, run, settings),
        "term_spread_probit": _probit(inputs, run, settings),
        "sahm_rule": (inputs.features["sahm_realtime"] >= SAHM_TRIGGER).astype(float),
    }
    frame = pd.DataFrame({k: v.reindex(weeks) for k, v in forecasts.items()})
    frame["sahm_value"] = sahm
    summary = {
        "span": [weeks[0].date().isoformat(), weeks[-1].date().isoformat()],
        "weeks": len(weeks),
        "recession_weeks": int(truth.sum()),
        "models": {name: _model_scores(truth, frame, name, settings) for name in PROBABILISTIC},
        "sahm_value": {
            "auroc": _auroc(truth, sahm.fillna(sahm.min())),
            "note": NOTES["sahm_value"],
            # The nowcast's AUROC minus the Sahm value's, resampled together.
            "nowcast_auroc_minus_this": _auroc_gap(truth, frame[NOWCAST], sahm, settings),
        },
        "skill_of_nowcast": _skill_against_each(truth, frame, settings),
        "periods": _periods(truth, frame, settings),
        "recessions": recession_timing(truth, frame, inputs.truth.recessions, settings),
        "false_alarms": false_alarms(truth, frame, inputs.truth.recessions, settings),
        "expansion_weeks_called": expansion_weeks_called(truth, frame, settings),
        "reliability": reliability(
            truth, _proba(frame[NOWCAST]), RECESSION, settings.evaluation.ece_bins
        ),
        "choices": _choice_counts(run),
        "realtime_choices": _choice_counts(realtime),
    }
    return RecessionEvaluation(truth, frame, summary)


def _proba(p: pd.Series) -> pd.DataFrame:
    values = p.to_numpy(dtype=float)
    return pd.DataFrame({0: 1 - values, 1: values}, index=p.index, columns=list(EVENT_CLASSES))


def _auroc(truth: pd.Series, score: pd.Series) -> float:
    whole = np.arange(len(truth))[None, :]
    return float(auroc_rows(truth.to_numpy(float), score.to_numpy(float))(whole)[0])


def _auroc_gap(
    truth: pd.Series, ours: pd.Series, theirs: pd.Series, settings: Settings
) -> dict[str, Any]:
    event = truth.to_numpy(float)
    a = auroc_rows(event, ours.to_numpy(float))
    b = auroc_rows(event, theirs.fillna(theirs.min()).to_numpy(float))
    gap = interval(lambda rows: a(rows) - b(rows), len(event), RECESSION, settings)
    return gap.to_dict()


def _model_scores(
    truth: pd.Series, frame: pd.DataFrame, name: str, settings: Settings
) -> dict[str, Any]:
    p = frame[name]
    out = scores(truth, _proba(p), RECESSION, settings.evaluation.ece_bins)
    event, score = truth.to_numpy(float), p.to_numpy(float)
    out["auroc_interval"] = interval(
        auroc_rows(event, score), len(p), RECESSION, settings
    ).to_dict()
    brier, base = (score - event) ** 2, (frame["climatology"].to_numpy(float) - event) ** 2
    skill = interval(skill_rows(brier, base), len(p), RECESSION, settings)
    out["brier_skill_vs_climatology"] = skill.to_dict()
    out["note"] = NOTES[name]
    return out


def _skill_against_each(
    truth: pd.Series, frame: pd.DataFrame, settings: Settings
) -> dict[str, Any]:
    """The nowcast's Brier skill against every other forecast, with its interval."""
    event = truth.to_numpy(float)
    ours = (frame[NOWCAST].to_numpy(float) - event) ** 2
    out = {}
    for name in PROBABILISTIC[1:]:
        theirs = (frame[name].to_numpy(float) - event) ** 2
        out[name] = interval(skill_rows(ours, theirs), len(event), RECESSION, settings).to_dict()
    return out


def _periods(truth: pd.Series, frame: pd.DataFrame, settings: Settings) -> list[dict[str, Any]]:
    """AUROC and Brier skill against climatology of each model in each sub-period."""
    out = []
    for first, last in settings.evaluation.periods:
        part = truth.loc[pd.Timestamp(first or "1900") : pd.Timestamp(last or "2200")]
        if part.nunique() < 2:
            continue
        rows = frame.loc[part.index]
        event = part.to_numpy(float)
        base = ((rows["climatology"].to_numpy(float) - event) ** 2).mean()
        out.append(
            {
                "period": [part.index[0].date().isoformat(), part.index[-1].date().isoformat()],
                "weeks": len(part),
                "recession_weeks": int(part.sum()),
                "models": {
                    name: {
                        "auroc": _auroc(part, rows[name]),
                        "brier_skill_vs_climatology": float(
                            1 - ((rows[name].to_numpy(float) - event) ** 2).mean() / base
                        ),
                    }
                    for name in PROBABILISTIC
                },
            }
        )
    return out


def recession_timing(
    truth: pd.Series, frame: pd.DataFrame, recessions: tuple[Recession, ...], settings: Settings
) -> list[dict[str, Any]]:
    """Per recession in the judged weeks: each model's weeks from the recession's first week to
    its first call (negative: called up to `EARLY_WEEKS` before), and from the week after the
    trough month to the first week below the threshold (None: never called / never cleared)."""
    threshold = settings.recession.call_threshold
    out = []
    for r in recessions:
        start = r.peak + pd.DateOffset(months=1)
        end = r.trough + pd.offsets.MonthEnd(0)
        if start < truth.index[0] or end > truth.index[-1]:
            continue
        row: dict[str, Any] = {"recession": r.name, "weeks": int(truth.loc[start:end].sum())}
        for name in PROBABILISTIC:
            called = frame[name] >= threshold
            row[name] = {
                "weeks_to_call": _weeks_to_call(called, start, end),
                "weeks_to_all_clear": _weeks_to_all_clear(called, start, end),
            }
        out.append(row)
    return out


def false_alarms(
    truth: pd.Series, frame: pd.DataFrame, recessions: tuple[Recession, ...], settings: Settings
) -> dict[str, int]:
    """Per model, the expansion weeks called a recession, leaving out the `EARLY_WEEKS` before
    each recession's start and the weeks after its trough until the call is cleared."""
    threshold = settings.recession.call_threshold
    early = pd.Series(False, index=truth.index)
    for r in recessions:
        start = r.peak + pd.DateOffset(months=1)
        early.loc[start - pd.Timedelta(weeks=EARLY_WEEKS) : start] = True
    out = {}
    for name in PROBABILISTIC:
        called = (frame[name] >= threshold).to_numpy()
        lingering = _lingering(truth.to_numpy(), called)
        wrong = called & (truth.to_numpy() == 0) & ~early.to_numpy() & ~lingering
        out[name] = int(wrong.sum())
    return out


def expansion_weeks_called(
    truth: pd.Series, frame: pd.DataFrame, settings: Settings
) -> dict[str, int]:
    """Per model, every expansion week called a recession: the pre-registered N7 count
    (docs/macro/preregistration.md), with no allowance for early calls or a late all-clear.
    `false_alarms` leaves those out; both are reported, so neither definition hides the other."""
    threshold = settings.recession.call_threshold
    expansion = truth.to_numpy() == 0
    return {
        name: int(((frame[name] >= threshold).to_numpy() & expansion).sum())
        for name in PROBABILISTIC
    }


def _lingering(truth: np.ndarray, called: np.ndarray) -> np.ndarray:
    """Expansion weeks right after a recession whose call has not yet cleared (the all-clear
    lag, reported on its own)."""
    out = np.zeros(len(truth), dtype=bool)
    for i in range(1, len(truth)):
        out[i] = truth[i] == 0 and called[i] and (truth[i - 1] == 1 or out[i - 1])
    return out


def _weeks_to_call(called: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> int | None:
    window = called.loc[start - pd.Timedelta(weeks=EARLY_WEEKS) : end]
    return _weeks(start, window.index[window.to_numpy()][0]) if window.any() else None


def _weeks_to_all_clear(called: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> int | None:
    """From the trough month's end to the first week no longer called: after it when the call
    was still on at the trough, before it (negative) when the call had already ended."""
    window = called.loc[start - pd.Timedelta(weeks=EARLY_WEEKS) : end]
    if not window.any():
        return None
    if window.iloc[-1]:
        after = called.loc[end + pd.Timedelta(days=1) :]
        return _weeks(end, after.index[~after.to_numpy()][0]) if (~after).any() else None
    last_call = window.index[window.to_numpy()][-1]
    return _weeks(end, last_call + pd.Timedelta(weeks=1))


def _weeks(start: pd.Timestamp, day: pd.Timestamp) -> int:
    return int(round((day - start).days / 7))


def _sahm_logistic(inputs: NowcastInputs, run: NowcastRun, settings: Settings) -> pd.Series:
    families = {"sahm": ("sahm_realtime",)}
    candidate = NowcastCandidate(("sahm",), settings.recession.regularisation[0])
    targets = {d: inputs.targets(d) for d in [r.date for r in run.schedule]}
    return raw_series(inputs, families, candidate, settings, run.schedule, targets)


def _probit(inputs: NowcastInputs, run: NowcastRun, settings: Settings) -> pd.Series:
    lag = settings.evaluation.probit_lag_weeks
    spread = inputs.features["term_spread"].shift(lag)
    out = pd.Series(np.nan, index=inputs.features.index)
    for refit in run.schedule:
        target = pd.Series(inputs.targets(refit.date), index=inputs.features.index)
        known = target[target != UNKNOWN]
        model = TermSpreadProbit(event=1).fit(spread, known)
        out.loc[refit.block] = model.risk_off_probability(spread.loc[refit.block]).to_numpy()
    return out


def _choice_counts(run: NowcastRun) -> dict[str, int]:
    counts: dict[str, int] = {}
    for choice in run.choices:
        counts[choice.candidate.key] = counts.get(choice.candidate.key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
