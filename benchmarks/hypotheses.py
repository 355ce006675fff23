"""The pre-registered tests of macro's place in the regime call (docs/macro/preregistration.md).

    python benchmarks/hypotheses.py [H1 H2 H3 H4 ...] [--save PATH]

Each hypothesis runs the nested walk-forward with and without the recession nowcast, on the same
judged weeks and the same training rows, and reports the difference with episode- and
block-bootstrap intervals, per sub-period and per bear market, whatever the outcome. The
nowcast's P(recession) a gate or an outlook model reads is its out-of-sample walk-forward value
of that week (macro/nowcast.py), so every input of a week was known that week.

`--save PATH` writes the results as JSON with the fingerprint of the data, the learning
settings and the code that made them (tests/docs check the docs' figures against it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regime.bootstrap import Units, bootstrap_interval, skill_rows
from regime.config import Settings, load_settings
from regime.constants import REGIMES
from regime.evaluation.calls.compare import ModelRun, differences
from regime.evaluation.calls.episodes import bear_markets
from regime.evaluation.calls.periods import period_scores
from regime.evaluation.outlook.scores import block_weeks
from regime.macro.nowcast import run_nowcast
from regime.metrics import classification_scores, detection
from regime.model.candidates import Candidate, GateRows, candidates, run_candidates
from regime.model.horizons import Target
from regime.model.outlook import Judge, OutlookCandidate, candidate_series, known_targets
from regime.model.reuse import data_fingerprint
from regime.model.schedule import refit_schedule
from regime.model.selection import nested_walk_forward
from regime.model.training_rows import Dataset, IndexHistory
from regime.model.walk_forward import judged
from regime.sources.market_data import load_market_data

# The recession input exists from the nowcast's first out-of-sample week (1973): both arms of
# H1 and H2 pool the other indices' rows from here, so they learn from the same rows.
LIKE_WITH_LIKE_POOL = date(1973, 1, 5)
RECESSION_COLUMNS = (
    "p_recession",
    "p_recession_change_13w",
    "p_recession_x_bear_age",
    "p_recession_x_bear_depth",
)
DRAWDOWN = 0.10
DRAWDOWN_WEEKS = 13
AFTER_LOW_WEEKS = 52


# -- inputs -------------------------------------------------------------------------------------


def with_recession(dataset: Dataset, p_recession: pd.Series) -> Dataset:
    """`dataset` with the nowcast's out-of-sample P(recession) and its derived columns on every
    index's rows (the macro is the same whichever index a table describes)."""

    def add(features: pd.DataFrame) -> pd.DataFrame:
        p = p_recession.reindex(features.index)
        extra = pd.DataFrame(
            {
                "p_recession": p,
                "p_recession_change_13w": p.diff(13),
                "p_recession_x_bear_age": p * features["rulebook_bear_age"] / 52,
                "p_recession_x_bear_depth": p * features["rulebook_bear_depth"],
            },
            index=features.index,
        )
        return pd.concat(
            [features.drop(columns=list(RECESSION_COLUMNS), errors="ignore"), extra], axis=1
        )

    pooled = tuple(
        IndexHistory(h.symbol, add(h.features), h.closes, h.start) for h in dataset.pooled
    )
    return replace(dataset, features=add(dataset.features), pooled=pooled)


def with_model(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update={"model": settings.model.model_copy(update=changes)})


# -- H1, H2: the gates --------------------------------------------------------------------------


def gate_predictions(
    dataset: Dataset, settings: Settings, keep: Callable[[Candidate], bool] = lambda c: True
) -> pd.DataFrame:
    """The regime call's nested walk-forward (gates only) on the judged weeks; `attrs["chosen"]`
    counts how often each family was chosen, per gate, over the judged refits."""
    schedule = refit_schedule(dataset, settings)
    today = dataset.features.index[-1]
    rows = GateRows.build(dataset, settings, [*(r.date for r in schedule), today])
    offered = [c for c in candidates(settings) if keep(c)]
    runs = run_candidates(rows, offered, settings, schedule)
    nested = nested_walk_forward(dataset, settings, schedule, runs, rows)
    predictions = judged(nested.predictions, dataset, settings)
    first = predictions.index[0]
    chosen: dict[str, dict[str, int]] = {"entry": {}, "exit": {}}
    for choice in nested.choices:
        if choice.refit < first - pd.Timedelta(weeks=settings.walk_forward.refit_weeks):
            continue
        for gate in ("entry", "exit"):
            for family in choice.candidate(gate).families or ("state only",):
                chosen[gate][family] = chosen[gate].get(family, 0) + 1
    predictions.attrs["chosen"] = chosen
    return predictions


def run_of(name: str, predictions: pd.DataFrame) -> ModelRun:
    proba = predictions[[f"p_{r}" for r in REGIMES]].set_axis(list(REGIMES), axis=1)
    return ModelRun(name, predictions["predicted"].rename(name), proba)


