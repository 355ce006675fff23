"""One real evaluation shared by the evaluation tests: the whole span, refitted every two years.

`regime evaluate` runs once per session, as a user runs it, with `--format json`, `--save` and
`--predictions`; the tests read its output and files. Refitting every 104 weeks instead of 26
keeps it to tens of seconds; the judged weeks (1985 on) and bear markets are the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from regime.cli import cli
from regime.config import default_config_path


def write_config(folder: Path, **walk_forward: Any) -> Path:
    """The project's config with absolute data paths, an empty cache and fewer resamples."""
    raw = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
    root = default_config_path().parent
    raw["paths"] = {
        "data": str(root / "data"),
        "models": str(root / "models"),
        "cache": str(folder / "cache"),
    }
    raw["walk_forward"] = {**raw["walk_forward"], **walk_forward}
    raw["evaluation"] = {
        **raw.get("evaluation", {}),
        "bootstrap_samples": 200,
        "episode_bootstrap_samples": 400,
        "hmm_iterations": 20,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class EvaluateRun:
    """What one `regime evaluate --format json --save ... --predictions ... --backtest-returns
    ...` produced."""

    config: Path
    result: dict[str, Any]
    saved: Path
    predictions: Path
    backtest_returns: Path


@pytest.fixture(scope="session")
def biennial_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_config(tmp_path_factory.mktemp("biennial"), refit_weeks=104)


@pytest.fixture(scope="session")
def evaluate_run(biennial_config: Path, tmp_path_factory: pytest.TempPathFactory) -> EvaluateRun:
    out = tmp_path_factory.mktemp("evaluate")
    saved, predictions = out / "evaluation.json", out / "predictions.csv"
    returns = out / "backtest.csv"
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--format",
            "json",
            "--save",
            str(saved),
            "--predictions",
            str(predictions),
            "--backtest-returns",
            str(returns),
            "--config",
            str(biennial_config),
        ],
    )
    assert result.exit_code == 0, result.output
    return EvaluateRun(biennial_config, json.loads(result.stdout), saved, predictions, returns)
