"""The scheduler recipes of the docs (docs/production/recipes.md) work as pasted: the systemd
units pass `systemd-analyze verify`, the crontab line creates its log folder, the config recipes
produce a config that loads with the paths they promise, and that config predicts from outside
the checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from regime.config import load_settings

PROJECT = Path(__file__).resolve().parents[1]
RECIPES = (PROJECT / "docs" / "production" / "recipes.md").read_text(encoding="utf-8")
PRODUCTION = (PROJECT / "docs" / "production" / "index.md").read_text(encoding="utf-8")
REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]


def block(first_line: str) -> str:
    """The recipes' code block whose first line is `first_line` (one, exactly)."""
    found = [
        body
        for body in re.findall(r"^```[a-z]*\n(.*?)^```$", RECIPES, flags=re.M | re.S)
        if body.startswith(first_line)
    ]
    assert len(found) == 1, f"expected one recipes block starting {first_line!r}"
    return found[0]


SERVICE = block("# /etc/systemd/system/regime-run.service")
TIMER = block("# /etc/systemd/system/regime-run.timer")
INSTALL = block("useradd --system")
CRON = block("15 7 * * 6")
WORKFLOW = block("# .github/workflows/regime-run.yml")


def write_units(folder: Path) -> list[Path]:
    """The units as the recipes have them; ExecStart's program is this environment's, because
    `verify` checks that it exists."""
    regime = Path(sys.executable).with_name("regime")
    program = str(regime if regime.is_file() else Path(sys.executable))
    service = folder / "regime-run.service"
    service.write_text(SERVICE.replace("/opt/regime/venv/bin/regime", program))
    timer = folder / "regime-run.timer"
    timer.write_text(TIMER)
    return [service, timer]


needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


