"""A thin client of ours around `yfinance.download`: daily closes, checked, or one clear error.

yfinance swallows most failures (a rate limit or an unknown symbol comes back as an empty or
partial frame), returns MultiIndex columns, and keeps caches in the user's home. This client
passes `auto_adjust` explicitly, flattens the columns to one close series, treats empty or
partial frames as errors, retries with backoff, and can move yfinance's caches elsewhere.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from regime.clock import today as clock_today
from regime.errors import DataSourceError

log = logging.getLogger(__name__)

Download = Callable[..., pd.DataFrame | None]


def _yfinance_download(*args: Any, **kwargs: Any) -> pd.DataFrame | None:
    # Imported before the filters below: on import yfinance puts its own filter first in line,
    # `default` for DeprecationWarnings raised in its modules, which would beat ours had the
    # first import happened inside the `catch_warnings` block.
    import yfinance

    # yfinance logs each failed download to stderr itself; ours is the one error line.
    yf_log = logging.getLogger("yfinance")
    level = yf_log.level
    yf_log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            # Pandas deprecations raised in yfinance's code (e.g. Pandas4Warning, a
            # DeprecationWarning) are for yfinance's authors, not our users: silenced only
            # where the warning is attributed to a yfinance module, and only for this call.
            for category in (DeprecationWarning, FutureWarning):
                warnings.filterwarnings("ignore", category=category, module=r"yfinance(\.|$)")
            return yfinance.download(*args, **kwargs)
    finally:
        yf_log.setLevel(level)


def set_yfinance_cache(folder: Path) -> None:
    """Keep yfinance's timezone and cookie caches in `folder` instead of the user's home."""
    import yfinance

    folder.mkdir(parents=True, exist_ok=True)
    yfinance.set_tz_cache_location(str(folder))


class YahooClient:
    """Daily index closes from Yahoo Finance.

    `download` has `yfinance.download`'s signature; tests inject a fake. Closes are unadjusted
    (`auto_adjust=False`): indices pay no dividends, and the snapshot holds plain closes.
    """

    def __init__(
        self,
        *,
        download: Download | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._download = download or _yfinance_download
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep

    def closes(self, symbol: str, start: date | None = None) -> pd.Series:
        """Daily closes from `start` (all history when None), indexed by trading date."""
        failure = ""
        for attempt in range(self.retries + 1):
            try:
                return self._closes_once(symbol, start)
            except DataSourceError as exc:
                failure = str(exc)
            if attempt < self.retries:
                wait = self.backoff * 2**attempt
                log.info("%s; retrying in %.1fs", failure, wait)
                self._sleep(wait)
        tries = self.retries + 1
        after = f" after {tries} attempts" if tries > 1 else ""
        raise DataSourceError(f"{failure}{after}")

    def _closes_once(self, symbol: str, start: date | None) -> pd.Series:
        kwargs: dict[str, Any] = {
            "auto_adjust": False,
            "actions": False,
            "progress": False,
            "threads": False,
            "timeout": self.timeout,
            "interval": "1d",
            "multi_level_index": True,
        }
        if start is None:
            kwargs["period"] = "max"
        else:
            kwargs["start"] = start.isoformat()
            # Yahoo's end is exclusive: ask through tomorrow to include today's close.
            kwargs["end"] = (clock_today() + timedelta(days=2)).isoformat()
        try:
            frame = self._download(symbol, **kwargs)
        except Exception as exc:  # yfinance may raise anything; the series fails, others go on
            name = type(exc).__name__
            what = "Yahoo rate limit" if "RateLimit" in name else f"{name}: {exc}"
            raise DataSourceError(f"{symbol}: {what}") from None
        return flatten_closes(frame, symbol)


def flatten_closes(frame: pd.DataFrame | None, symbol: str) -> pd.Series:
    """One symbol's closes from a yfinance frame; raise if the frame is empty or partial.

    Accepts yfinance's layouts: MultiIndex columns (Price, Ticker) or (Ticker, Price), or flat
    columns. A tz-aware index keeps its exchange-local dates.
    """
    if frame is None or frame.empty:
        raise DataSourceError(
            f"{symbol}: Yahoo returned no rows (network down, rate limit or unknown symbol)"
        )
    columns = frame.columns
    close: pd.Series | pd.DataFrame | None = None
    if isinstance(columns, pd.MultiIndex):
        for price_level in range(columns.nlevels):
            names = columns.get_level_values(price_level)
            if "Close" in names:
                subset = frame.xs("Close", axis=1, level=price_level)
                close = _pick_symbol(subset, symbol)
                break
    elif "Close" in columns:
        close = frame["Close"]
    if close is None:
        raise DataSourceError(f"{symbol}: Yahoo's answer has no Close column for {symbol}")
    index = pd.DatetimeIndex(close.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    series = pd.Series(
        pd.to_numeric(close, errors="coerce").to_numpy(dtype=float),
        index=index.normalize(),
        name=symbol,
    )
    missing = series[series.isna()]
    if len(missing):
        shown = ", ".join(missing.index[:5].strftime("%Y-%m-%d"))
        raise DataSourceError(
            f"{symbol}: Yahoo's answer is partial: {len(missing)} row(s) without a close ({shown})"
        )
    return series


def _pick_symbol(subset: pd.DataFrame | pd.Series, symbol: str) -> pd.Series | None:
    if isinstance(subset, pd.Series):
        return subset
    wanted = [c for c in subset.columns if str(c).upper() == symbol.upper()]
    if wanted:
        return subset[wanted[0]]
    if subset.shape[1] == 1 and not str(subset.columns[0]).strip():
        return subset.iloc[:, 0]
    return None
