"""`regime evaluate` and `regime report` as a user runs them, on the real embedded data."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from regime.cli.evaluate import render_table
from regime.evaluation.evaluate import MODEL_NAMES

from .conftest import EvaluateRun, write_config

METRIC_KEYS = {"balanced_accuracy", "macro_f1", "log_loss", "brier", "ece", "recall", "precision"}
REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]
CSV_HEADER = "date,label,predicted,p_early_recovery,p_narrow_rally,p_neutral,p_risk_off,p_recession"
BACKTEST_HEADER = (
    "date,strategy,spx,rut,fifty_fifty,cash,small_cap_weight,large_cap_weight,cash_weight,"
    "turnover,cost"
)
WITHOUT_PROBABILITIES = {"rulebook_realtime", "drawdown_rebound"}


def test_json_names_every_model_with_the_specified_metric_keys(evaluate_run: EvaluateRun):
    result = evaluate_run.result
    assert list(result["models"]) == list(MODEL_NAMES)
    for metrics in result["models"].values():
        assert METRIC_KEYS <= set(metrics)
    assert result["period"][0] == "1985-01-04"


def test_models_without_probabilities_have_null_probability_metrics(evaluate_run: EvaluateRun):
    for name, metrics in evaluate_run.result["models"].items():
        empty = name in WITHOUT_PROBABILITIES
        assert metrics["has_probabilities"] is not empty
        assert (metrics["log_loss"] is None) is empty
        assert (metrics["ece"] is None) is empty


def test_predictions_csv_has_the_specified_header_and_one_row_per_week(evaluate_run: EvaluateRun):
    lines = evaluate_run.predictions.read_text(encoding="utf-8").splitlines()
    assert lines[0] == CSV_HEADER
    rows = list(csv.DictReader(lines))
    assert len(rows) == evaluate_run.result["n_weeks"]
    total = sum(
        float(rows[0][f"p_{r}"]) for r in ("early_recovery", "narrow_rally", "neutral", "risk_off")
    )
    assert total == pytest.approx(1.0, abs=1e-5)
    assert not list(evaluate_run.predictions.parent.glob(".*.tmp"))


def test_save_holds_the_json_output_and_every_model_week_by_week(evaluate_run: EvaluateRun):
    saved = json.loads(evaluate_run.saved.read_text(encoding="utf-8"))
    result = evaluate_run.result
    assert (saved["format"], saved["version"]) == ("regime-evaluation", 3)
    assert saved["evaluation"] == result
    n = result["n_weeks"]
    assert len(saved["weeks"]) == len(saved["label"]) == len(saved["refit"]) == n
    assert len(saved["threshold"]) == n and 0 < min(saved["threshold"]) < 1
    assert set(saved["made_with"]) == {
        "config_hash",
        "model_version",
        "data_through",
        "data_fingerprint",
        "code_fingerprint",
        "code_modules",
    }
    assert [saved["weeks"][0], saved["weeks"][-1]] == result["period"]
    assert len(saved["closes"]["small_cap"]) == n
    assert list(saved["models"]) == list(MODEL_NAMES)
    for name, run in saved["models"].items():
        assert len(run["predicted"]) == n
        if name in WITHOUT_PROBABILITIES:
            assert run["probabilities"] is None
        else:
            assert sorted(run["probabilities"]) == sorted(
                ["early_recovery", "narrow_rally", "neutral", "risk_off"]
            )
            assert len(run["probabilities"]["risk_off"]) == n
    assert set(saved["ablation"]) == {v["name"] for v in result["ablation"]["variants"]}
    backtest = saved["backtest"]
    assert (
        len(backtest["weeks"])
        == len(backtest["equity"]["allocation"])
        == result["backtest"]["n_weeks"]
    )
    assert sorted(backtest["weights"]) == ["cash", "large_cap", "small_cap"]
    for target in result["outlook"]["targets"]:
        found = saved["outlook"][target["name"]]
        assert len(found["weeks"]) == len(found["outcome"]) == target["n_weeks"]
        assert sorted(found["models"]) == sorted(
            ["outlook", "climatology", "persistence", "hmm_transition"]
        )
        outcomes = ["1"] if target["kind"] != "regime" else sorted(target["classes"])
        assert sorted(found["models"]["outlook"]) == outcomes
    assert not list(evaluate_run.saved.parent.glob(".*.tmp"))


def test_backtest_returns_csv_holds_every_week_of_the_allocation_and_its_benchmarks(
    evaluate_run: EvaluateRun,
):
    lines = evaluate_run.backtest_returns.read_text(encoding="utf-8").splitlines()
    assert lines[0] == BACKTEST_HEADER
    rows = list(csv.DictReader(lines))
    backtest = evaluate_run.result["backtest"]
    assert len(rows) == backtest["n_weeks"]
    assert [rows[0]["date"], rows[-1]["date"]] == backtest["period"]
    for column, name in (("strategy", "allocation"), ("spx", "buy_hold_spx")):
        growth = float(np.prod([1 + float(r[column]) for r in rows]))
        cagr = growth ** (52 / len(rows)) - 1
        assert cagr == pytest.approx(backtest["strategies"][name]["cagr"], abs=1e-6)
    weights = [
        sum(float(r[f"{a}_weight"]) for a in ("small_cap", "large_cap", "cash")) for r in rows
    ]
    assert weights == pytest.approx([1.0] * len(rows))
    assert not list(evaluate_run.backtest_returns.parent.glob(".*.tmp"))


def test_table_output_shows_every_section_and_the_backtest_caveats(evaluate_run: EvaluateRun):
    text = render_table(evaluate_run.result)
    for name in MODEL_NAMES:
        assert name in text
    for heading in (
        "bear markets in the judged weeks: 13",
        "..1999",
        "2000-2012",
        "2013..",
        "early_recovery recall",
        "by circular blocks of 26 weeks",
        "13 bear markets and 14 calm spans resampled",
        "regime minus rulebook_realtime on balanced_accuracy",
        "ablation",
        "without_credit",
        "outlook: ",
        "Brier skill score of the outlook",
        "AUROC of the outlook, bear_start_26w",
        "0.86-0.90",
        "outlook ablation",
        "allocation's Sharpe ratio minus each buy-and-hold's",
        "five worst drawdowns",
        "returns by calendar year",
        "Total returns",
        "rebalanced to 50/50 at every weekly close",
    ):
        assert heading in text, heading


def test_a_bad_config_value_exits_2_with_one_line_as_a_process(tmp_path: Path):
    config = write_config(tmp_path, refit_weeks=0)
    done = subprocess.run(
        [*REGIME, "evaluate", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "refit_weeks" in done.stderr
    assert done.stderr.count("\n") == 1
