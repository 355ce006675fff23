"""The prediction history: one SQLite row per (week, model version), written by `regime run`.

The file is checked before anything is written: it must start with the SQLite header, pass
`PRAGMA quick_check`, and carry our `application_id` and a `user_version` (the format) we know.
A file that fails is reported and left untouched byte for byte: the checks open it read-only
(except that SQLite first rolls back a transaction a killed run left in its journal).
Writes are single transactions of `INSERT OR IGNORE` on the (as_of, model_version) key, so a
repeated run adds nothing and a crash leaves the file as it was before the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regime.errors import HistoryError, shown_path

if TYPE_CHECKING:
    from regime.model.predict import RegimePrediction

FORMAT = 1
APPLICATION_ID = 0x52474D48  # "RGMH": marks the file as a regime history
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_SECONDS = 30.0

SCHEMA = """
CREATE TABLE predictions (
    as_of TEXT NOT NULL,
    model_version TEXT NOT NULL,
    regime TEXT NOT NULL,
    confidence REAL NOT NULL,
    probabilities TEXT NOT NULL,
    stale TEXT NOT NULL,
    prediction TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (as_of, model_version)
)
"""
MOVE_ASIDE = "move it aside (or set history.path in config.yaml); it was left untouched"


@dataclass(frozen=True)
class HistoryRow:
    """One recorded prediction. `changed_from` is the previous row's regime when it differs."""

    as_of: str
    model_version: str
    regime: str
    confidence: float
    probabilities: dict[str, float]
    stale: tuple[str, ...]
    recorded_at: str
    changed_from: str | None = None
    # P(small caps lead) and P(a bear market starts) from the prediction's outlook, if any.
    small_caps_lead: float | None = None
    bear_market_starts: float | None = None
    # The recession nowcast's P(recession) and each macro family's state (None before macro).
    p_recession: float | None = None
    macro_states: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "model_version": self.model_version,
            "regime": self.regime,
            "confidence": self.confidence,
            "probabilities": self.probabilities,
            "stale": list(self.stale),
            "recorded_at": self.recorded_at,
            "regime_change": self.changed_from is not None,
            "changed_from": self.changed_from,
            "small_caps_lead": self.small_caps_lead,
            "bear_market_starts": self.bear_market_starts,
            "p_recession": self.p_recession,
            "macro_states": self.macro_states,
        }


def check(path: Path) -> bool:
    """Validate an existing history without writing to it; False when there is no file yet.

    Raises HistoryError naming the file and what to do when it is not a usable history.
    """
    try:
        if not path.exists():
            return False
        regular = path.is_file()
    except OSError as exc:  # a name too long, a folder that cannot be searched
        raise HistoryError(
            f"cannot use the prediction history path {shown_path(path)} ({exc.strerror}); "
            "set history.path in config.yaml to a usable file"
        ) from None
    if not regular:
        raise HistoryError(f"prediction history {path} is not a regular file; {MOVE_ASIDE}")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise HistoryError(f"cannot read the prediction history {path} ({exc.strerror})") from None
    if not header:
        return True  # an empty file is an empty database: `open_history` initialises it
    if header != SQLITE_HEADER:
        raise HistoryError(f"prediction history {path} is not an SQLite database; {MOVE_ASIDE}")
    try:
        with closing(_connect(path, read_only=True)) as con:
            problems = [row[0] for row in con.execute("PRAGMA quick_check")]
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"prediction history {path} is corrupt ({exc}); {MOVE_ASIDE}") from None
    if problems != ["ok"]:
        found = " ".join(" ".join(problems).replace("*** in database main ***", "").split())
        raise HistoryError(
            f"prediction history {path} is corrupt (quick_check: {found[:160]}); {MOVE_ASIDE}"
        )
    if app_id == 0 and version == 0 and not tables:
        return True
    if app_id != APPLICATION_ID:
        raise HistoryError(
            f"{path} is an SQLite file but not a regime prediction history; {MOVE_ASIDE}"
        )
    if version > FORMAT:
        raise HistoryError(
            f"prediction history {path} has format {version}, newer than this regime "
            f"understands ({FORMAT}); upgrade regime or point history.path elsewhere"
        )
    return True


def open_history(path: Path) -> sqlite3.Connection:
    """A writable connection to a checked history, creating the file and folder when absent."""
    existed = check(path)
    if not existed:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _write_error(path, exc) from None
    try:
        con = _connect(path, read_only=False)
    except sqlite3.Error as exc:
        raise _write_error(path, exc) from None
    try:
        with _transaction(con, path):
            if con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
                con.execute(SCHEMA)
                con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                con.execute(f"PRAGMA user_version = {FORMAT}")
    except BaseException:
        con.close()
        raise
    return con


