"""No input gives a traceback: each class of bad input or broken environment reaches the user
as one `error:` line and its exit code, and loses nothing. Anything else is one line naming
it a bug (exit 70).

Read-only folders are real where permission bits apply (root drops its override through
setpriv); a full disk and a read-only file system are raised by the operating-system calls
themselves (monkeypatched in this process), as the kernel would raise them.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from regime.errors import EXIT_BUG, ConfigError, HistoryError, ModelArtifactError, UsageError

REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]
LONG = "/tmp/" + "x" * 6000  # longer than any file name the kernel takes (ENAMETOOLONG)


def one_error_line(stderr: str) -> str:
    """The only line on stderr, an `error:` line of a readable length."""
    lines = [line for line in stderr.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    assert len(lines[0]) < 600, lines[0][:600]
    return lines[0]


def as_unprivileged() -> list[str]:
    """A command prefix under which permission bits apply (root drops its override)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root ignores permission bits and setpriv is not installed")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


def folder_state(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def os_error_under(monkeypatch):
    """Make `os.open` raise OSError(code) for every path under `folder` (and only there)."""

    def install(folder: Path, code: int) -> None:
        real_open = os.open

        def refusing(path, flags, *args, **kwargs):
            if str(path).startswith(str(folder)) and flags & (os.O_WRONLY | os.O_RDWR):
                raise OSError(code, os.strerror(code), str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)

    return install


@pytest.fixture
def full_disk(monkeypatch):
    """Every fsync fails with ENOSPC, as a full disk reports delayed writes."""

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)


# -- dates ----------------------------------------------------------------------------------


def test_a_date_before_anything_pandas_can_hold_is_a_usage_error(deployment, guarded):
    code, out, err = guarded(deployment, "predict", "--as-of", "0001-01-01")
    assert code == UsageError.exit_code == 2 and out == ""
    assert "the earliest week this model can answer is 1981-01-02" in one_error_line(err)


# -- paths too long for the kernel ------------------------------------------------------------


def test_a_model_path_too_long_for_the_kernel_is_a_model_error(deployment, guarded):
    code, out, err = guarded(deployment, "predict", "--model", LONG)
    line = one_error_line(err)
    assert code == ModelArtifactError.exit_code == 4 and out == ""
    assert "cannot read the model card" in line and "File name too long" in line


def test_a_config_path_too_long_for_the_kernel_is_a_config_error(guarded, monkeypatch, capsys):
    from regime.cli import cli
    from regime.cli._common import run_guarded

    monkeypatch.setattr(sys, "argv", ["regime", "predict", "--config", LONG])
    code = run_guarded(cli)
    line = one_error_line(capsys.readouterr().err)
    assert code == ConfigError.exit_code == 2
    assert "cannot read config file" in line and "File name too long" in line


