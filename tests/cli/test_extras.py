"""A plain install leaves out what only `evaluate` and `report` need; without it they stop at
once with one line naming the install that brings it (exit code 2), before loading any data.
A missing package is simulated the way importlib sees one: `sys.modules[name] = None`."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def regime_without(modules: tuple[str, ...], *args: str) -> subprocess.CompletedProcess:
    hide = "".join(f"sys.modules[{m!r}] = None\n" for m in modules)
    code = f"import sys\n{hide}from regime.cli import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "command, hidden, extra",
    [
        (("evaluate",), ("hmmlearn",), "eval"),
        (("evaluate", "--format", "json"), ("statsmodels", "hmmlearn"), "eval"),
        (("report", "--out", "unused"), ("matplotlib",), "report"),
        (("report", "--out", "unused"), ("statsmodels",), "report"),
    ],
)
def test_a_command_without_its_extra_says_which_install_brings_it(command, hidden, extra):
    done = regime_without(hidden, *command)

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"error: `regime {command[0]}` needs {', '.join(hidden)}: pip install 'regime[{extra}]' "
        f"(in a checkout: pip install -e '.[{extra}]')\n"
    )
    assert not Path("unused").exists()


def test_the_base_install_leaves_the_evaluation_and_chart_libraries_to_extras():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"])
    extras = project["optional-dependencies"]

    for heavy in ("matplotlib", "statsmodels", "hmmlearn", "dask", "distributed", "mkdocs"):
        assert heavy not in base
    assert {"fredapi", "yfinance"} <= {
        d.split(">")[0].split("<")[0] for d in project["dependencies"]
    }
    assert "regime[all]" in extras["test"]  # the README's test command installs everything
    assert "regime[docs]" in extras["test"]  # and builds the docs site
    assert extras["all"] == ["regime[eval,report]"]


def test_predict_works_without_the_extras():
    done = regime_without(("matplotlib", "statsmodels", "hmmlearn"), "predict", "--format", "json")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('{"schema_version": 1, "as_of": ')