@needs_systemd_analyze
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    done = subprocess.run(
        ["systemd-analyze", "verify", *map(str, write_units(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@needs_systemd_analyze
def test_the_service_is_rated_ok_by_systemd_analyze_security(tmp_path):
    service, _timer = write_units(tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(service)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "--offline" in done.stderr and done.returncode != 0:
        pytest.skip("this systemd-analyze cannot rate a unit file offline")
    score = re.search(r"Overall exposure level for regime-run.service: ([\d.]+) (\w+)", done.stdout)
    assert score is not None, done.stdout + done.stderr
    assert float(score[1]) <= 2.0 and score[2] in ("OK", "SAFE")


def test_the_service_has_its_own_folders_and_the_promised_hardening():
    assert "StateDirectory=regime" in SERVICE and "CacheDirectory=regime" in SERVICE
    assert "ProtectSystem=strict" in SERVICE and "ProtectHome=yes" in SERVICE
    for setting in ("NoNewPrivileges=yes", "PrivateTmp=yes", "TimeoutStartSec="):
        assert setting in SERVICE


def system_config(tmp_path: Path) -> Path:
    """Run the config recipe with this Python, writing to tmp_path instead of /etc."""
    [recipe] = re.findall(
        r"^/opt/regime/venv/bin/python .*?> /etc/regime/config.yaml$", INSTALL, re.M | re.S
    )
    target = tmp_path / "etc-regime" / "config.yaml"
    target.parent.mkdir()
    command = recipe.replace("/opt/regime/venv/bin/python", sys.executable).replace(
        "/etc/regime/config.yaml", str(target)
    )
    subprocess.run(["bash", "-c", command], check=True, timeout=60, cwd=tmp_path)
    return target


def test_the_system_config_recipe_gives_absolute_state_and_cache_and_the_packaged_data(tmp_path):
    settings = load_settings(system_config(tmp_path))

    assert settings.history_path == Path("/var/lib/regime/history.sqlite")
    assert settings.cache_dir == Path("/var/cache/regime")
    assert settings.fetch.yfinance_cache == Path("/var/cache/regime/yfinance")
    assert (settings.data_dir / "market" / "RUT.csv").is_file()
    assert (settings.models_dir / "LATEST").is_file()
    shown = block("paths:\n  data: null")  # the excerpt the recipes show agrees
    for value in ("/var/cache/regime", "/var/lib/regime/history.sqlite"):
        assert value in shown


def test_a_config_copied_out_of_the_checkout_still_predicts(tmp_path):
    elsewhere = tmp_path / "etc-regime"
    elsewhere.mkdir()
    shutil.copy(PROJECT / "config.yaml", elsewhere / "config.yaml")
    env = {**os.environ, "REGIME_TODAY": "2026-08-22", "XDG_CACHE_HOME": str(tmp_path / "c")}

    done = subprocess.run(
        [*REGIME, "predict", "--config", str(elsewhere / "config.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Week ending 2026-08-21: ")


def test_the_crontab_line_creates_its_log_folder_and_runs_the_job(tmp_path):
    home = tmp_path / "home"
    venv_bin = home / ".venvs" / "regime" / "bin"
    venv_bin.mkdir(parents=True)
    stub = venv_bin / "regime"  # records what cron would run; the job itself is tested elsewhere
    stub.write_text('#!/bin/sh\necho "regime $* with key $FRED_API_KEY"\n')
    stub.chmod(0o755)
    (home / ".config" / "regime").mkdir(parents=True)
    (home / ".config" / "regime" / "env").write_text("export FRED_API_KEY=k3y\n")
    command = CRON.strip().split(None, 5)[5]  # after the five time fields

    done = subprocess.run(
        ["/bin/sh", "-c", command],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=30,
    )

    assert done.returncode == 0
    log = home / ".local" / "state" / "regime" / "run.log"
    assert log.read_text() == "regime run --strict --log-format json with key k3y\n"
    assert done.stdout == b""  # nothing for cron to mail


def test_the_crontab_line_prints_one_line_for_cron_to_mail_when_the_run_fails(tmp_path):
    home = tmp_path / "home"
    venv_bin = home / ".venvs" / "regime" / "bin"
    venv_bin.mkdir(parents=True)
    stub = venv_bin / "regime"
    stub.write_text('#!/bin/sh\necho "ERROR stale week" >&2\nexit 6\n')
    stub.chmod(0o755)
    (home / ".config" / "regime").mkdir(parents=True)
    (home / ".config" / "regime" / "env").write_text("export FRED_API_KEY=k3y\n")
    command = CRON.strip().split(None, 5)[5]

    done = subprocess.run(
        ["/bin/sh", "-c", command],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )

    log = home / ".local" / "state" / "regime" / "run.log"
    assert log.read_text() == "ERROR stale week\n"
    assert done.stdout == f"regime run failed with exit 6: see {log}\n"


@pytest.mark.parametrize("recipe", ["SERVICE", "CRON", "WORKFLOW"])
def test_every_scheduler_recipe_runs_the_job_strict_so_a_failure_is_a_failed_run(recipe):
    text = {"SERVICE": SERVICE, "CRON": CRON, "WORKFLOW": WORKFLOW}[recipe]
    runs = re.findall(r'regime"? run((?: --?\S+)+)', text)  # the command, not its messages
    assert runs and all("--strict" in flags.split() for flags in runs), runs


def test_the_docs_say_what_each_exit_code_of_the_job_means_to_the_scheduler():
    from regime import errors

    table = PRODUCTION.split("| exit | meaning | for the scheduler |")[1].split("\n\n")[0]
    codes = {int(row.split("|")[1]) for row in table.strip().splitlines()[1:]}
    classes = [c for c in vars(errors).values() if isinstance(c, type)]
    own = {c.exit_code for c in classes if issubclass(c, errors.RegimeError)}
    assert codes == {0, errors.EXIT_BUG} | own


def test_the_ci_recipe_keeps_the_history_in_the_committed_state_checkout(tmp_path):
    [sed] = re.findall(r"sed -i (.*?) config.yaml$", WORKFLOW, re.M | re.S)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(PROJECT / "config.yaml", checkout / "config.yaml")

    subprocess.run(["bash", "-c", f"sed -i {sed} config.yaml"], check=True, cwd=checkout)
    settings = load_settings(checkout / "config.yaml")

    assert settings.history_path == checkout / "state" / "history.sqlite"
    assert "ref: regime-history" in WORKFLOW and "path: state" in WORKFLOW
    assert "git add history.sqlite" in WORKFLOW
    assert "actions/cache" not in WORKFLOW  # evicted after 7 days unused: not for the history