def compare_gates(
    with_: pd.DataFrame, without: pd.DataFrame, shipped: pd.DataFrame, settings: Settings
) -> dict[str, Any]:
    truth = with_["label"]
    runs = {
        "with": run_of("with", with_),
        "without": run_of("without", without),
        "shipped": run_of("shipped", shipped.loc[truth.index]),
    }
    units = Units.of(truth)
    scores = {}
    for name, run in runs.items():
        s = classification_scores(truth, run.predicted, run.proba)
        s["detection"] = detection(truth, run.predicted)
        scores[name] = {
            "balanced_accuracy": s["balanced_accuracy"],
            "log_loss": s["log_loss"],
            "ece": s["ece"],
            "risk_off_recall": s["recall"]["risk_off"],
            "mean_lag_weeks": s["detection"]["mean_lag_weeks"],
            "false_risk_off_weeks": s["detection"]["false_alarm_weeks"],
        }
    periods = []
    for first, last in settings.evaluation.periods:
        part = truth.loc[pd.Timestamp(first or "1900") : pd.Timestamp(last or "2200")]
        sub = {
            k: ModelRun(k, r.predicted.loc[part.index], r.proba.loc[part.index])
            for k, r in runs.items()
        }  # type: ignore[union-attr]
        gap = differences(part, sub["with"], sub["without"], settings, Units.of(part))
        periods.append(
            {
                "period": [part.index[0].date().isoformat(), part.index[-1].date().isoformat()],
                "bear_markets": Units.of(part).n_bear,
                "with": classification_scores(part, sub["with"].predicted)["balanced_accuracy"],
                "without": classification_scores(part, sub["without"].predicted)[
                    "balanced_accuracy"
                ],
                "difference": gap["balanced_accuracy"],
            }
        )
    return {
        "weeks": len(truth),
        "span": [truth.index[0].date().isoformat(), truth.index[-1].date().isoformat()],
        "bear_markets": units.n_bear,
        "chosen_with": with_.attrs.get("chosen"),
        "chosen_without": without.attrs.get("chosen"),
        "scores": scores,
        "with_minus_without": differences(truth, runs["with"], runs["without"], settings, units),
        "with_minus_shipped": differences(truth, runs["with"], runs["shipped"], settings, units),
        "periods": periods,
        "per_bear": bear_markets(truth, {k: r.predicted for k, r in runs.items()})["episodes"],
        "all_periods": period_scores(
            truth,
            {k: r.predicted for k, r in runs.items()},
            {k: r.proba for k, r in runs.items()},
            settings.evaluation.periods,
            settings.evaluation.ece_bins,
        ),
    }


def h1(dataset: Dataset, settings: Settings, shipped: pd.DataFrame) -> dict[str, Any]:
    """P(recession) offered to both gates as one family."""
    pool = (LIKE_WITH_LIKE_POOL,)
    without = with_model(settings, pool_from=pool)
    families = {**settings.model.families, "recession": ("p_recession",)}
    with_ = with_model(settings, pool_from=pool, families=families)
    result = compare_gates(
        gate_predictions(dataset, with_), gate_predictions(dataset, without), shipped, settings
    )
    result["pass"] = (
        result["with_minus_without"]["balanced_accuracy"]["episode_bootstrap"]["low"] > 0
    )
    return result


def h2(dataset: Dataset, settings: Settings, shipped: pd.DataFrame) -> dict[str, Any]:
    """The exit gate told whether the bear is a recession bear."""
    pool = (LIKE_WITH_LIKE_POOL,)
    without = with_model(settings, pool_from=pool)
    family = ("p_recession", "p_recession_x_bear_age", "p_recession_x_bear_depth")
    with_ = with_model(
        settings, pool_from=pool, families={**settings.model.families, "recession_exit": family}
    )

    def exit_only(c: Candidate) -> bool:
        return c.gate == "exit" or "recession_exit" not in c.families

    def forced(
        c: Candidate,
    ) -> bool:  # exploratory, not pre-registered: the exit gate always has it
        return ("recession_exit" in c.families) == (c.gate == "exit")

    plain = gate_predictions(dataset, without)
    result = compare_gates(gate_predictions(dataset, with_, exit_only), plain, shipped, settings)
    middle = next(p for p in result["periods"] if p["period"][0].startswith("2000"))
    whole = result["with_minus_without"]["balanced_accuracy"]
    result["pass"] = bool(
        middle["difference"]["episode_bootstrap"]["low"] > 0 and whole["estimate"] >= 0
    )
    result["exploratory_forced"] = compare_gates(
        gate_predictions(dataset, with_, forced), plain, shipped, settings
    )
    return result


# -- H3, H4: outlook-style events ---------------------------------------------------------------


