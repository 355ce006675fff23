"""`regime run` marks a change of call or of the recession call since last week, and
`--on-change CMD` runs an alert with the change on stdin and in REGIME_* variables."""

from __future__ import annotations

import json
import shlex
import sqlite3
import sys
from pathlib import Path

import pytest
import yaml

from tests.deployment import REPO, Deployment, make_deployment

CUT = "2020-02-28"  # the week the 2020 bear market was first called: neutral the week before
HOOK = """\
import json, os, sys
record = {"stdin": json.load(sys.stdin), "argv": sys.argv[1:],
          "env": {k: v for k, v in os.environ.items() if k.startswith("REGIME_")}}
with open(sys.argv[1], "a") as out:
    out.write(json.dumps(record) + "\\n")
sys.exit(int(os.environ.get("HOOK_EXIT", "0")))
"""


def data_through(day: str, folder: Path) -> Path:
    """The embedded snapshot with every observation after `day` left out."""
    for source in (REPO / "data").rglob("*.csv"):
        target = folder / source.relative_to(REPO / "data")
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = source.read_text().splitlines(keepends=True)
        target.write_text("".join([lines[0], *(x for x in lines[1:] if x[:10] <= day)]))
    return folder


@pytest.fixture(scope="module")
def early_data(tmp_path_factory) -> Path:
    return data_through(CUT, tmp_path_factory.mktemp("data"))


@pytest.fixture
def at_the_turn(tmp_path: Path, early_data: Path) -> Deployment:
    """A deployment whose data ends in the week the call turned risk_off."""
    deployment = make_deployment(tmp_path)
    raw = yaml.safe_load(deployment.config.read_text())
    raw["paths"]["data"] = str(early_data)
    deployment.config.write_text(yaml.safe_dump(raw, sort_keys=False))
    deployment.env["REGIME_TODAY"] = "2020-03-02"
    return deployment


def hook(deployment: Deployment, exit_code: int = 0) -> tuple[str, Path]:
    script, calls = deployment.root / "hook.py", deployment.root / "calls.jsonl"
    script.write_text(HOOK)
    deployment.env["HOOK_EXIT"] = str(exit_code)
    return shlex.join([sys.executable, str(script), str(calls)]), calls


def calls_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_change_of_call_runs_the_hook_with_the_change_on_stdin_and_in_the_environment(
    at_the_turn,
):
    command, calls = hook(at_the_turn)
    done = at_the_turn.regime("run", "--offline", "--format", "json", "--on-change", command)

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["as_of"], out["regime"], out["changed"], out["alerted"]) == (
        CUT,
        "risk_off",
        True,
        True,
    )
    assert "change since the week of 2020-02-21: last week neutral, now risk_off" in done.stderr
    (call,) = calls_of(calls)
    change = call["stdin"]
    assert change["regime_changed"] is True and change["as_of"] == CUT
    assert change["change"]["previous_regime"] == "neutral"
    assert change["summary"].startswith("last week neutral, now risk_off: P(risk_off) 4% → 53%")
    assert change["prediction"]["regime"] == "risk_off"
    env = call["env"]
    assert (env["REGIME_AS_OF"], env["REGIME_REGIME"], env["REGIME_PREVIOUS_REGIME"]) == (
        CUT,
        "risk_off",
        "neutral",
    )
    assert env["REGIME_REGIME_CHANGED"] == "true"
    assert env["REGIME_SUMMARY"] == change["summary"]


def test_a_second_run_for_the_same_week_alerts_no_one_again(at_the_turn):
    command, calls = hook(at_the_turn)
    assert at_the_turn.regime("run", "--offline", "--on-change", command).returncode == 0
    again = at_the_turn.regime("run", "--offline", "--format", "json", "--on-change", command)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["alerted"] is None
    assert len(calls_of(calls)) == 1


def test_a_failing_hook_is_a_warning_and_the_week_is_still_recorded(at_the_turn):
    command, calls = hook(at_the_turn, exit_code=3)
    done = at_the_turn.regime("run", "--offline", "--format", "json", "--on-change", command)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["alerted"] is False
    assert "WARNING regime.jobs: --on-change hook" in done.stderr and "exited 3" in done.stderr
    with sqlite3.connect(at_the_turn.history) as con:
        assert con.execute("SELECT as_of, regime FROM predictions").fetchall() == [
            (CUT, "risk_off")
        ]
    assert len(calls_of(calls)) == 1


def test_a_hook_that_cannot_start_is_a_warning_too(at_the_turn):
    missing = str(at_the_turn.root / "no-such-hook")
    done = at_the_turn.regime("run", "--offline", "--on-change", missing)
    assert done.returncode == 0, done.stderr
    assert "--on-change hook" in done.stderr and "could not start" in done.stderr


def test_the_command_is_never_run_by_a_shell(at_the_turn):
    command, calls = hook(at_the_turn)
    planted = at_the_turn.root / "planted"
    done = at_the_turn.regime("run", "--offline", "--on-change", f"{command} ; touch {planted}")
    assert done.returncode == 0, done.stderr
    assert not planted.exists()
    assert calls_of(calls)[0]["argv"][1:] == [";", "touch", str(planted)]


def test_an_unsplittable_command_is_refused_before_any_work(at_the_turn):
    done = at_the_turn.regime("run", "--offline", "--on-change", "notify 'unclosed")
    assert done.returncode == 2
    assert "does not split into words" in done.stderr
    assert not at_the_turn.history.exists()


def test_without_a_change_nothing_is_alerted(deployment):
    command, calls = hook(deployment)
    deployment.env["REGIME_TODAY"] = "2026-08-24"
    done = deployment.regime("run", "--offline", "--format", "json", "--on-change", command)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["changed"], out["alerted"]) == (False, None)
    assert out["since_last_week"]["regime_changed"] is False
    assert "change since" not in done.stderr
    assert calls_of(calls) == []
