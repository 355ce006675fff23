"""`--clock-ahead DAYS`: run the tests with the clock DAYS days in the future.

No test may depend on the day it runs (README, "No test reads today's date"). CI runs the fast
tests a second time with `--clock-ahead 365`, so a test that does fails in CI, not next month:

- in this process, time-machine moves every clock read (`date.today()`, `datetime.now()`,
  `time.time()`, ...) DAYS ahead, still ticking;
- every process a test starts inherits `$REGIME_TODAY` set to that day, which `regime`'s one
  reading of the clock (regime/clock.py) honours. A test that sets its own `REGIME_TODAY`
  still wins: it passes its day in, as it should.

The root conftest imports the two hooks below; `-p tests.clock_ahead` loads them elsewhere.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

OPTION = "--clock-ahead"
TODAY_ENV = "REGIME_TODAY"  # regime.clock.TODAY_ENV; not imported: this module loads first


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        type=int,
        default=None,
        metavar="DAYS",
        help="run with the clock DAYS days ahead (time-machine in this process, "
        "$REGIME_TODAY for the processes tests start)",
    )


def pytest_configure(config: pytest.Config) -> None:
    days = config.getoption(OPTION)
    if days is None:
        return
    import time_machine

    ahead = datetime.now(UTC) + timedelta(days=days)
    traveller = time_machine.travel(ahead, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)
    previous = os.environ.get(TODAY_ENV)
    os.environ[TODAY_ENV] = ahead.date().isoformat()
    config.add_cleanup(lambda: _restore(previous))


def pytest_report_header(config: pytest.Config) -> str | None:
    days = config.getoption(OPTION)
    if days is None:
        return None
    return f"clock: {days} days ahead, today is {os.environ.get(TODAY_ENV)} ({TODAY_ENV} set)"


def _restore(previous: str | None) -> None:
    if previous is None:
        os.environ.pop(TODAY_ENV, None)
    else:
        os.environ[TODAY_ENV] = previous