def event_walk(
    dataset: Dataset,
    settings: Settings,
    target: Target,
    settled_on: Callable[[pd.Timestamp], pd.Series],
    offered: list[OutlookCandidate],
) -> tuple[dict[OutlookCandidate, pd.Series], pd.Series, pd.Series]:
    """Each offered candidate's out-of-sample P(event), the nested choice's, and the outcomes
    settled by the last week (the truth the weeks are judged against)."""
    schedule = refit_schedule(dataset, settings)
    today = dataset.features.index[-1]
    settled = {d: settled_on(d) for d in [*(r.date for r in schedule), today]}
    # candidate_series reads each target's settled outcomes by name; the Judge reads this one's.
    by_target = {target.name: settled}
    series = {
        c: candidate_series(c, dataset.features, settings, schedule, by_target) for c in offered
    }
    judge = Judge(series, settled, today)
    nested = pd.concat(
        [series[judge.choose(offered, r.date, settings).candidate].loc[r.block] for r in schedule]
    )
    return {c: s[1] for c, s in series.items()}, nested[1], settled[today]


def climatology_of(
    settled_on: Callable[[pd.Timestamp], pd.Series], weeks: pd.DatetimeIndex, settings: Settings
) -> pd.Series:
    """The share of events among the outcomes settled at each refit, for the weeks it predicts."""
    out = pd.Series(np.nan, index=weeks)
    for refit in refit_schedule_for(weeks, settings):
        known = settled_on(refit[0])
        share = float(known.mean()) if len(known) else np.nan
        out.loc[refit[1]] = share
    return out


def refit_schedule_for(
    weeks: pd.DatetimeIndex, settings: Settings
) -> list[tuple[pd.Timestamp, pd.DatetimeIndex]]:
    from regime.learning.schedule import refits

    wf = settings.walk_forward
    return [
        (r.date, r.block.intersection(weeks)) for r in refits(weeks, wf.first_refit, wf.refit_weeks)
    ]


def event_scores(
    truth: pd.Series, forecasts: dict[str, pd.Series], target: Target, settings: Settings
) -> dict[str, Any]:
    """Brier skill of every forecast against every other (with intervals), and AUROC."""
    from regime.bootstrap import auroc_rows

    block = block_weeks(target, settings)
    ev = settings.evaluation
    event = truth.to_numpy(dtype=float)
    brier = {k: (f.loc[truth.index].to_numpy(float) - event) ** 2 for k, f in forecasts.items()}
    whole = np.arange(len(truth))[None, :]
    out: dict[str, Any] = {
        "weeks": len(truth),
        "events": int(event.sum()),
        "span": [truth.index[0].date().isoformat(), truth.index[-1].date().isoformat()],
        "block_weeks": block,
        "brier": {k: float(v.mean()) for k, v in brier.items()},
        "auroc": {
            k: float(auroc_rows(event, f.loc[truth.index].to_numpy(float))(whole)[0])
            for k, f in forecasts.items()
        },
        "skill": {},
    }
    names = list(forecasts)
    for a in names:
        for b in names:
            if a == b:
                continue
            out["skill"][f"{a} vs {b}"] = bootstrap_interval(
                skill_rows(brier[a], brier[b]),
                len(truth),
                block=block,
                samples=ev.bootstrap_samples,
                seed=ev.seed,
                confidence=ev.confidence,
            ).to_dict()
    return out


def h3(dataset: Dataset, settings: Settings) -> dict[str, Any]:
    """Leadership after lows, with and without P(recession) and its 13-week change."""
    features = dataset.features
    after_low = (features["rulebook_risk_off"] < 0.5) & (
        features["rulebook_weeks_since_trough"] <= AFTER_LOW_WEEKS
    )
    first_test = pd.Timestamp(settings.walk_forward.first_test)
    families = {**settings.model.families, "recession": ("p_recession", "p_recession_change_13w")}
    local = with_model(settings, families=families)
    out: dict[str, Any] = {}
    for weeks in (13, 26):
        target = Target("leadership", weeks)

        def settled_on(day: pd.Timestamp, target: Target = target) -> pd.Series:
            known = known_targets(target, dataset, local, day)
            return known.loc[after_low.reindex(known.index, fill_value=False).to_numpy()]

        C = local.outlook.regularisation[0]
        arms = [OutlookCandidate(target, (), C), OutlookCandidate(target, ("recession",), C)]
        series, _, truth = event_walk(dataset, local, target, settled_on, arms)
        truth = truth.loc[first_test:]
        forecasts = {
            "without": series[arms[0]],
            "with": series[arms[1]],
            "climatology": climatology_of(settled_on, features.index, local),
        }
        scores = event_scores(truth, forecasts, target, local)
        with_vs_without = scores["skill"]["with vs without"]
        scores["pass"] = bool(
            with_vs_without["low"] > 0 and scores["skill"]["with vs climatology"]["estimate"] > 0
        )
        out[f"{weeks}w"] = scores
    out["pass"] = out["13w"]["pass"]
    return out


