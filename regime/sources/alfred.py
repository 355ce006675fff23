"""First releases from ALFRED's vintage history, asked for in slices FRED answers whole.

fredapi's `get_series_first_release` asks for every vintage at once, which FRED refuses for a
series with more than 2,000 vintage dates (fredapi issue #48), and fredapi sends no `limit` or
`offset`, so an answer that reaches FRED's 100,000-row cap is silently cut short. Here the
vintage dates are split into slices of at most `max_vintages` (one `get_series_all_releases`
each), and a slice whose answer reaches the row cap is split again until every answer is below
it. The first value published for each observation date wins.

Pure functions over what fredapi returns; the requests are the caller's (`FredClient`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from regime.errors import DataSourceError

# ALFRED answers at most this many vintage dates per observations request.
MAX_VINTAGES_PER_REQUEST = 2000
# FRED's most observations in one answer (its `limit` default and maximum).
MAX_ROWS_PER_ANSWER = 100_000
# FRED's most vintage dates in one `series/vintagedates` answer (its `limit` maximum).
MAX_VINTAGE_DATES_PER_ANSWER = 10_000

# (realtime_start, realtime_end) as FRED's ISO dates -> fredapi's all-releases frame.
AskReleases = Callable[[str, str], pd.DataFrame]


def vintage_days(raw: Iterable[object]) -> list[pd.Timestamp]:
    """fredapi's vintage dates as sorted, distinct days; missing ones (None, NaT) dropped."""
    days = {pd.Timestamp(d).normalize() for d in raw if d is not None and not pd.isna(d)}
    return sorted(days)


def slices(days: Sequence[pd.Timestamp], size: int) -> list[Sequence[pd.Timestamp]]:
    """`days` cut into consecutive runs of at most `size`."""
    return [days[i : i + size] for i in range(0, len(days), size)]


def releases_below_cap(
    series_id: str, days: Sequence[pd.Timestamp], ask: AskReleases, row_cap: int
) -> list[pd.DataFrame]:
    """Every release published on `days` (one slice), in answers each below `row_cap` rows.

    An answer of `row_cap` rows or more may have been cut by FRED: the slice is halved and each
    half asked for again. A single vintage that still reaches the cap cannot be split further.
    """
    frame = ask(_iso(days[0]), _iso(days[-1]))
    if len(frame) < row_cap:
        return [frame]
    if len(days) == 1:
        raise DataSourceError(
            f"{series_id}: ALFRED's answer for the vintage of {_iso(days[0])} reached FRED's "
            f"cap of {row_cap} rows, so it may be cut short; this series cannot be fetched "
            "as first releases (remove it from fetch.vintage_series)"
        )
    half = len(days) // 2
    return releases_below_cap(series_id, days[:half], ask, row_cap) + releases_below_cap(
        series_id, days[half:], ask, row_cap
    )


def first_values(frames: Sequence[pd.DataFrame], series_id: str) -> pd.Series:
    """Each observation date's first published value, from fredapi's all-releases frames.

    Rows whose date or realtime_start is missing (fredapi's NaT or None) and rows whose value is
    FRED's "." (fredapi's NaN) are dropped first: a date first published as "." has its first
    real value as its first release.
    """
    kept = [f for f in frames if len(f)]
    if not kept:
        raise DataSourceError(f"{series_id}: ALFRED returned no observations")
    rows = pd.concat(kept, ignore_index=True)
    missing = {"date", "realtime_start", "value"} - set(rows.columns)
    if missing:
        raise DataSourceError(f"{series_id}: ALFRED's answer has no {', '.join(sorted(missing))}")
    rows = pd.DataFrame(
        {
            "date": pd.to_datetime(rows["date"], errors="coerce"),
            "realtime_start": pd.to_datetime(rows["realtime_start"], errors="coerce"),
            "value": pd.to_numeric(rows["value"], errors="coerce").astype(float),
        }
    ).dropna()
    if rows.empty:
        raise DataSourceError(f"{series_id}: ALFRED returned no dated values")
    first = rows.sort_values(["date", "realtime_start"]).groupby("date", sort=True).head(1)
    return pd.Series(
        first["value"].to_numpy(), index=pd.DatetimeIndex(first["date"]), name=series_id
    )


def _iso(day: pd.Timestamp) -> str:
    return day.strftime("%Y-%m-%d")