def record(con: sqlite3.Connection, path: Path, prediction: RegimePrediction) -> bool:
    """Insert one prediction; False when its (week, model version) is already recorded."""
    data = prediction.to_dict()
    values = (
        prediction.as_of,
        prediction.model["version"],
        prediction.regime,
        prediction.confidence,
        json.dumps(prediction.probabilities),
        json.dumps(list(prediction.stale)),
        json.dumps(data),
        datetime.now(UTC).replace(microsecond=0).isoformat(),
    )
    with _transaction(con, path):
        cursor = con.execute(
            "INSERT OR IGNORE INTO predictions (as_of, model_version, regime, confidence, "
            "probabilities, stale, prediction, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        return cursor.rowcount == 1


def read_history(path: Path, since: date | None = None) -> list[HistoryRow]:
    """Recorded predictions by week (then by recording time), regime changes marked.

    A change is marked against the row before, including a row before `since`.
    """
    if not check(path):
        raise HistoryError(
            f"no prediction history at {path}; `regime run` records one (or check history.path)"
        )
    try:
        with closing(_connect(path, read_only=True)) as con:
            if con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
                return []
            raw = con.execute(
                "SELECT as_of, model_version, regime, confidence, probabilities, stale, "
                "recorded_at, prediction FROM predictions "
                "ORDER BY as_of, recorded_at, model_version"
            ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"cannot read the prediction history {path} ({exc})") from None
    rows: list[HistoryRow] = []
    previous: str | None = None
    for as_of, version, regime, confidence, proba, stale, recorded_at, whole in raw:
        changed = previous if previous is not None and previous != regime else None
        lead, bear = _event_probabilities(whole)
        p_recession, states = _macro(whole)
        rows.append(
            HistoryRow(
                as_of,
                version,
                regime,
                confidence,
                json.loads(proba),
                tuple(json.loads(stale)),
                recorded_at,
                changed,
                lead,
                bear,
                p_recession,
                states,
            )
        )
        previous = regime
    if since is not None:
        rows = [row for row in rows if row.as_of >= since.isoformat()]
    return rows


def _event_probabilities(prediction_json: str) -> tuple[float | None, float | None]:
    """The outlook's two event probabilities from a recorded prediction (None before outlooks)."""
    try:
        outlook = json.loads(prediction_json).get("outlook") or {}
    except (ValueError, AttributeError):
        return None, None

    def probability(key: str) -> float | None:
        event = outlook.get(key)
        return float(event["probability"]) if isinstance(event, dict) else None

    return probability("small_caps_lead"), probability("bear_market_starts")


def _macro(prediction_json: str) -> tuple[float | None, dict[str, str] | None]:
    """P(recession) and the family states from a recorded prediction (None before macro)."""
    try:
        macro = json.loads(prediction_json).get("macro")
        if not isinstance(macro, dict):
            return None, None
        recession = macro.get("recession")
        p = float(recession["probability"]) if isinstance(recession, dict) else None
        states = {str(f["family"]): str(f["state"]) for f in macro.get("families") or []}
    except (ValueError, AttributeError, KeyError, TypeError):
        return None, None
    return p, states or None


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        # A writer killed mid-transaction leaves a hot journal that SQLite must roll back
        # (restoring the last committed state) before anyone can read: that needs write access.
        journal = path.with_name(path.name + "-journal")
        mode = "rw" if journal.exists() else "ro"
        uri = f"{path.resolve().as_uri()}?mode={mode}"
        return sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS)
    # Autocommit mode: transactions are explicit (see `_transaction`).
    return sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)


@contextmanager
def _transaction(con: sqlite3.Connection, path: Path) -> Iterator[None]:
    """BEGIN IMMEDIATE .. COMMIT; any SQLite or OS failure rolls back and becomes HistoryError."""
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        if not isinstance(exc, sqlite3.OperationalError):
            raise HistoryError(
                f"prediction history {path} is corrupt ({exc}); {MOVE_ASIDE}"
            ) from None
        raise _write_error(path, exc) from None
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: BaseException) -> HistoryError:
    reason = getattr(exc, "strerror", None) or str(exc)
    return HistoryError(
        f"cannot write the prediction history {shown_path(path)} ({reason}); free some space, "
        "fix the permissions, or set history.path in config.yaml to a writable file"
    )
