"""Today's date: the one place `regime` reads the clock for a decision.

Freshness (how old the week predicted and each series are) and the default week of `predict`
depend on "today". Everything that needs it calls `today()`, which honours `$REGIME_TODAY`
(YYYY-MM-DD): tests, the soak and replays pass their day in, so no answer depends on the day
the code happens to run. Timestamps that only record when something was written (a history
row, a cache manifest) are not decisions and keep the wall clock.
"""

from __future__ import annotations

import os
import re
from datetime import date

from regime.errors import ConfigError

TODAY_ENV = "REGIME_TODAY"
# Exactly YYYY-MM-DD: date.fromisoformat alone also takes 20260822 and week dates (2026-W34-5).
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def today() -> date:
    """$REGIME_TODAY when set (ConfigError when it is not a date), else the machine's date."""
    given = os.environ.get(TODAY_ENV, "").strip()
    if not given:
        return date.today()
    return parse_day(given)


def parse_day(text: str) -> date:
    """`text` as a YYYY-MM-DD day for $REGIME_TODAY; ConfigError saying how to fix it."""
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ConfigError(
            f"{TODAY_ENV}={shown} is not a date (YYYY-MM-DD); unset it to use today's date"
        ) from None
