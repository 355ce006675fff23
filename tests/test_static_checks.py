"""Type checking, lint and formatting run with the tests, so the README's test command (and CI,
which runs it) fails when any of them does. Settings live in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

CHECKS = {
    "mypy": [sys.executable, "-m", "mypy"],
    "ruff check": [sys.executable, "-m", "ruff", "check", "."],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", "."],
}


@pytest.mark.parametrize("name", CHECKS)
def test_the_code_passes(name):
    done = subprocess.run(CHECKS[name], cwd=PROJECT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}{done.stderr}"
