"""`regime fetch`: one summary line per series, errors as lines on stderr, a non-zero exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


def test_one_failed_series_is_the_error_in_its_own_words_and_the_others_still_land(
    tmp_path, fake_fred
):
    config = fakes_fred.write_config(tmp_path)

    result = invoke("--series", "NOSUCH", "--series", "DGS10", "--config", str(config))

    assert isinstance(result.exception, DataSourceError)
    assert str(result.exception) == "NOSUCH: HTTP 400: Bad Request. The series does not exist."
    assert result.stderr == ""  # the exit line (run_guarded prints it) is the only one
    assert result.stdout.startswith("DGS10: ")


def test_several_failed_series_get_a_line_each_then_one_naming_them_all(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)
    fake_fred.script["DGS2"] = ["500"] * 3

    result = invoke("--series", "NOSUCH", "--series", "DGS2", "--config", str(config))

    assert str(result.exception) == "2 series failed (NOSUCH, DGS2); the cache kept the rest"
    assert result.stderr.splitlines() == [
        "error: NOSUCH: HTTP 400: Bad Request. The series does not exist.",
        "error: DGS2: HTTP 500 after 3 attempts; try again later",
    ]


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
    args = ["fetch", "--config", str(config)] + ["--series=DGS10", "--series=NOSUCH"]

    done = run_regime(args, {**os.environ, "FRED_API_KEY": fakes_fred.TEST_KEY}, at(fake_fred))

    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("DGS10: ")
    assert done.stderr == "error: NOSUCH: HTTP 400: Bad Request. The series does not exist.\n"
    assert fakes_fred.TEST_KEY not in done.stdout + done.stderr


def at(fake: fakes_fred.FakeFred) -> str:
    """A prelude pointing fredapi (its public class attribute) at the fake FRED."""
    return f"import fredapi\nfredapi.Fred.root_url = {fake.url!r}"


@pytest.mark.parametrize(
    "fault, line",
    [
        (
            "429",
            "DGS10: FRED rate limit (HTTP 429: Too Many Requests.) after 3 attempts; "
            "try again later, or lower fetch.fred_requests_per_second",
        ),
        ("500", "DGS10: HTTP 500 after 3 attempts; try again later"),
        (
            "truncated",
            "DGS10: FRED's answer was cut short (IncompleteRead) after 3 attempts; try again later",
        ),
    ],
)
def test_as_a_process_a_429_a_500_or_a_truncated_answer_is_one_line_without_the_key(
    tmp_path, fake_fred, fault, line
):
    config = fakes_fred.write_config(tmp_path)
    fake_fred.script["DGS10"] = [fault] * 3  # every attempt (fetch.retries is 2 here)
    env = {**os.environ, "FRED_API_KEY": fakes_fred.TEST_KEY}

    done = run_regime(["fetch", "--series=DGS10", "--config", str(config)], env, at(fake_fred))

    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == f"error: {line}\n"
    assert fakes_fred.TEST_KEY not in done.stderr
    assert len(fake_fred.requests_for("DGS10")) == 3


def test_as_a_process_a_fetch_against_the_fake_fills_the_cache_from_freds_xml(tmp_path, fake_fred):
    config = fakes_fred.write_config(tmp_path)
    env = {**os.environ, "FRED_API_KEY": fakes_fred.TEST_KEY}

    done = run_regime(["fetch", "--series=DGS10", "--config", str(config)], env, at(fake_fred))

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("DGS10: ") and " added, 0 revised, last 2026-" in done.stdout
    assert (tmp_path / "cache" / "fred" / "DGS10.csv").is_file()
