"""The soak's stand-in for `yfinance.download`, loaded by `regime` through REGIME_YAHOO_DOWNLOAD.

It asks the soak's fake server (`REGIME_SOAK_YAHOO_URL`) for one symbol's closes and returns them
in yfinance's layout (MultiIndex columns (Price, Ticker), a tz-aware index), failing the way
yfinance does: a rate limit raises `YFRateLimitError`, any other failure comes back as an empty
frame, and a partial answer as NaN closes.
"""

from __future__ import annotations

import http.client
import io
import os
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

import pandas as pd


class YFRateLimitError(Exception):
    """Named like yfinance's own, which is all the product looks at."""


def download(tickers: str, **kwargs: object) -> pd.DataFrame:
    base = os.environ["REGIME_SOAK_YAHOO_URL"]
    start = str(kwargs.get("start") or "0000-00-00")
    url = f"{base}/{quote(tickers)}?{urlencode({'start': start})}"
    timeout = float(kwargs.get("timeout") or 10)  # type: ignore[arg-type]
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            text = answer.read().decode()
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            raise YFRateLimitError("Too Many Requests. Rate limited. Try after a while.") from None
        return pd.DataFrame()
    except (OSError, ValueError, http.client.HTTPException):
        return pd.DataFrame()
    closes = pd.read_csv(io.StringIO(text), index_col="date", parse_dates=True)["close"]
    if closes.empty:
        return pd.DataFrame()
    index = pd.DatetimeIndex(closes.index, name="Date").tz_localize("America/New_York")
    prices = ["Adj Close", "Close", "High", "Low", "Open", "Volume"]
    columns = pd.MultiIndex.from_product([prices, [tickers]], names=["Price", "Ticker"])
    values = {(p, tickers): closes.to_numpy(dtype=float) for p in prices}
    return pd.DataFrame(values, index=index, columns=columns)
