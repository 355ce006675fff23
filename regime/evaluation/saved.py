"""A whole evaluation as one JSON file (`regime evaluate --save PATH`), enough to draw a report.

Format (`"format": "regime-evaluation"`, `"version": 3`), columns as lists on shared week axes:

- `made_with`: what the evaluation describes, so a report can refuse a file from other settings
  or data: `config_hash` (the settings' fingerprint), `model_version` (the version `regime
  train` names a model from these settings and data), `data_through` (the last week of data),
  and what it was computed from, so the docs can tell when the figures they quote are stale:
  `data_fingerprint`, `code_fingerprint` and `code_modules` (evaluation/provenance.py);
- `evaluation`: the evaluation's `to_dict()`, exactly what `--format json` prints;
- `weeks`: the judged Fridays (ISO dates); on this axis `label` (hindsight), `refit` (the refit
  our model's call came from), `threshold` (the P(risk_off) above which our model called
  risk_off that week), `closes` (`small_cap`, `large_cap` weekly closes), and for each
  entry of `models` (ours and every peer) and of `ablation` (each variant): `predicted` and
  `probabilities` ({regime: list}, or null for a model without them);
- `outlook`: per target, its own `weeks` (judged weeks whose outcome is settled), `outcome`,
  `refit`, and `models` (the outlook and each peer): {outcome: list of probabilities} (for the
  regime every regime, for an event only "1": P(event)); the ablation's variants are in the
  evaluation's tables only;
- `backtest`: `weeks` (its own axis), `equity` and `drawdown` ({strategy: list}), `weights`
  (the allocation's weights held each week, {asset: list}) and `signals` (the probabilities
  its weights were decided from, on the decision weeks `signal_weeks`);
- `recession` (null for data without the nowcast's inputs): the nowcast's own `weeks`, from its
  first out-of-sample week (1973) to the last week of data; on that axis `p_recession` (each
  week's out-of-sample P(recession)) and `truth` (the week's NBER month: 1 recession, 0
  expansion, null where the NBER had not dated the month by the last week); `threshold` (the
  call: P at or above it); `judged` (the first and last week the evaluation scores); and
  `recessions`, each NBER recession that ends inside the axis as its `first` and `last` month
  (YYYY-MM: the month after the peak, and the trough);
- `backdrop` (null likewise): each macro family's reading over the last `BACKDROP_WEEKS` weeks
  of data, on its own `weeks` axis: per family (the config's order) its `indicator`,
  `higher_is_worse`, the `watch` and `stress` thresholds, and `value` and `state` week by week,
  as known on each week (macro/backdrop.py `family_history`).

Version 3 added `recession` and `backdrop`; later, `made_with` gained the three fingerprints
(a reader of version 3 needs none of them, so the version stayed). Version 2 added `outlook`
and the backtest's `weights` and `signals`, and renamed the timed strategy `allocation` (it was
`regime_timed`, a different strategy).

Probabilities and levels are rounded to 6 decimals. The file is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from regime.atomic import write_text_atomic
from regime.config import Settings
from regime.evaluation.allocation.simulation import WEIGHT_COLUMNS
from regime.evaluation.calls.compare import ModelRun
from regime.evaluation.evaluate import Evaluation
from regime.evaluation.outlook.evaluation import TargetEvaluation
from regime.evaluation.provenance import fingerprints
from regime.macro.backdrop import family_history

FORMAT = "regime-evaluation"
VERSION = 3
DIGITS = 6
# The report's "each family over the last two years".
BACKDROP_WEEKS = 104


def saved_evaluation(evaluation: Evaluation, settings: Settings) -> dict[str, Any]:
    """The whole evaluation as plain data (see the module docstring)."""
    weeks = evaluation.truth.index
    nested = evaluation.walk_forward.nested.predictions.reindex(weeks)
    refit = nested["refit"]
    closes = evaluation.dataset.closes.reindex(weeks)
    backtest = evaluation.backtest
    return {
        "format": FORMAT,
        "version": VERSION,
        "made_with": made_with(evaluation, settings),
        "evaluation": evaluation.to_dict(),
        "weeks": _dates(weeks),
        "label": evaluation.truth.astype(str).tolist(),
        "refit": _dates(pd.DatetimeIndex(refit)),
        "threshold": _columns(nested[["threshold"]])["threshold"],
        "closes": _columns(closes[["small_cap", "large_cap"]]),
        "models": {name: _run(run, weeks) for name, run in evaluation.runs.items()},
        "ablation": {name: _run(run, weeks) for name, run in evaluation.variants.items()},
        "outlook": {name: _outlook(run) for name, run in evaluation.outlook_runs.items()},
        "backtest": {
            "weeks": _dates(backtest.equity.index),
            "equity": _columns(backtest.equity),
            "drawdown": _columns(backtest.drawdown),
            "weights": _columns(
                backtest.paths["allocation"][list(WEIGHT_COLUMNS)].rename(
                    columns=lambda c: c.removesuffix("_weight")
                )
            ),
            "signal_weeks": _dates(backtest.signals.index),
            "signals": _columns(backtest.signals),
        },
        "recession": _recession(evaluation, settings),
        "backdrop": _backdrop(evaluation, settings),
    }


def made_with(evaluation: Evaluation, settings: Settings) -> dict[str, Any]:
    """The settings, data and model version an evaluation describes (see the module docstring).

    The version is named as `regime train` names it: last final label, then the fingerprint.
    """
    labels = evaluation.dataset.labels
    final_through = labels.index[~labels["provisional"].to_numpy()][-1].date().isoformat()
    fingerprint = settings.fingerprint()
    return {
        "config_hash": fingerprint,
        "model_version": f"{final_through.replace('-', '')}-{fingerprint[:8]}",
        "data_through": evaluation.dataset.closes.index[-1].date().isoformat(),
        **fingerprints(evaluation.dataset),
    }


def write_saved(evaluation: Evaluation, settings: Settings, path: Path) -> Path:
    """Write `saved_evaluation` as JSON to `path`, atomically (OSError if it cannot be)."""
    import json

    text = json.dumps(saved_evaluation(evaluation, settings), separators=(",", ":"))
    return write_text_atomic(path, text + "\n")


def _run(run: ModelRun, weeks: pd.DatetimeIndex) -> dict[str, Any]:
    proba = None if run.proba is None else _columns(run.proba.reindex(weeks))
    return {"predicted": run.predicted.reindex(weeks).astype(str).tolist(), "probabilities": proba}


def _outlook(run: TargetEvaluation) -> dict[str, Any]:
    return {
        "weeks": _dates(run.truth.index),
        "outcome": [str(v) for v in run.truth],
        "refit": _dates(pd.DatetimeIndex(run.refit)),
        "models": {name: _columns(_outcomes(run, proba)) for name, proba in run.proba.items()},
    }


def _outcomes(run: TargetEvaluation, proba: pd.DataFrame) -> pd.DataFrame:
    """Every regime's probability, or an event's alone (the other outcome's is 1 minus it)."""
    return proba if run.target.kind == "regime" else proba[[1]]


def _recession(evaluation: Evaluation, settings: Settings) -> dict[str, Any] | None:
    inputs, run = evaluation.dataset.recession, evaluation.walk_forward.recession
    if inputs is None or run is None or evaluation.recession is None:
        return None
    p = run.probability
    weeks = pd.DatetimeIndex(p.index)
    # A week whose month the NBER had not dated by the last week has no truth yet.
    dated = inputs.truth.known_weeks(weeks, inputs.features.index[-1])
    truth = dated.reindex(weeks)
    return {
        "weeks": _dates(weeks),
        "p_recession": _columns(p.to_frame("p"))["p"],
        "truth": [None if pd.isna(v) else int(v) for v in truth],
        "threshold": settings.recession.call_threshold,
        "judged": list(evaluation.recession.summary["span"]),
        "recessions": [
            {"first": f"{r.peak + pd.DateOffset(months=1):%Y-%m}", "last": f"{r.trough:%Y-%m}"}
            for r in inputs.truth.recessions
            if r.trough >= weeks[0].to_period("M").to_timestamp()
        ],
    }


def _backdrop(evaluation: Evaluation, settings: Settings) -> dict[str, Any] | None:
    inputs = evaluation.dataset.recession
    if inputs is None:
        return None
    # `backdrop_inputs` is the nowcast's macro table plus the secondary figures; a family's
    # history reads its indicator alone, a column of that table, so the table is enough.
    features = inputs.features
    weeks = features.index[-BACKDROP_WEEKS:]
    history = family_history(features, weeks, settings)
    families = {}
    for name, family in settings.backdrop.families.items():
        rows = history[history["family"] == name]
        families[name] = {
            "indicator": family.indicator,
            "higher_is_worse": family.higher_is_worse,
            "watch": family.watch,
            "stress": family.stress,
            "value": _columns(rows[["value"]])["value"],
            "state": rows["state"].astype(str).tolist(),
        }
    return {"weeks": _dates(weeks), "families": families}


def _columns(frame: pd.DataFrame) -> dict[str, list[float | None]]:
    rounded = frame.astype(float).round(DIGITS)
    return {
        str(column): [None if pd.isna(v) else float(v) for v in rounded[column]]
        for column in rounded.columns
    }


def _dates(index: pd.DatetimeIndex) -> list[str | None]:
    return [None if pd.isna(day) else day.date().isoformat() for day in index]
