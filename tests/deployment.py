"""A throwaway deployment per test: a copy of the committed models, a config whose models, cache
and history live under tmp_path, and an environment without FRED_API_KEY (never the network).

The fixtures are imported once by the root conftest, for the model, job and CLI tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMMITTED_VERSION = (REPO / "models" / "LATEST").read_text().strip()


@dataclass(frozen=True)
class Deployment:
    root: Path
    config: Path
    models: Path
    history: Path
    env: dict[str, str]

    def regime(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """`regime ARGS --config <ours>` in a subprocess, as cron would run it."""
        return subprocess.run(
            [*REGIME, *args, "--config", str(self.config)],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.root,
            timeout=timeout,
        )

    def popen(self, *args: str, extra: list[str] | None = None) -> subprocess.Popen:
        command = extra if extra is not None else REGIME
        return subprocess.Popen(
            [*command, *args, "--config", str(self.config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            cwd=self.root,
        )

    @property
    def latest(self) -> str:
        return (self.models / "LATEST").read_text()


REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]


def make_deployment(root: Path, **overrides) -> Deployment:
    """Write config.yaml under `root`; `overrides` replace whole top-level sections."""
    raw = yaml.safe_load((REPO / "config.yaml").read_text())
    models = root / "models"
    shutil.copytree(REPO / "models", models, ignore=shutil.ignore_patterns(".*"))
    raw["paths"] = {"data": str(REPO / "data"), "models": str(models), "cache": str(root / "cache")}
    raw["history"] = {"path": str(root / "var" / "history.sqlite"), "lock_timeout_seconds": 60}
    raw.update(overrides)
    config = root / "config.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    env.update(
        XDG_CACHE_HOME=str(root / "xdg-cache"),
        XDG_DATA_HOME=str(root / "xdg-data"),
        XDG_CONFIG_HOME=str(root / "xdg-config"),
    )
    return Deployment(root, config, models, root / "var" / "history.sqlite", env)


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    return make_deployment(tmp_path)


@pytest.fixture
def fast_training(deployment: Deployment) -> Deployment:
    """The deployment, configured to train in seconds: one fixed configuration instead of the
    nested choice (every macro family forced in), refits every 520 weeks: a different version,
    and a worse one than the committed model."""
    raw = yaml.safe_load(deployment.config.read_text())
    raw["walk_forward"]["refit_weeks"] = 520
    raw["model"]["selection"] = "fixed"
    raw["model"]["fixed"]["families"] = list(raw["model"]["families"])
    deployment.config.write_text(yaml.safe_dump(raw, sort_keys=False))
    return deployment


@pytest.fixture
def settings_of():
    from regime.config import load_settings

    return lambda d: load_settings(d.config)


@pytest.fixture
def invoke(monkeypatch):
    """Run `regime ARGS --config <deployment>` in this process (faster than a subprocess)."""
    from click.testing import CliRunner

    from regime.cli import cli

    monkeypatch.delenv("FRED_API_KEY", raising=False)

    def run(deployment: Deployment, *args: str):
        return CliRunner().invoke(cli, [*args, "--config", str(deployment.config)])

    return run


@pytest.fixture(autouse=True)
def _restore_logging():
    """`regime run` configures logging for its process; undo it after in-process runs."""
    import logging

    saved = {
        name: (list(lg.handlers), lg.level, lg.propagate)
        for name in ("regime", "py.warnings")
        for lg in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate
    logging.captureWarnings(False)


@pytest.fixture
def guarded(monkeypatch, capsys):
    """`regime ARGS --config <deployment>` through the console entry point's error handling:
    returns (exit code, stdout, stderr)."""
    from regime.cli import cli
    from regime.cli._common import run_guarded

    monkeypatch.delenv("FRED_API_KEY", raising=False)

    def run(deployment: Deployment, *args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["regime", *args, "--config", str(deployment.config)])
        code = run_guarded(cli)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