def test_a_config_that_is_a_folder_is_a_usage_error(tmp_path):
    done = subprocess.run(
        [*REGIME, "predict", "--config", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "is a directory" in one_error_line(done.stderr)


def test_a_model_version_name_too_long_for_the_kernel_is_refused(deployment, guarded):
    for command in ("show", "promote"):
        code, _out, err = guarded(deployment, "models", command, "v" * 6000)
        assert code == ModelArtifactError.exit_code
        assert "is not a model version" in one_error_line(err)


def test_a_history_path_too_long_for_the_kernel_is_a_history_error(deployment, guarded):
    raw = yaml.safe_load(deployment.config.read_text())
    raw["history"]["path"] = LONG + "/history.sqlite"
    deployment.config.write_text(yaml.safe_dump(raw))
    for args in (("history",), ("run", "--offline")):
        code, _out, err = guarded(deployment, *args)
        assert code == HistoryError.exit_code == 5, err
        assert "File name too long" in err and "Traceback" not in err


def test_a_history_folder_that_refuses_the_lock_says_so_at_once(deployment, guarded):
    raw = yaml.safe_load(deployment.config.read_text())
    raw["history"] = {"path": "/proc/regime-history.sqlite", "lock_timeout_seconds": 600}
    deployment.config.write_text(yaml.safe_dump(raw))
    code, _out, err = guarded(deployment, "run", "--offline")
    assert code == HistoryError.exit_code
    assert "cannot create the lock" in err and "held" not in err


# -- a models folder that cannot be written -----------------------------------------------


def test_train_into_a_read_only_models_folder_stops_before_training(deployment):
    before = folder_state(deployment.models)
    deployment.models.chmod(0o555)
    try:
        done = subprocess.run(
            [*as_unprivileged(), *REGIME, "train", "--quiet", "--config", str(deployment.config)],
            capture_output=True,
            text=True,
            env=deployment.env,
            timeout=120,
        )
    finally:
        deployment.models.chmod(0o755)
    assert done.returncode == ModelArtifactError.exit_code, done.stderr
    line = one_error_line(done.stderr)
    assert "cannot write to the models folder" in line and "Permission denied" in line
    assert "walk-forward" not in done.stderr  # it stopped before minutes of training
    assert folder_state(deployment.models) == before


def test_train_into_a_models_path_that_is_a_file_is_one_line(deployment, guarded, tmp_path):
    blocker = tmp_path / "models-file"
    blocker.write_text("not a folder")
    raw = yaml.safe_load(deployment.config.read_text())
    raw["paths"]["models"] = str(blocker)
    deployment.config.write_text(yaml.safe_dump(raw))
    code, _out, err = guarded(deployment, "train", "--quiet")
    assert code == ModelArtifactError.exit_code
    assert "a file is where the folder should be" in one_error_line(err)


def test_promote_on_a_read_only_file_system_is_one_line_and_keeps_latest(
    deployment, guarded, os_error_under
):
    before = folder_state(deployment.models)
    os_error_under(deployment.models, errno.EROFS)
    code, _out, err = guarded(deployment, "models", "promote", deployment.latest.strip())
    assert code == ModelArtifactError.exit_code
    assert "Read-only file system" in one_error_line(err)
    assert folder_state(deployment.models) == before


def test_promote_on_a_full_disk_is_one_line_and_keeps_latest(deployment, guarded, full_disk):
    before = folder_state(deployment.models)
    code, _out, err = guarded(deployment, "models", "promote", deployment.latest.strip())
    assert code == ModelArtifactError.exit_code
    assert "No space left on device" in one_error_line(err)
    assert folder_state(deployment.models) == before
    assert not [p for p in deployment.models.iterdir() if p.name.endswith(".tmp")]


def test_promote_into_a_read_only_models_folder_is_one_line(deployment):
    deployment.models.chmod(0o555)
    try:
        done = subprocess.run(
            [
                *as_unprivileged(),
                *REGIME,
                *("models", "promote", deployment.latest.strip()),
                *("--config", str(deployment.config)),
            ],
            capture_output=True,
            text=True,
            env=deployment.env,
            timeout=120,
        )
    finally:
        deployment.models.chmod(0o755)
    assert done.returncode == ModelArtifactError.exit_code
    assert "Permission denied" in one_error_line(done.stderr)


def test_train_on_a_full_disk_saves_nothing_and_says_so(fast_training, guarded, full_disk):
    before = folder_state(fast_training.models)
    code, _out, err = guarded(fast_training, "train", "--quiet", "--force")
    assert code == ModelArtifactError.exit_code, err
    line = one_error_line(err)
    assert "cannot write to the models folder" in line and "No space left" in line
    assert folder_state(fast_training.models) == before
    assert not [p for p in fast_training.models.iterdir() if p.name.startswith(".staging")]


# -- a bug -------------------------------------------------------------------------------------


def test_an_unexpected_exception_is_one_line_naming_it_a_bug(deployment, guarded, monkeypatch):
    import regime.model.predict

    def broken(*args, **kwargs):
        raise ZeroDivisionError("something nobody planned for")

    monkeypatch.setattr(regime.model.predict, "load_model", broken)
    code, out, err = guarded(deployment, "predict")
    assert code == EXIT_BUG == 70 and out == ""
    line = one_error_line(err)
    assert line.startswith("error: unexpected ZeroDivisionError: something nobody planned for;")
    assert "bug in regime" in line and "issue tracker" in line and "REGIME_TRACEBACK=1" in line


def test_regime_traceback_shows_the_traceback_of_a_bug(deployment, guarded, monkeypatch):
    import regime.model.predict

    def broken(*args, **kwargs):
        raise ZeroDivisionError("planned for nothing")

    monkeypatch.setattr(regime.model.predict, "load_model", broken)
    monkeypatch.setenv("REGIME_TRACEBACK", "1")
    code, _out, err = guarded(deployment, "predict")
    assert code == EXIT_BUG
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-1].startswith("error: unexpected ZeroDivisionError")
