"""Start-up: help needs no data stack, and a command imports only what it uses.

Each case runs the console entry point in a fresh interpreter and reports the modules it
imported, so an eager import anywhere on the way (the package, the CLI, a command module)
shows up here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from regime.cli import cli

HEAVY = ("pandas", "sklearn", "statsmodels", "hmmlearn", "matplotlib", "yfinance", "fredapi")

# Runs `regime ARGS` as the console script does, then lists the imported modules on stderr.
PROBE = """
import json, sys
from regime.cli import cli
from regime.cli._common import run_guarded
sys.argv = ["regime", *sys.argv[1:]]
code = run_guarded(cli)
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=180
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return report["modules"]


def help_invocations() -> list[tuple[str, ...]]:
    cases: list[tuple[str, ...]] = [("--help",), ("--version",)]
    for name, command in sorted(cli.commands.items()):
        cases.append((name, "--help"))
        if isinstance(command, click.Group):
            cases += [(name, sub, "--help") for sub in sorted(command.commands)]
    return cases


def top_level(modules: list[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", help_invocations(), ids=" ".join)
def test_help_imports_none_of_the_data_stack(args):
    assert top_level(imported_by(*args)) & set(HEAVY) == set()


def test_a_fred_fetch_is_what_imports_fredapi(tmp_path, fake_fred, monkeypatch):
    # The other side of the checks here: the FRED client does load fredapi, once it is built.
    from tests.sources import fakes_fred

    monkeypatch.setenv("REGIME_FRED_URL", fake_fred.url)
    config = fakes_fred.write_config(tmp_path)

    modules = imported_by("fetch", "--series", "DGS10", "--quiet", "--config", str(config))

    assert "fredapi" in top_level(modules)


def test_predict_imports_only_what_prediction_needs(deployment):
    modules = imported_by("predict", "--format", "json", "--config", str(deployment.config))

    assert (
        top_level(modules) & {"statsmodels", "hmmlearn", "matplotlib", "yfinance", "fredapi"}
        == set()
    )
    # Neither the evaluation's nor training's code, nor our metrics, nor the tree the generic
    # classifier would learn: a prediction reads a stored model of plain numbers.
    unneeded = ("regime.labels", "regime.evaluation", "regime.job", "regime.metrics")
    unneeded += ("sklearn.tree", "sklearn.ensemble")  # sklearn.linear_model loads metrics
    unneeded += ("regime.model.registry", "regime.model.train", "regime.model.walk_forward")
    unneeded += ("regime.model.training_rows",)
    assert [m for m in modules if m.startswith(unneeded)] == []
