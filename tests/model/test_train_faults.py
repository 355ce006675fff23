"""`regime train` killed with SIGKILL at any point leaves the active model loadable and
`models/LATEST` unchanged; a later train cleans up after it. Real subprocesses, a fast config
(one fixed configuration instead of the nested choice, refits every 520 weeks: a different,
worse version than the committed one)."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from regime.config import load_settings
from regime.model.artifact import verify_artifact
from regime.model.predict import load_model

# Runs `regime train`, but SIGKILLs itself the moment it renames into `models/`: either the
# finished version folder ("version") or the new LATEST ("latest"): the two commit points.
KILL_AT_RENAME = """
import os, signal, sys
from pathlib import Path

mode, models = sys.argv.pop(1), Path(sys.argv.pop(1))
real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    dst = Path(dst)
    if dst.parent == models and not dst.name.startswith("."):
        if (dst.name == "LATEST") == (mode == "latest"):
            os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst, *args, **kwargs)

os.replace = replace
from regime.cli import main
main()
"""


@pytest.fixture
def fast(fast_training):
    return fast_training


def folders(deployment) -> set[str]:
    return {p.name for p in deployment.models.iterdir() if p.is_dir()}


def assert_active_model_intact(deployment, latest_before: str) -> None:
    assert deployment.latest == latest_before
    model = load_model(settings=load_settings(deployment.config))
    assert model.version == latest_before.strip()


def test_sigkill_midway_through_training_changes_nothing(fast):
    before, latest = folders(fast), fast.latest
    train = fast.popen("train", "--force")
    assert train.stderr is not None
    for line in train.stderr:  # the stage lines: kill once the walk-forward has begun
        if "walk-forward" in line:
            break
    train.send_signal(signal.SIGKILL)
    train.communicate(timeout=30)

    assert train.returncode == -signal.SIGKILL
    assert {name for name in folders(fast) - before if not name.startswith(".")} == set()
    assert_active_model_intact(fast, latest)


def test_sigkill_before_the_version_folder_lands_then_the_next_train_cleans_up(fast):
    before, latest = folders(fast), fast.latest
    killer = [sys.executable, "-c", KILL_AT_RENAME, "version", str(fast.models)]
    train = fast.popen("train", "--force", "--quiet", extra=killer)
    train.communicate(timeout=120)

    assert train.returncode == -signal.SIGKILL
    leftovers = folders(fast) - before
    assert leftovers and all(name.startswith(".staging-") for name in leftovers)
    assert_active_model_intact(fast, latest)
    listed = fast.regime("models", "list")
    assert ".staging" not in listed.stdout and listed.returncode == 0

    again = fast.regime("train", "--quiet")

    assert again.returncode == 0, again.stderr
    assert "(not active): saved but not promoted: worse than the active" in again.stdout
    [new] = folders(fast) - before
    verify_artifact(fast.models / new)
    assert_active_model_intact(fast, latest)


def test_sigkill_before_latest_is_rewritten_leaves_the_old_model_active(fast):
    before, latest = folders(fast), fast.latest
    killer = [sys.executable, "-c", KILL_AT_RENAME, "latest", str(fast.models)]
    train = fast.popen("train", "--force", "--quiet", extra=killer)
    train.communicate(timeout=120)

    assert train.returncode == -signal.SIGKILL
    [new] = folders(fast) - before
    verify_artifact(fast.models / new)  # the new version landed whole, just not promoted
    assert_active_model_intact(fast, latest)
    assert [p for p in os.listdir(fast.models) if p.startswith(".LATEST.")]  # killed mid-write
