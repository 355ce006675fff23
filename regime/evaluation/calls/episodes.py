"""One row per bear market in the judged weeks: when it began and ended, and who saw it.

A bear market here is a hindsight risk_off episode: a run of risk_off weeks. Its peak is the week
before its first risk_off week (the hindsight labels start the bear the week after the peak), its
trough its last risk_off week. For each model: its first risk_off call inside the episode, as a
date and in weeks from the peak (a call on the first risk_off week is 1 week), and how many of
the episode's weeks it called risk_off.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from regime.constants import RISK_OFF
from regime.metrics import risk_off_episodes

ONE_WEEK = pd.Timedelta(weeks=1)


def bear_markets(truth: pd.Series, calls: dict[str, pd.Series]) -> dict[str, Any]:
    """{"count", "episodes": [{"peak", "trough", "weeks", "models": {name: {...}}}]}.

    Each model's entry: `first_call` (ISO date or None), `lag_weeks` (None if never flagged)
    and `weeks_flagged`. `calls` are the models' weekly calls on (at least) `truth`'s weeks.
    """
    episodes = []
    for start, end in risk_off_episodes(truth):
        inside = truth.loc[start:end].index
        models = {name: _flagged(called.reindex(inside)) for name, called in calls.items()}
        episodes.append(
            {
                "peak": (start - ONE_WEEK).date().isoformat(),
                "trough": end.date().isoformat(),
                "weeks": len(inside),
                "models": models,
            }
        )
    return {"count": len(episodes), "episodes": episodes}


def _flagged(inside: pd.Series) -> dict[str, Any]:
    hits = np.flatnonzero(inside.to_numpy() == RISK_OFF)
    if len(hits) == 0:
        return {"first_call": None, "lag_weeks": None, "weeks_flagged": 0}
    return {
        "first_call": inside.index[hits[0]].date().isoformat(),
        "lag_weeks": int(hits[0]) + 1,
        "weeks_flagged": len(hits),
    }
