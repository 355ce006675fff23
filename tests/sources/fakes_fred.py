"""Test doubles for `regime fetch`: a fake FRED/ALFRED HTTP server and a fake yfinance.download.

Loaded by tests/sources/conftest.py and tests/cli/conftest.py through `load_fakes` (by file path, so
it works whatever the tests folder's package layout); test modules import it as `fakes_fred`.

Our FredJson client talks to the fake server (regime.sources.fred_json.ROOT_URL is pointed there),
so the tests exercise its URL building and JSON parsing. Data comes from the embedded snapshot
(data/fred/*.csv) and, for ALFRED, from tests/fixtures/alfred (real 2020 vintages).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import yaml

import regime.sources.fred_json
from regime.config import Settings, default_config_path, load_settings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEST_KEY = "abcdef0123456789abcdef0123456789"
NO_SUCH_SERIES = "Bad Request. The series does not exist."


class FakeFred:
    """What the fake server serves, and a record of what it was asked.

    `script[series_id]` is a queue of behaviours for that series' next requests: "429", "500",
    "slow" (answers after the client's timeout), "garbage" (not JSON), "no-such-series",
    "truncated" (announces the whole body, sends half of it, then closes the connection).
    """

    def __init__(self) -> None:
        self.script: dict[str, list[str]] = {}
        self.overrides: dict[str, pd.Series] = {}
        self.requests: list[dict[str, str]] = []
        self.url = ""
        self.slow_seconds = 1.5
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
        return pd.Series(frame["value"].fillna(".").to_numpy(), index=frame["date"])

    def vintages(self, series_id: str) -> pd.DataFrame | None:
        path = FIXTURES / "alfred" / f"{series_id}_vintages_2020.csv"
        return pd.read_csv(path, dtype=str) if path.is_file() else None

    def requests_for(self, series_id: str) -> list[dict[str, str]]:
        return [r for r in self.requests if r.get("series_id") == series_id]


def _observations_json(rows: list[tuple[str, str, str]]) -> bytes:
    listed = [
        {"realtime_start": rs, "realtime_end": "9999-12-31", "date": d, "value": v}
        for rs, d, v in rows
    ]
    return json.dumps(
        {"units": "lin", "count": len(listed), "offset": 0, "limit": 100000, "observations": listed}
    ).encode()


def _error_json(code: int, message: str) -> bytes:
    return json.dumps({"error_code": code, "error_message": message}).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        fake = self.server.fake
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with fake._lock:
            fake.requests.append({"path": url.path, **query})
        series_id = query.get("series_id", "")
        if query.get("api_key") != TEST_KEY:
            return self._send(400, _error_json(400, "Bad Request. Variable api_key is not set."))
        what = fake.behaviour(series_id)
        if what == "429":
            return self._send(429, _error_json(429, "Too Many Requests."), retry_after="0")
        if what == "500":
            return self._send(500, b"<html>Internal Server Error</html>")
        if what == "garbage":
            return self._send(200, b"this is not json")
        if what == "slow":
            time.sleep(fake.slow_seconds)
        latest = fake.latest(series_id)
        if what == "no-such-series" or latest is None:
            return self._send(400, _error_json(400, NO_SUCH_SERIES))
        if url.path.endswith("/series/vintagedates"):
            return self._send(200, self._vintage_dates(series_id))
        if "realtime_start" in query and fake.vintages(series_id) is not None:
            return self._send(200, self._releases(series_id, query))
        start = query.get("observation_start", "0000")
        rows = [("2026-01-01", d, v) for d, v in latest.items() if d >= start]
        if what == "truncated":
            return self._send(200, _observations_json(rows), cut=True)
        return self._send(200, _observations_json(rows))

    def _vintage_dates(self, series_id: str) -> bytes:
        vintages = self.server.fake.vintages(series_id)
        dates = sorted(vintages["realtime_start"].unique()) if vintages is not None else []
        answer = {"count": len(dates), "offset": 0, "limit": 10000, "vintage_dates": dates}
        return json.dumps(answer).encode()

    def _releases(self, series_id: str, query: dict[str, str]) -> bytes:
        vintages = self.server.fake.vintages(series_id)
        assert vintages is not None
        low, high = query["realtime_start"], query["realtime_end"]
        asked = vintages[(vintages["realtime_start"] >= low) & (vintages["realtime_start"] <= high)]
        if asked["realtime_start"].nunique() > 2000:
            return _error_json(400, "Bad Request. Too many vintage dates.")
        rows = list(asked[["realtime_start", "date", "value"]].itertuples(index=False))
        return _observations_json([(r.realtime_start, r.date, r.value) for r in rows])

    def _send(
        self, status: int, body: bytes, retry_after: str | None = None, cut: bool = False
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the "slow" case)
        if cut:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeFred


@pytest.fixture
def fake_fred(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFred]:
    """A running fake FRED; FredJson's ROOT_URL points at it and FRED_API_KEY is set."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeFred()
    server.fake.url = f"http://127.0.0.1:{server.server_port}/fred"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setattr(regime.sources.fred_json, "ROOT_URL", server.fake.url)
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
    """Stands in for yfinance.download; `script` queues "empty", "rate-limit" or "partial"."""

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
        return frame


@pytest.fixture
def fake_download() -> FakeDownload:
    return FakeDownload()
