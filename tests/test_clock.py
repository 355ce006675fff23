"""Today's date has one seam (regime/clock.py), and `--clock-ahead` catches a test that reads
the real date instead of passing its day in."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from regime.clock import TODAY_ENV, parse_day, today
from regime.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "regime"
# Reading the day for a decision: today()/now() of date, datetime or pandas' Timestamp.
READS_TODAY = re.compile(
    r"\bdate\.today\(|\bdatetime\.today\(|Timestamp\.(today|now)\(|Timestamp\([\"'](today|now)"
    r"|datetime\.now\([^)]*\)\.date\("
)
# Not through the seam (none left): each one listed here would be named, so a new one fails.
NOT_YET: dict[str, str] = {}


def test_today_is_regime_today_when_it_is_set(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2031-02-28")
    assert today() == date(2031, 2, 28)


def test_today_is_the_machines_date_without_regime_today(monkeypatch, time_machine):
    monkeypatch.delenv(TODAY_ENV, raising=False)
    time_machine.move_to(date(2030, 5, 17))
    assert today() == date(2030, 5, 17)


@pytest.mark.parametrize(
    "given", ["next tuesday", "20260822", "2026-W34-5", "2026-02-30", "2026-8-2", "٢٠٢٦-٠٨-٢٢"]
)
def test_only_a_yyyy_mm_dd_day_is_accepted_as_regime_today(given):
    with pytest.raises(ConfigError, match=f"{TODAY_ENV}=.* is not a date \\(YYYY-MM-DD\\)"):
        parse_day(given)


def test_a_huge_regime_today_is_named_shortened_in_its_error():
    with pytest.raises(ConfigError) as caught:
        parse_day("9" * 5000)
    assert len(str(caught.value)) < 200


def test_the_package_reads_todays_date_only_through_regime_clock():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PROJECT).as_posix()
        if relative == "regime/clock.py":
            continue
        lines = [
            n
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if READS_TODAY.search(line)
        ]
        if lines:
            found[relative] = lines
    assert sorted(found) == sorted(NOT_YET), found


# A file's modification time comes from the kernel, which no clock travel reaches.
DEPENDS_ON_THE_DAY = """
import os
from datetime import UTC, date, datetime, timedelta


def the_kernels_day(folder):
    marker = folder / "now"
    marker.touch()
    return datetime.fromtimestamp(marker.stat().st_mtime, UTC).date()


def test_reads_the_machines_date(tmp_path):
    assert abs((datetime.now(UTC).date() - the_kernels_day(tmp_path)).days) <= 1


def test_passes_its_day_in():
    assert date.fromisoformat("2026-08-22").year == 2026


def test_processes_it_starts_are_told_the_day(tmp_path):
    ahead = the_kernels_day(tmp_path) + timedelta(days=365)
    assert abs((date.fromisoformat(os.environ["REGIME_TODAY"]) - ahead).days) <= 1
"""


def test_clock_ahead_fails_a_test_that_reads_the_machines_date(tmp_path):
    test_file = tmp_path / "test_day.py"
    test_file.write_text(DEPENDS_ON_THE_DAY)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
            *("-p", "tests.clock_ahead", "--clock-ahead", "365", str(test_file)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT)},
    )
    summary = done.stdout.strip().splitlines()[-1:]
    assert summary and summary[0].startswith("1 failed, 2 passed"), done.stdout + done.stderr
    assert (
        "test_day.py::test_reads_the_machines_date" in done.stdout.split("short test summary")[-1]
    )
