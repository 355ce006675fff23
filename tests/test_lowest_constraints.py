"""CI's second step pins every dependency to the lower bound pyproject.toml declares
(.ci/lowest_constraints.py); this checks what it pins, not the installs themselves."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT / ".ci" / "lowest_constraints.py"


def load_script():
    spec = importlib.util.spec_from_file_location("lowest_constraints", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_runtime_and_extra_dependency_is_pinned_to_its_lower_bound():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, check=True)
    pins = dict(line.split("==") for line in done.stdout.splitlines())

    assert pins["pandas"] == "2.2.1" and pins["scikit-learn"] == "1.6"
    assert pins["hmmlearn"] == "0.3.2" and pins["matplotlib"] == "3.8"  # extras too
    assert pins["pytest"] == "8.0.1"
    assert "regime" not in pins and "mypy" not in pins and "ruff" not in pins


def test_a_dependency_without_a_lower_bound_stops_the_step():
    script = load_script()
    project = {"name": "regime", "dependencies": ["numpy>=1.26", "pandas"]}

    with pytest.raises(SystemExit, match="'pandas' has no >= lower bound"):
        script.lower_bounds({"project": project})


def test_extras_markers_and_caps_are_read_past():
    script = load_script()
    project = {
        "name": "regime",
        "dependencies": ["Foo_Bar[fast]>=1.2,<2 ; python_version >= '3.11'"],
        "optional-dependencies": {"all": ["regime[eval]"]},
    }

    assert script.lower_bounds({"project": project}) == {"foo-bar": "1.2"}
