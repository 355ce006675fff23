"""The soak's fake FRED and Yahoo: one HTTP server on 127.0.0.1, real data up to a moving date.

FRED is served the way the real API answers fredapi (`/fred/series/observations`, FRED's XML,
errors as `<error code=".." message=".."/>`), so the product's FRED client (fredapi behind our
adapter) runs unchanged against it (`REGIME_FRED_URL`). Yahoo is served as a
plain `date,close` CSV under `/yahoo/<symbol>`, read by `soak_yahoo.download`, the stand-in for
`yfinance.download` the product loads through `REGIME_YAHOO_DOWNLOAD`.

Everything served comes from the embedded snapshot (`data/`), cut at `today`: no synthetic
prices. Faults are queued per series (FRED id or index symbol) and consumed by the next requests,
whichever process makes them; `"*"` queues a fault for every FRED request (an outage).
"""

from __future__ import annotations

import bisect
import csv
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse
from xml.sax.saxutils import quoteattr

FRED_FAULTS = (
    "429",  # rate limit, no Retry-After
    "429-retry-after",  # rate limit with Retry-After: 1
    "500",
    "timeout",  # answers after the client's timeout
    "truncated",  # announces the whole body, sends half, closes the connection
    "cut-xml",  # half a body, announced as such: not XML
    "empty",  # a well-formed answer with no observations
    "reset",  # closes the connection without answering
)
YAHOO_FAULTS = ("rate-limit", "500", "timeout", "empty", "partial")
OUTAGE = "*"
XML_HEAD = '<?xml version="1.0" encoding="utf-8" ?>\n'


class Reference:
    """The real observations the fakes serve: `date -> value` text, as in `data/`.

    `alfred_dir` holds real vintages (`<id>_vintages_2020.csv`: realtime_start, date, value),
    served to ALFRED requests (`series/vintagedates`, observations with a real-time window).
    """

    def __init__(
        self,
        data_dir: Path,
        fred_ids: list[str],
        symbols: list[str],
        alfred_dir: Path | None = None,
    ) -> None:
        self.fred = {s: _read_csv(data_dir / "fred" / f"{s}.csv", "value") for s in fred_ids}
        self.market = {
            s: _read_csv(data_dir / "market" / f"{s.lstrip('^')}.csv", "close") for s in symbols
        }
        self.alfred: dict[str, list[dict[str, str]]] = {}
        for path in sorted(alfred_dir.glob("*_vintages_2020.csv")) if alfred_dir else []:
            with path.open(newline="", encoding="utf-8") as handle:
                self.alfred[path.name.split("_")[0]] = list(csv.DictReader(handle))

    def releases(self, key: str, low: str, high: str) -> list[tuple[str, str, str]] | None:
        """ALFRED's (realtime_start, date, value) rows published low..high, by date; None when
        the window spans more than 2,000 vintages (FRED refuses it)."""
        rows = [r for r in self.alfred.get(key, []) if low <= r["realtime_start"] <= high]
        if len({r["realtime_start"] for r in rows}) > 2000:
            return None
        rows.sort(key=lambda r: (r["date"], r["realtime_start"]))
        return [(r["realtime_start"], r["date"], r["value"] or ".") for r in rows]

    def window(self, key: str, start: str, end: str) -> list[tuple[str, str]]:
        """Observations of `key` dated start..end (ISO strings, both inclusive)."""
        rows = self.fred.get(key) or self.market[key]
        dates = [d for d, _ in rows]
        return rows[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)]


def _read_csv(path: Path, column: str) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["date"], row[column] or ".") for row in csv.DictReader(handle)]


