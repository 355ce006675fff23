"""`regime evaluate` and `regime report` as a user runs them, on a short span of the real data."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from regime.cli import cli
from regime.evaluation.evaluate import MODEL_NAMES

from .conftest import write_config

METRIC_KEYS = {"balanced_accuracy", "macro_f1", "log_loss", "brier", "ece", "recall", "precision"}
REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]
CSV_HEADER = "date,label,predicted,p_early_recovery,p_narrow_rally,p_neutral,p_risk_off"


@pytest.fixture(scope="module")
def json_run(short_config: Path, tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("evaluate") / "predictions.csv"
    result = CliRunner().invoke(
        cli,
        ["evaluate", "--format", "json", "--predictions", str(out), "--config", str(short_config)],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_json_names_every_model_with_the_specified_metric_keys(json_run):
    result, _ = json_run
    assert set(result["models"]) == set(MODEL_NAMES)
    for metrics in result["models"].values():
        assert METRIC_KEYS <= set(metrics)
    assert result["period"] == ["2019-01-04", "2020-12-25"]
    assert result["n_weeks"] == 104


def test_a_peer_without_probabilities_has_null_probability_metrics(json_run):
    rulebook = json_run[0]["models"]["rulebook_realtime"]
    assert rulebook["log_loss"] is None and rulebook["brier"] is None and rulebook["ece"] is None
    assert rulebook["has_probabilities"] is False
    assert json_run[0]["models"]["hmm"]["log_loss"] is not None


def test_predictions_csv_has_the_specified_header_and_one_row_per_week(json_run):
    result, path = json_run
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == CSV_HEADER
    rows = list(csv.DictReader(lines))
    assert len(rows) == result["n_weeks"]
    first = rows[0]
    total = sum(
        float(first[f"p_{r}"]) for r in ("early_recovery", "narrow_rally", "neutral", "risk_off")
    )
    assert total == pytest.approx(1.0, abs=1e-5)
    assert not list(path.parent.glob(".*.tmp"))  # the temp file was renamed, not left behind


def test_table_output_states_the_no_dividend_caveat_and_the_rebalancing(short_config: Path):
    result = CliRunner().invoke(cli, ["evaluate", "--config", str(short_config)])
    assert result.exit_code == 0, result.output
    assert "without dividends" in result.output
    assert "rebalanced to 50/50 at every weekly close" in result.output
    for name in MODEL_NAMES:
        assert name in result.output


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


def test_report_writes_charts_and_a_self_contained_page(short_config: Path, tmp_path: Path):
    out = tmp_path / "report"
    done = subprocess.run(
        [*REGIME, "report", "--out", str(out), "--config", str(short_config)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not a terminal: no progress bar
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(
        f"{n}.png"
        for n in (
            "regimes",
            "ratio",
            "probabilities",
            "reliability",
            "confusion",
            "importances",
            "allocation",
        )
    )
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 7
    assert 'src="http' not in page and "<script" not in page
