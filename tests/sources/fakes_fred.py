"""Test doubles for `regime fetch`: a fake FRED/ALFRED HTTP server and a fake yfinance.download.

The fixtures are imported by tests/conftest.py (so every folder has them); test modules import
this module as `fakes_fred`.

The real `fredapi.Fred` talks to the fake server (the fixture points fredapi's `root_url` there),
so the tests exercise fredapi's own URL building and XML parsing through our adapter. The server
answers in FRED's XML layouts (observations, vintage dates, `<error code=".." message=".."/>`),
with FRED's limits: at most `row_cap` observations per answer (100,000 on FRED; `count` still
says how many there were) and at most 2,000 vintage dates per ALFRED request. Data comes from the
embedded snapshot (data/fred/*.csv) and, for ALFRED, from tests/fixtures/alfred (real 2020
vintages).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import quoteattr

import fredapi
import pandas as pd
import pytest
import yaml

from regime.config import Settings, default_config_path, load_settings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEST_KEY = "abcdef0123456789abcdef0123456789"
NO_SUCH_SERIES = "Bad Request. The series does not exist."
XML_HEAD = '<?xml version="1.0" encoding="utf-8" ?>\n'


# FRED's USREC runs to the current month; the embedded copy ends in December 2025. The NBER
# has announced no peak since February 2020, so FRED's months after the copy are 0.
NO_RECESSION_SINCE_THE_COPY = pd.Series(
    "0", index=[f"2026-{m:02d}-01" for m in range(1, 8)], dtype="string"
)


class FakeFred:
    """What the fake server serves, and a record of what it was asked.

    `script[series_id]` is a queue of behaviours for that series' next requests:
    "429" (Retry-After: 0) or "429:<Retry-After value>", "500" (an HTML page, as a proxy sends),
    "503:<Retry-After value>" (a proxy's HTML page too),
    "slow" (answers after `slow_seconds`), "garbage" (200, not XML), "cut-xml" (half a body,
    announced as such: not XML), "truncated" (announces the whole body, sends half of it, then
    closes the connection), "reset" (closes the connection without answering),
    "no-such-series" (FRED's 400), "error:<status>:<message>" (FRED's XML error body).
    """

    def __init__(self) -> None:
        self.script: dict[str, list[str]] = {}
        self.overrides: dict[str, pd.Series] = {}
        self.alfred: dict[str, pd.DataFrame] = {}  # series id -> realtime_start, date, value
        self.requests: list[dict[str, str]] = []
        self.url = ""
        self.slow_seconds = 1.5
        self.row_cap = 100_000
        self._lock = threading.Lock()

    def behaviour(self, series_id: str) -> str:
        with self._lock:
            queue = self.script.get(series_id, [])
            return queue.pop(0) if queue else "ok"

    def latest(self, series_id: str) -> pd.Series | None:
        if series_id in self.overrides:
            return self.overrides[series_id]
        path = DATA / "fred" / f"{series_id}.csv"
        if not path.is_file():
            return None
        frame = pd.read_csv(path, dtype={"value": "string"})
        served = pd.Series(frame["value"].fillna(".").to_numpy(), index=frame["date"])
        if series_id == "USREC":
            served = pd.concat([served, NO_RECESSION_SINCE_THE_COPY])
        return served

    def vintages(self, series_id: str) -> pd.DataFrame | None:
        if series_id in self.alfred:
            return self.alfred[series_id]
        path = FIXTURES / "alfred" / f"{series_id}_vintages_2020.csv"
        return pd.read_csv(path, dtype=str) if path.is_file() else None

    def requests_for(self, series_id: str) -> list[dict[str, str]]:
        return [r for r in self.requests if r.get("series_id") == series_id]


def observations_xml(rows: list[tuple[str, str, str]], *, count: int, limit: int) -> bytes:
    """FRED's observations answer: (realtime_start, date, value) rows, "." for missing."""
    body = "".join(
        f'  <observation realtime_start={quoteattr(rs)} realtime_end="9999-12-31" '
        f"date={quoteattr(d)} value={quoteattr(v)}/>\n"
        for rs, d, v in rows
    )
    head = (
        '<observations realtime_start="2026-01-01" realtime_end="9999-12-31" '
        'observation_start="1776-07-04" observation_end="9999-12-31" units="lin" '
        'output_type="1" file_type="xml" order_by="observation_date" sort_order="asc" '
        f'count="{count}" offset="0" limit="{limit}">\n'
    )
    return f"{XML_HEAD}{head}{body}</observations>\n".encode()


def vintage_dates_xml(dates: list[str]) -> bytes:
    body = "".join(f"  <vintage_date>{d}</vintage_date>\n" for d in dates)
    head = (
        '<vintage_dates realtime_start="1776-07-04" realtime_end="9999-12-31" '
        f'order_by="vintage_date" sort_order="asc" count="{len(dates)}" offset="0" '
        'limit="10000">\n'
    )
    return f"{XML_HEAD}{head}{body}</vintage_dates>\n".encode()


def error_xml(code: int, message: str) -> bytes:
    return f'{XML_HEAD}<error code="{code}" message={quoteattr(message)}/>\n'.encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        fake = self.server.fake
        url = urlparse(self.path)  # an absolute URL when the request came through a proxy
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with fake._lock:
            fake.requests.append({"path": url.path, "host": url.netloc, **query})
        series_id = query.get("series_id", "")
        if query.get("api_key") != TEST_KEY:
            return self._send(400, error_xml(400, "Bad Request. Variable api_key is not set."))
        what = fake.behaviour(series_id)
        if what.startswith("429"):
            retry_after = what.partition(":")[2] or "0"
            return self._send(429, error_xml(429, "Too Many Requests."), retry_after=retry_after)
        if what.startswith("error:"):
            _, status, message = what.split(":", 2)
            return self._send(int(status), error_xml(int(status), message))
        if what == "500":
            return self._send(500, b"<html>Internal Server Error</html>", kind="text/html")
        if what.startswith("503:"):
            page = b"<html>Service Unavailable</html>"
            return self._send(503, page, kind="text/html", retry_after=what.partition(":")[2])
        if what == "garbage":
            return self._send(200, b"this is not xml")
        if what == "reset":
            return self._reset()
        if what == "slow":
            time.sleep(fake.slow_seconds)
        latest = fake.latest(series_id)
        if what == "no-such-series" or latest is None:
            return self._send(400, error_xml(400, NO_SUCH_SERIES))
        if url.path.endswith("/series/vintagedates"):
            body = self._vintage_dates(series_id)
        elif "realtime_start" in query and fake.vintages(series_id) is not None:
            asked = self._releases(series_id, query)
            if asked is None:
                return self._send(400, error_xml(400, "Bad Request. Too many vintage dates."))
            body = asked
        else:
            start = query.get("observation_start", "0000")
            rows = [("2026-01-01", d, v) for d, v in latest.items() if d >= start]
            body = observations_xml(rows[: fake.row_cap], count=len(rows), limit=fake.row_cap)
        if what == "cut-xml":
            body = body[: len(body) // 2]
        self._send(200, body, cut=what == "truncated")

    def _vintage_dates(self, series_id: str) -> bytes:
        vintages = self.server.fake.vintages(series_id)
        dates = sorted(vintages["realtime_start"].unique()) if vintages is not None else []
        return vintage_dates_xml(dates[:10_000])

    def _releases(self, series_id: str, query: dict[str, str]) -> bytes | None:
        fake = self.server.fake
        vintages = fake.vintages(series_id)
        assert vintages is not None
        low, high = query["realtime_start"], query["realtime_end"]
        asked = vintages[(vintages["realtime_start"] >= low) & (vintages["realtime_start"] <= high)]
        if asked["realtime_start"].nunique() > 2000:
            return None
        asked = asked.sort_values(["date", "realtime_start"], kind="stable")
        rows = [(r.realtime_start, r.date, r.value) for r in asked.itertuples(index=False)]
        return observations_xml(rows[: fake.row_cap], count=len(rows), limit=fake.row_cap)

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        kind: str = "text/xml",
        retry_after: str | None = None,
        cut: bool = False,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the "slow" case)
        if cut:
            self._reset()

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeFred


@pytest.fixture
def fake_fred(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFred]:
    """A running fake FRED; fredapi's root_url points at it and FRED_API_KEY is set."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeFred()
    server.fake.url = f"http://127.0.0.1:{server.server_port}/fred"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    # fredapi's public class attribute: every Fred built without a root_url of its own uses it.
    monkeypatch.setattr(fredapi.Fred, "root_url", server.fake.url)
    monkeypatch.setenv("FRED_API_KEY", TEST_KEY)
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()


def write_config(folder: Path, **fetch: object) -> Path:
    """A config.yaml in `folder`: the project's, with the cache in `folder/cache`, quick retries."""
    raw = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
    raw["paths"] = {"data": str(DATA), "models": str(folder / "models"), "cache": "cache"}
    raw["fetch"] = {
        **raw.get("fetch", {}),
        "retries": 2,
        "backoff_seconds": 0.01,
        "timeout_seconds": 0.5,
        "fred_requests_per_second": 100,
        "history_start": "2026-01-01",
        "yfinance_cache": str(folder / "yfinance"),
        **fetch,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Project settings with the cache under tmp_path (never the user's cache folder)."""
    return load_settings(write_config(tmp_path))


def yfinance_frame(
    symbol: str, start: str | None = None, tz: str = "America/New_York"
) -> pd.DataFrame:
    """Closes from the snapshot in yfinance.download's real layout.

    MultiIndex columns (Price, Ticker), a tz-aware DatetimeIndex named Date, float columns.
    """
    stem = symbol.lstrip("^")
    closes = pd.read_csv(DATA / "market" / f"{stem}.csv", index_col="date", parse_dates=True)[
        "close"
    ]
    if start is not None:
        closes = closes.loc[start:]
    index = pd.DatetimeIndex(closes.index, name="Date").tz_localize(tz)
    prices = ["Adj Close", "Close", "High", "Low", "Open", "Volume"]
    columns = pd.MultiIndex.from_product([prices, [symbol]], names=["Price", "Ticker"])
    values = {(p, symbol): closes.to_numpy() for p in prices}
    values[("Volume", symbol)] = [1_000_000.0] * len(closes)
    return pd.DataFrame(values, index=index, columns=columns)


class FakeDownload:
    """Stands in for yfinance.download; `script` queues "empty", "rate-limit", "partial" or
    "negative" (the last close below zero)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.script: list[str] = []

    def __call__(self, tickers: str, **kwargs: object) -> pd.DataFrame:
        self.calls.append((tickers, kwargs))
        what = self.script.pop(0) if self.script else "ok"
        if what == "rate-limit":
            from yfinance.exceptions import YFRateLimitError

            raise YFRateLimitError()
        if what == "empty":
            return pd.DataFrame()
        frame = yfinance_frame(tickers, kwargs.get("start"))  # type: ignore[arg-type]
        if what == "partial":
            frame.iloc[-3:, frame.columns.get_loc(("Close", tickers))] = float("nan")
        if what == "negative":
            frame.iloc[-1, frame.columns.get_loc(("Close", tickers))] *= -1
        return frame


@pytest.fixture
def fake_download() -> FakeDownload:
    return FakeDownload()
