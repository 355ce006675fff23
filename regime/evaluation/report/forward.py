"""What followed each call: forward small-cap minus large-cap total returns, by called regime.

A week's forward return over h weeks is the small cap's return from its close to the close h
weeks later, minus the large cap's: total returns (dividends reinvested: the dataset's
`indices.total_return` levels) when the data has them, price indices otherwise (`levels`).
Windows of consecutive weeks overlap, so the week counts overstate the independent outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

HORIZONS = (4, 13, 26)
ALL_WEEKS = "every judged week"


def levels(total_returns: pd.DataFrame, closes: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The levels to measure forward returns on, and whether they are total returns."""
    columns = ["small_cap", "large_cap"]
    if set(columns) <= set(total_returns.columns) and total_returns[columns].notna().any().all():
        return total_returns[columns], True
    return closes[columns], False


def forward_relative(total_returns: pd.DataFrame, weeks: int) -> pd.Series:
    """The small cap's return over the next `weeks` weeks minus the large cap's (NaN where
    not yet known)."""
    ahead = total_returns.shift(-weeks) / total_returns - 1
    return (ahead["small_cap"] - ahead["large_cap"]).rename(f"{weeks}w")


def forward_by_call(
    calls: pd.Series,
    total_returns: pd.DataFrame,
    regimes: Sequence[str],
    horizons: Sequence[int] = HORIZONS,
) -> pd.DataFrame:
    """Rows: each called regime, then every week; columns per horizon h: `<h>w mean`,
    `<h>w median`, `<h>w share > 0` (share of weeks RUT beat SPX) and `<h>w weeks`."""
    columns: dict[str, pd.Series] = {}
    for h in horizons:
        ahead = forward_relative(total_returns, h).reindex(calls.index)
        known = ahead.notna()
        groups = ahead[known].groupby(calls[known])
        every = ahead[known]
        for name, stat, total in (
            ("mean", groups.mean(), every.mean()),
            ("median", groups.median(), every.median()),
            ("share > 0", groups.apply(lambda s: float((s > 0).mean())), float((every > 0).mean())),
            ("weeks", groups.size(), float(len(every))),
        ):
            columns[f"{h}w {name}"] = pd.concat([stat, pd.Series({ALL_WEEKS: total})])
    table = pd.DataFrame(columns)
    order = [r for r in regimes if r in table.index] + [ALL_WEEKS]
    return table.loc[order]