class FakeSources:
    """State shared by the server threads: the moving date, the fault queues, the counts."""

    def __init__(self, reference: Reference, api_key: str, timeout: float) -> None:
        self.reference = reference
        self.api_key = api_key
        self.timeout = timeout  # the product's fetch.timeout_seconds: "timeout" sleeps past it
        self.today = "0000-00-00"
        self.faults: dict[str, list[str]] = {}
        self.served = Counter[str]()  # faulty answers actually sent, by kind
        self.answered = Counter[str]()  # good answers, by source
        self.bad_keys = 0
        self._lock = threading.Lock()

    def set_round(self, today: str, faults: dict[str, list[str]]) -> None:
        with self._lock:
            self.today = today
            self.faults = {key: list(queue) for key, queue in faults.items()}

    def next_fault(self, key: str, *, fred: bool) -> str:
        with self._lock:
            for name in (OUTAGE, key) if fred else (key,):
                queue = self.faults.get(name)
                if queue:
                    fault = queue.pop(0)
                    self.served[fault] += 1
                    return fault
            self.answered["fred" if fred else "yahoo"] += 1
            return "ok"

    def faults_served(self) -> int:
        with self._lock:
            return sum(self.served.values())


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # request lines carry the key: never log them
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        fake = self.server.fake
        if url.path in ("/fred/series/observations", "/fred/series/vintagedates"):
            if query.get("api_key") != fake.api_key:
                with fake._lock:
                    fake.bad_keys += 1
                return self._send(400, _error_xml(400, "Bad Request. Variable api_key is not set."))
            return self._fred(query.get("series_id", ""), url.path, query)
        if url.path.startswith("/yahoo/"):
            return self._yahoo(unquote(url.path.removeprefix("/yahoo/")), query)
        self._send(404, _error_xml(404, "Not Found"))

    def _fred(self, series_id: str, path: str, query: dict[str, str]) -> None:
        fake = self.server.fake
        if series_id not in fake.reference.fred:
            return self._send(400, _error_xml(400, "Bad Request. The series does not exist."))
        fault = fake.next_fault(series_id, fred=True)
        if fault == "reset":
            return self._reset()
        if fault.startswith("429"):
            retry_after = "1" if fault == "429-retry-after" else None
            return self._send(429, _error_xml(429, "Too Many Requests."), retry_after=retry_after)
        if fault == "500":
            return self._send(500, b"<html>Internal Server Error</html>", kind="text/html")
        if fault == "timeout":
            time.sleep(fake.timeout + 0.3)
        body = self._fred_body(series_id, path, query, empty=fault == "empty")
        if body is None:
            return self._send(400, _error_xml(400, "Bad Request. Too many vintage dates."))
        if fault == "truncated":
            return self._send_truncated(body)
        if fault == "cut-xml":
            body = body[: len(body) // 2]
        self._send(200, body)

    def _fred_body(
        self, series_id: str, path: str, query: dict[str, str], *, empty: bool
    ) -> bytes | None:
        fake = self.server.fake
        if path.endswith("/vintagedates"):
            listed = {r["realtime_start"] for r in fake.reference.alfred.get(series_id, [])}
            return _vintage_dates_xml([] if empty else sorted(listed))
        if "realtime_start" in query and series_id in fake.reference.alfred:
            releases = fake.reference.releases(
                series_id, query["realtime_start"], query.get("realtime_end", "9999-12-31")
            )
            return None if releases is None else _observations_xml([] if empty else releases)
        start = query.get("observation_start", "0000-00-00")
        rows = [] if empty else fake.reference.window(series_id, start, fake.today)
        return _observations_xml([(d, d, v) for d, v in rows])

    def _yahoo(self, symbol: str, query: dict[str, str]) -> None:
        fake = self.server.fake
        if symbol not in fake.reference.market:
            return self._send(404, b"no such symbol", kind="text/plain")
        fault = fake.next_fault(symbol, fred=False)
        if fault == "rate-limit":
            return self._send(429, b"Too Many Requests", kind="text/plain")
        if fault == "500":
            return self._send(500, b"Internal Server Error", kind="text/plain")
        if fault == "timeout":
            time.sleep(fake.timeout + 0.3)
        rows = [] if fault == "empty" else fake.reference.window(symbol, query["start"], fake.today)
        if fault == "partial" and rows:
            rows = rows[:-3] + [(d, "") for d, _ in rows[-3:]]
        text = "date,close\n" + "".join(f"{d},{v}\n" for d, v in rows)
        self._send(200, text.encode(), kind="text/csv")

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        kind: str = "text/xml",
        retry_after: str | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (a timeout, or it was killed)

    def _send_truncated(self, body: bytes) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
        except OSError:
            pass
        self._reset()

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _observations_xml(rows: list[tuple[str, str, str]]) -> bytes:
    """FRED's observations answer; rows are (realtime_start, date, value)."""
    body = "".join(
        f'  <observation realtime_start="{rs}" realtime_end="9999-12-31" date="{d}" '
        f"value={quoteattr(v or '.')}/>\n"
        for rs, d, v in rows
    )
    head = (
        '<observations realtime_start="1776-07-04" realtime_end="9999-12-31" units="lin" '
        'output_type="1" file_type="xml" order_by="observation_date" sort_order="asc" '
        f'count="{len(rows)}" offset="0" limit="100000">\n'
    )
    return f"{XML_HEAD}{head}{body}</observations>\n".encode()


def _vintage_dates_xml(dates: list[str]) -> bytes:
    body = "".join(f"  <vintage_date>{d}</vintage_date>\n" for d in dates)
    head = f'<vintage_dates order_by="vintage_date" sort_order="asc" count="{len(dates)}">\n'
    return f"{XML_HEAD}{head}{body}</vintage_dates>\n".encode()


def _error_xml(code: int, message: str) -> bytes:
    return f"{XML_HEAD}<error code={quoteattr(str(code))} message={quoteattr(message)}/>\n".encode()


class FakeServer(ThreadingHTTPServer):
    """The fake sources on 127.0.0.1 (a free port), serving from a daemon thread."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeSources) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def fred_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/fred"

    @property
    def yahoo_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/yahoo"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
