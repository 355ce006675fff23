"""`regime predict` and `regime label` as a user runs them: subprocesses, stdout, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]


def regime(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from regime.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def errors(stderr: str) -> str:
    """stderr without warnings (loading the committed model under other library versions, as in
    CI's lowest-versions run, warns about them)."""
    return "".join(line for line in stderr.splitlines(True) if not line.startswith("warning: "))


def test_predict_prints_a_regime_with_its_confidence():
    result = regime("predict")
    assert result.returncode == 0, result.stderr
    assert "confidence" in result.stdout.splitlines()[0]


@pytest.mark.parametrize("day", ["2020-03-20", "2009-06-05"])
def test_predict_as_of_a_past_week_prints_one_json_object_using_no_later_data(day):
    result = regime("predict", "--as-of", day, "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["as_of"] == day
    assert all(s["last_observation"] <= day for s in answer["data_through"].values())
    assert abs(sum(answer["probabilities"].values()) - 1) < 1e-9


def test_label_csv_starts_with_date_label_provisional_then_the_inputs():
    result = regime("label", "--start", "1990-01-01", "--end", "2026-08-21", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["date", "label", "provisional"]
    assert len(rows[0]) > 3
    assert rows[1][0].startswith("1990-01") and rows[-1][0] == "2026-08-21"
    assert {row[1] for row in rows[1:]} == {"early_recovery", "narrow_rally", "neutral", "risk_off"}


def test_label_json_is_a_list_of_weeks():
    result = regime("label", "--start", "2020-03-06", "--end", "2020-03-20", "--format", "json")
    weeks = json.loads(result.stdout)
    assert [w["date"] for w in weeks] == ["2020-03-06", "2020-03-13", "2020-03-20"]
    assert weeks[-1]["label"] == "risk_off"


def copy_project_models(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    shutil.copytree(PROJECT / "models", models)
    config = yaml.safe_load((PROJECT / "config.yaml").read_text())
    config["paths"] = {
        "data": str(PROJECT / "data"),
        "models": str(models),
        "cache": str(tmp_path / "cache"),
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    return models


def test_a_tampered_model_is_refused_with_one_line_and_exit_code_4(tmp_path):
    models = copy_project_models(tmp_path)
    version = (models / "LATEST").read_text().strip()
    card = json.loads((models / version / "card.json").read_text())
    with (models / version / card["artifact"]).open("ab") as artifact:
        artifact.write(b"\0")
    result = regime("predict", "--config", str(tmp_path / "config.yaml"))
    assert result.returncode == 4
    assert "sha256" in result.stderr and result.stderr.count("\n") == 1


def test_no_model_at_all_says_to_train(tmp_path):
    models = copy_project_models(tmp_path)
    (models / "LATEST").unlink()
    result = regime("predict", "--config", str(tmp_path / "config.yaml"))
    assert result.returncode == 4 and "regime train" in result.stderr


def test_a_date_that_is_not_a_date_is_a_usage_error():
    result = regime("predict", "--as-of", "last tuesday")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_label_range_with_no_weeks_is_a_usage_error_naming_the_span():
    result = regime("label", "--start", "2030-01-01")
    assert result.returncode == 2
    assert "no labelled weeks between 2030-01-01 and the end" in result.stderr
    assert "1979-03-30 to 2026-08-21" in result.stderr


@pytest.mark.parametrize("day", ["0001-01-01", "1678-01-01", "1978-06-02", "1980-06-06"])
def test_a_week_before_the_model_can_answer_is_a_usage_error_naming_the_earliest_week(day):
    result = regime("predict", "--as-of", day)
    assert result.returncode == 2
    assert errors(result.stderr) == (
        f"error: no answer for --as-of {day}: the earliest week this model can answer is "
        "1981-01-02 (the data starts on 1978-12-29, features need a year of it, and the "
        "walk-forward's first model answers from that week); pick a later date\n"
    )


@pytest.mark.parametrize(
    ("day", "week"), [("2026-09-01", "2026-08-28"), ("9999-12-31", "9999-12-31")]
)
def test_a_week_after_the_data_says_to_fetch(day, week):
    result = regime("predict", "--as-of", day)
    assert result.returncode == 3
    assert errors(result.stderr) == (
        f"error: no index closes for the week of {week}; the data covers 1978-12-29 to "
        "2026-08-21 (run `regime fetch` for newer data)\n"
    )


def test_a_wednesday_answers_the_friday_before_and_says_so():
    wednesday = regime("predict", "--as-of", "2020-03-25", "--format", "json")
    friday = regime("predict", "--as-of", "2020-03-20", "--format", "json")
    assert wednesday.returncode == friday.returncode == 0, wednesday.stderr + friday.stderr
    assert json.loads(wednesday.stdout) == json.loads(friday.stdout)
    text = regime("predict", "--as-of", "2020-03-25")
    assert text.stdout.startswith(
        "Week ending 2020-03-20 (the latest complete week on or before 2020-03-25): "
    )
