"""`regime run`, the scheduled job: idempotent, serialised, and every failure one line on stderr
with a non-zero exit code; a bad history is never written to. These runs are `--offline` (the
tests never use the network); test_run_fetch.py covers what it fetches."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from filelock import FileLock

from regime.errors import HistoryError

REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]


def rows(history) -> list[tuple]:
    with sqlite3.connect(history) as con:
        return con.execute("SELECT as_of, model_version, regime FROM predictions").fetchall()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " ERROR " in line or '"ERROR"' in line]


def test_offline_it_predicts_from_the_embedded_data_and_records_one_row(deployment):
    result = deployment.regime("run", "--offline", "--format", "json")

    assert result.returncode == 0, result.stderr
    assert "INFO regime.jobs: offline run: predicting from the cache" in result.stderr
    prediction = json.loads(result.stdout)
    assert prediction["recorded"] is True
    assert rows(deployment.history) == [
        (prediction["as_of"], prediction["model"]["version"], prediction["regime"])
    ]


def test_a_second_run_for_the_same_week_and_model_changes_nothing(deployment, invoke):
    assert invoke(deployment, "run", "--offline").exit_code == 0
    before = digest(deployment.history)

    again = invoke(deployment, "run", "--offline")

    assert again.exit_code == 0, again.stderr
    assert "already recorded, history unchanged" in again.stderr
    assert digest(deployment.history) == before
    assert len(rows(deployment.history)) == 1


def test_json_logs_are_one_object_per_line_with_a_level(deployment, invoke):
    result = invoke(deployment, "run", "--offline", "--log-format", "json")

    assert result.exit_code == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert {e["level"] for e in entries} == {"WARNING", "INFO"}
    assert entries[-1]["added"] is True and entries[-1]["history"] == str(deployment.history)


def test_two_overlapping_runs_take_turns_and_leave_exactly_one_row(deployment):
    first, second = deployment.popen("run", "--offline"), deployment.popen("run", "--offline")
    outcomes = [p.communicate(timeout=120) for p in (first, second)]

    assert (first.returncode, second.returncode) == (0, 0), outcomes
    said = "".join(err for _out, err in outcomes)
    assert said.count(": recorded") == 1
    assert said.count("already recorded") == 1
    assert len(rows(deployment.history)) == 1
    with sqlite3.connect(deployment.history) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_file_that_is_not_sqlite_is_reported_and_left_byte_for_byte(deployment, invoke):
    deployment.history.parent.mkdir(parents=True)
    deployment.history.write_bytes(b"week,regime\n2026-08-21,neutral\n" * 50)
    before = digest(deployment.history)

    result = invoke(deployment, "run", "--offline")

    assert result.exit_code == HistoryError.exit_code
    [line] = error_lines(result.stderr)
    assert "is not an SQLite database; move it aside" in line
    assert "Traceback" not in result.stderr
    assert digest(deployment.history) == before


def test_a_damaged_sqlite_history_is_detected_and_left_byte_for_byte(deployment, invoke):
    assert invoke(deployment, "run", "--offline").exit_code == 0
    with sqlite3.connect(deployment.history) as con:  # grow it past a few pages
        con.executemany(
            "INSERT INTO predictions VALUES (?, 'old', 'neutral', 0.5, '{}', '[]', '{}', 'x')",
            [(f"1990-{i:05d}",) for i in range(3000)],
        )
    data = bytearray(deployment.history.read_bytes())
    page = 4096
    data[2 * page : 2 * page + 512] = b"\xff" * 512  # scribble over the start of page 3
    deployment.history.write_bytes(bytes(data))
    before = digest(deployment.history)

    result = invoke(deployment, "run", "--offline")

    assert result.exit_code == HistoryError.exit_code, result.stderr
    [line] = error_lines(result.stderr)
    assert "is corrupt" in line and "left untouched" in line
    assert digest(deployment.history) == before


def test_a_history_from_a_newer_regime_is_refused(deployment, invoke):
    assert invoke(deployment, "run", "--offline").exit_code == 0
    with sqlite3.connect(deployment.history) as con:
        con.execute("PRAGMA user_version = 99")

    result = invoke(deployment, "run", "--offline")

    assert result.exit_code == HistoryError.exit_code
    assert "has format 99, newer than this regime understands" in result.stderr


def test_an_unwritable_history_path_is_one_error_line_and_an_exit_code(deployment, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the history folder should be")
    config = deployment.config.read_text().replace(
        str(deployment.history), str(blocker / "history.sqlite")
    )
    deployment.config.write_text(config)

    result = deployment.regime("run", "--offline")

    assert result.returncode == HistoryError.exit_code
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "ERROR" in line and "history.path" in line and str(blocker) in line


def test_a_full_disk_is_a_clear_error_not_a_traceback(deployment, invoke, monkeypatch):
    import regime.job.history

    real_connect = regime.job.history._connect

    def full_disk(path, *, read_only):
        con = real_connect(path, read_only=read_only)
        if not read_only:  # SQLite's own SQLITE_FULL: no page may be added to the file
            con.execute("PRAGMA max_page_count = 1")
        return con

    monkeypatch.setattr(regime.job.history, "_connect", full_disk)

    result = invoke(deployment, "run", "--offline")

    assert result.exit_code == HistoryError.exit_code
    [line] = error_lines(result.stderr)
    assert "cannot write the prediction history" in line and "full" in line
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_run_that_cannot_get_the_lock_in_time_gives_up_with_one_line(deployment, invoke):
    config = deployment.config.read_text().replace(
        "lock_timeout_seconds: 60", "lock_timeout_seconds: 1"
    )
    deployment.config.write_text(config)
    deployment.history.parent.mkdir(parents=True)
    with FileLock(str(deployment.history) + ".lock"):
        result = invoke(deployment, "run", "--offline")

    assert result.exit_code == HistoryError.exit_code
    [line] = error_lines(result.stderr)
    assert "another `regime run` has held" in line
    assert not deployment.history.exists()


def as_unprivileged() -> list[str]:
    """A command prefix under which permission bits apply (root drops its override)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root ignores permission bits and setpriv is not installed")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


