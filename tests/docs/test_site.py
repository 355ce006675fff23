"""The README stays a first screen, its commands are the ones CI runs, and the docs site builds
with `mkdocs build --strict` (a broken link or anchor, or a page left out of the navigation,
fails it)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
README = (PROJECT / "README.md").read_text(encoding="utf-8")
MOST_LINES = 250


def test_the_readme_is_at_most_250_lines():
    lines = len(README.splitlines())
    assert lines <= MOST_LINES, f"README.md has {lines} lines: move the detail to docs/"


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    first_block = re.search(r"^```sh\n(.*?)^```$", README, flags=re.M | re.S)
    assert first_block is not None
    install, tests = first_block[1].splitlines()[:2]
    assert install.endswith(".venv/bin/regime predict")
    assert tests.endswith(".venv/bin/python -m pytest -q")
    assert tests in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="mkdocs is not installed")
def test_the_docs_site_builds_strict(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"]
        + ["--config-file", str(PROJECT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "macro" / "preregistration" / "index.html").is_file()