def drawdown_events(closes: pd.Series, weeks: int, depth: float) -> pd.Series:
    """1 when a later close within `weeks` is `depth` or more below this week's, else 0; only
    for weeks whose whole window has closed."""
    values = closes.to_numpy(dtype=float)
    n = len(values)
    lows = np.full(n, np.nan)
    for i in range(n - weeks):
        lows[i] = values[i + 1 : i + 1 + weeks].min()
    event = (lows <= (1 - depth) * values).astype(float)
    return pd.Series(event[: n - weeks], index=closes.index[: n - weeks])


def h4(dataset: Dataset, settings: Settings) -> dict[str, Any]:
    """P(a 10% fall of the Russell 2000 within 13 weeks), with and without macro."""
    families = {**settings.model.families, "recession": ("p_recession",)}
    local = with_model(settings, families=families)
    target = Target("bear_start", DRAWDOWN_WEEKS)  # an event `weeks` ahead, scored as one
    closes = dataset.closes["small_cap"]
    events = drawdown_events(closes, DRAWDOWN_WEEKS, DRAWDOWN)
    start = pd.Timestamp(local.model.train_start)

    def settled_on(day: pd.Timestamp) -> pd.Series:
        ahead = events.index + pd.Timedelta(weeks=DRAWDOWN_WEEKS)
        return events.loc[(ahead <= day) & (events.index >= start)].astype(int)

    C = local.outlook.regularisation[0]
    names = list(local.model.families)
    macro = [OutlookCandidate(target, (f,), C) for f in names]
    state = OutlookCandidate(target, (), C)
    every = OutlookCandidate(target, tuple(names), C)
    no_recession = OutlookCandidate(target, tuple(n for n in names if n != "recession"), C)
    offered = [state, *macro, every, no_recession]
    series, nested, truth = event_walk(dataset, local, target, settled_on, offered)
    _, nested_no_recession, _ = event_walk(
        dataset, local, target, settled_on, [c for c in offered if "recession" not in c.families]
    )
    truth = truth.loc[pd.Timestamp(local.walk_forward.first_test) :]
    forecasts = {
        "nested_with_macro": nested,
        "nested_without_recession": nested_no_recession,
        "state_only": series[state],
        "climatology": climatology_of(settled_on, dataset.features.index, local),
    }
    scores = event_scores(truth, forecasts, target, local)
    skill = scores["skill"]
    scores["skill_shown"] = bool(skill["nested_with_macro vs climatology"]["low"] > 0)
    scores["macro_helps"] = bool(skill["nested_with_macro vs state_only"]["low"] > 0)
    scores["pass"] = scores["skill_shown"] and scores["macro_helps"]
    return scores


# -- the run ------------------------------------------------------------------------------------


def code_fingerprint() -> dict[str, Any]:
    """A hash of the source of every `regime` module this run loaded, and of this script."""
    modules = sorted(
        name
        for name, module in sys.modules.items()
        if name.startswith("regime") and getattr(module, "__file__", None)
    )
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in modules:
        digest.update(Path(sys.modules[name].__file__).read_bytes())  # type: ignore[arg-type]
    return {"code": digest.hexdigest()[:24], "modules": modules}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], "H1", "H2", "H3", "H4"])
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    names = args.names or ["H1", "H2", "H3", "H4"]
    settings = load_settings()
    data = load_market_data(settings)
    base = Dataset.build(data, settings)
    assert base.recession is not None
    started = time.perf_counter()
    nowcast = run_nowcast(base.recession, settings)
    dataset = with_recession(base, nowcast.probability)
    print(f"nowcast walk-forward: {time.perf_counter() - started:.0f} s", flush=True)
    shipped = gate_predictions(base, settings) if {"H1", "H2"} & set(names) else None
    results: dict[str, Any] = {}
    for name in names:
        started = time.perf_counter()
        if name == "H1":
            results[name] = h1(dataset, settings, shipped)
        elif name == "H2":
            results[name] = h2(dataset, settings, shipped)
        elif name == "H3":
            results[name] = h3(dataset, settings)
        else:
            results[name] = h4(dataset, settings)
        took = time.perf_counter() - started
        results[name]["seconds"] = round(took)
        print(f"{name}: pass={results[name]['pass']} ({took:.0f} s)", flush=True)
    if args.save is not None:
        payload = {
            "fingerprint": {
                "data": data_fingerprint(base),
                "config": settings.fingerprint(),
                **code_fingerprint(),
            },
            "results": results,
        }
        args.save.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
        print(f"saved {args.save}")


if __name__ == "__main__":
    main()
