"""Every warning a command prints is one `warning: ...` line, the library's log records
included (Python would print them bare), and each is printed once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.sources import fakes_fred

REPO = Path(__file__).resolve().parents[2]
REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]


def regime(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    environment.update(env)
    return subprocess.run(
        [*REGIME, *args], capture_output=True, text=True, env=environment, timeout=120
    )


def assert_every_line_is_labelled(stderr: str) -> None:
    bare = [line for line in stderr.splitlines() if not line.startswith(("warning: ", "error: "))]
    assert bare == [], stderr


def test_a_log_record_of_the_library_is_a_warning_line(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)
    done = regime(
        "fetch",
        *("--series", "DGS10", "--config", str(config)),
        REGIME_FRED_URL=fake_fred.url,
        FRED_API_KEY=fakes_fred.TEST_KEY,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"warning: FRED requests go to {fake_fred.url} (REGIME_FRED_URL is set)\n"


def test_a_corrupt_cache_file_is_one_warning_line_in_fetch_and_one_in_run(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)
    env = {"REGIME_FRED_URL": fake_fred.url, "FRED_API_KEY": fakes_fred.TEST_KEY}
    cached = tmp_path / "cache" / "fred" / "DGS10.csv"

    assert regime("fetch", "--series", "DGS10", "--config", str(config), **env).returncode == 0
    cached.write_bytes(cached.read_bytes()[:-20])
    fetched = regime("fetch", "--series", "DGS10", "--config", str(config), **env)

    assert fetched.returncode == 0, fetched.stderr
    assert_every_line_is_labelled(fetched.stderr)
    [note] = [line for line in fetched.stderr.splitlines() if "checksum" in line]
    assert note.startswith("warning: ") and "fetched again in full" in note