def test_a_read_only_history_folder_is_one_error_line(deployment):
    folder = deployment.history.parent
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        result = subprocess.run(
            [*as_unprivileged(), *REGIME, "run", "--offline", "--config", str(deployment.config)],
            capture_output=True,
            text=True,
            env=deployment.env,
            timeout=120,
        )
    finally:
        folder.chmod(0o755)

    assert result.returncode == HistoryError.exit_code, result.stderr
    [line] = result.stderr.splitlines()
    assert "ERROR" in line and "Permission denied" in line and "history.path" in line
    assert not deployment.history.exists()


# A writer SIGKILLed inside its transaction, after SQLite spilled pages into the file: the
# journal it leaves behind is "hot" and holds what the file looked like before the transaction.
KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from regime.job.history import open_history

con = open_history(Path(sys.argv[1]))
con.execute("PRAGMA cache_size = 1")
con.execute("BEGIN IMMEDIATE")
for i in range(5000):
    con.execute(
        "INSERT INTO predictions VALUES (?, 'killed', 'neutral', 0.5, '{}', '[]', ?, 'x')",
        (str(i), "x" * 200),
    )
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_run_killed_mid_write_is_rolled_back_by_the_next_run(deployment, invoke):
    assert invoke(deployment, "run", "--offline").exit_code == 0
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(deployment.history)],
        env=deployment.env,
        timeout=120,
    )
    assert killed.returncode == -9
    assert deployment.history.with_name("history.sqlite-journal").exists()

    result = invoke(deployment, "run", "--offline")

    assert result.exit_code == 0, result.stderr
    assert "already recorded" in result.stderr
    assert len(rows(deployment.history)) == 1
    with sqlite3.connect(deployment.history) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_history_folders_are_created_on_the_first_run(deployment):
    nested = deployment.root / "state" / "regime" / "weekly" / "history.sqlite"
    config = deployment.config.read_text().replace(str(deployment.history), str(nested))
    deployment.config.write_text(config)

    result = deployment.regime("run", "--offline")

    assert result.returncode == 0, result.stderr
    assert rows(nested) != []
