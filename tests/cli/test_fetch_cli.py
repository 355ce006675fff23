"""`regime fetch`: one summary line per series, errors as lines on stderr, a non-zero exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from regime.config import load_settings
from regime.errors import DataSourceError
from regime.sources import load_market_data
from regime.sources.fred import KEY_HELP
from tests.sources import fakes_fred

REPO = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    from regime.cli.fetch import fetch_command

    return CliRunner().invoke(fetch_command, list(args))


def test_one_summary_line_per_series_and_no_progress_bar_off_a_terminal(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)

    result = invoke("--series", "DGS10", "--series", "T10Y2Y", "--config", str(config))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["DGS10", "T10Y2Y"]
    assert all(" added, 0 revised, last 2026-" in line for line in lines)
    assert "fetching" not in result.output


def test_quiet_prints_nothing_when_all_went_well(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)

    result = invoke("--series", "DGS10", "--quiet", "--config", str(config))

    assert (result.exit_code, result.output) == (0, "")


def test_a_failed_series_is_an_error_line_and_a_failure_the_others_still_land(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)

    result = invoke("--series", "NOSUCH", "--series", "DGS10", "--config", str(config))

    assert isinstance(result.exception, DataSourceError)
    assert "1 series failed (NOSUCH)" in str(result.exception)
    assert result.stderr.startswith("error: NOSUCH: HTTP 400: Bad Request. The series does not")
    assert result.stdout.startswith("DGS10: ")


def test_without_a_key_it_fails_before_downloading_and_later_commands_still_work(
    tmp_path, fake_fred, monkeypatch
):
    monkeypatch.delenv("FRED_API_KEY")
    config = fakes_fred.write_config(tmp_path)

    result = invoke("--config", str(config))

    assert str(result.exception) == KEY_HELP
    assert fake_fred.requests == []
    data = load_market_data(load_settings(config))  # what predict/train read: the snapshot
    assert set(data.origin.values()) == {"snapshot"}


def run_regime(
    args: list[str], env: dict[str, str], prelude: str = ""
) -> subprocess.CompletedProcess:
    code = "\n".join(
        [prelude, "import sys", "from regime.cli import main", "sys.argv[0] = 'regime'", "main()"]
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_as_a_process_no_key_is_one_line_on_stderr_and_exit_code_3(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    config = fakes_fred.write_config(tmp_path)

    done = run_regime(["fetch", "--config", str(config)], env)

    assert done.returncode == 3, done.stderr
    assert done.stderr == f"error: {KEY_HELP}\n"
    assert done.stdout == ""


def test_as_a_process_a_failed_series_gives_exit_code_3(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)
    prelude = f"import regime.sources.fred_json as f\nf.ROOT_URL = {fake_fred.url!r}"
    args = ["fetch", "--config", str(config)] + ["--series=DGS10", "--series=NOSUCH"]

    done = run_regime(args, {**os.environ, "FRED_API_KEY": fakes_fred.TEST_KEY}, prelude)

    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("DGS10: ")
    assert (
        done.stderr.splitlines()[-1] == "error: 1 series failed (NOSUCH); the cache kept the rest"
    )
    assert fakes_fred.TEST_KEY not in done.stdout + done.stderr
