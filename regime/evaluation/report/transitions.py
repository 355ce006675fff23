"""How the hindsight regimes follow one another: weekly transition probabilities and run lengths.

>>> labels = pd.Series(["a", "a", "b", "a", "a", "a"])
>>> transition_matrix(labels, ["a", "b"]).round(2).values.tolist()
[[0.75, 0.25], [1.0, 0.0]]
>>> durations(labels, ["a", "b"])["mean_weeks"].tolist()
[2.5, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def transition_matrix(labels: pd.Series, states: Sequence[str]) -> pd.DataFrame:
    """P(next week's label = column | this week's label = row), from consecutive weeks.

    Rows sum to 1; a state never followed by another week (absent, or only last) is left out.
    """
    now = labels.to_numpy()[:-1]
    after = labels.to_numpy()[1:]
    counts = pd.crosstab(
        pd.Categorical(now, categories=list(states)),
        pd.Categorical(after, categories=list(states)),
        dropna=False,
    )
    counts.index, counts.columns = list(states), list(states)
    counts = counts.loc[counts.sum(axis=1) > 0]
    return counts.div(counts.sum(axis=1), axis=0)


def durations(labels: pd.Series, states: Sequence[str]) -> pd.DataFrame:
    """Per state: `runs` (spells of consecutive weeks), `mean_weeks` (their mean length) and
    `longest`. Spells cut by the first or last week count with the length seen."""
    values = labels.to_numpy()
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.r_[0, change]
    lengths = np.diff(np.r_[starts, len(values)])
    runs = pd.DataFrame({"state": values[starts], "weeks": lengths})
    grouped = runs.groupby("state")["weeks"]
    out = pd.DataFrame(
        {"runs": grouped.size(), "mean_weeks": grouped.mean(), "longest": grouped.max()}
    )
    return out.reindex(list(states)).dropna().astype({"runs": int, "longest": int})
