"""The soak's invariants, checked by reading the files directly (sqlite3, hashlib, json, csv).

Nothing here asks `regime` whether things are fine: the history is opened with sqlite3, the cache
is checked against its manifest the way the cache defines it (sha256 of the whole file, `rows`,
`last_date`) and against the real data the fakes served, and the model registry by hashing.
Each check raises `Broken` with a message naming the file and what is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

REGIMES = {"early_recovery", "narrow_rally", "neutral", "risk_off"}
APPLICATION_ID = 0x52474D48  # regime's history marker ("RGMH")
HISTORY_FORMAT = 1
DATA_KINDS = ("fred", "market", "vintages")
TEMPORARY = ("*.tmp", ".staging-*", ".retired-*", "*-wal", "*-shm")


class Broken(Exception):
    """An invariant does not hold."""


Row = tuple[object, ...]


@dataclass
class Ledger:
    """What the soak itself knows, to hold the product to it."""

    rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    # Cache damage the soak injected that no `regime` process has touched since:
    # relative path -> sha256 of the damaged bytes (None: the file was deleted).
    damaged: dict[str, str | None] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    scanned: dict[Path, tuple[int, int]] = field(default_factory=dict)
    leftovers: set[str] = field(default_factory=set)  # temporary files a kill left, last check
    # Manifest entries announcing a first write a kill cut before its rename, last check.
    unfinished: set[str] = field(default_factory=set)
    # The dates each cache file held at the last check (dropped when the soak damages it).
    cached: dict[str, set[str]] = field(default_factory=dict)

    def damage(self, rel: str, sha: str | None) -> None:
        """Record that the soak damaged (sha of the bytes now) or deleted (None) a cache file."""
        self.damaged[rel] = sha
        self.cached.pop(rel, None)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the prediction history ---------------------------------------------------------------------


def check_history(path: Path, ledger: Ledger, today: str) -> int:
    """A valid regime history, one row per (week, model version), no earlier row lost or changed.

    Returns the number of rows. Opening it read-write lets SQLite roll back a hot journal left by
    a killed run, as any reader must.
    """
    if not path.exists():
        if ledger.rows:
            raise Broken(f"history {path} is gone ({len(ledger.rows)} rows lost)")
        return 0
    try:
        con = sqlite3.connect(path)
        try:
            integrity = [r[0] for r in con.execute("PRAGMA integrity_check")]
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables == 0 and integrity == ["ok"] and not ledger.rows:
                return 0  # the first run was killed while creating it: rolled back to empty
            rows = con.execute(
                "SELECT as_of, model_version, regime, confidence, probabilities, stale, "
                "prediction, recorded_at FROM predictions"
            ).fetchall()
            dupes = con.execute(
                "SELECT as_of, model_version FROM predictions GROUP BY 1, 2 HAVING count(*) > 1"
            ).fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise Broken(f"history {path} is not a readable SQLite database ({exc})") from None
    if integrity != ["ok"]:
        raise Broken(f"history {path} fails integrity_check: {integrity[:3]}")
    if (app_id, version) != (APPLICATION_ID, HISTORY_FORMAT):
        raise Broken(f"history {path} has application_id {app_id:#x}, user_version {version}")
    if dupes:
        raise Broken(f"history {path} has more than one row for {dupes[:3]}")
    now = {(r[0], r[1]): tuple(r) for r in rows}
    for row in rows:
        _check_row(row, today)
    lost = [key for key in ledger.rows if key not in now]
    if lost:
        raise Broken(f"history {path} lost {len(lost)} row(s) seen before: {sorted(lost)[:3]}")
    changed = [key for key, row in ledger.rows.items() if now[key] != row]
    if changed:
        raise Broken(f"history {path} changed row(s) recorded before: {sorted(changed)[:3]}")
    ledger.rows = now
    return len(now)


def _check_row(row: Row, today: str) -> None:
    as_of, version, regime, confidence, proba, stale, prediction, _ = row
    where = f"history row ({as_of}, {version})"
    if regime not in REGIMES or not isinstance(confidence, float):
        raise Broken(f"{where}: regime {regime!r}, confidence {confidence!r}")
    try:
        probabilities = json.loads(str(proba))
        json.loads(str(stale))
        payload = json.loads(str(prediction))
    except ValueError as exc:
        raise Broken(f"{where}: a JSON column does not parse ({exc})") from None
    if set(probabilities) != REGIMES or not math.isclose(sum(probabilities.values()), 1.0):
        raise Broken(f"{where}: probabilities {probabilities}")
    if (payload.get("as_of"), payload.get("regime")) != (as_of, regime):
        raise Broken(
            f"{where}: its prediction JSON says {payload.get('as_of')}, {payload.get('regime')}"
        )
    if str(as_of) > today:
        raise Broken(f"{where}: a week after the data's last date {today}")


# -- the cache ----------------------------------------------------------------------------------


def check_cache(
    root: Path,
    ledger: Ledger,
    served: dict[str, dict[str, str]],
    today: str,
    *,
    killed: bool = False,
    succeeded: bool = False,
) -> int:
    """The manifest matches the files and every file holds exactly the real observations.

    A file the soak damaged and no process has touched since is exempt (the product must refuse
    it, not repair it unasked). An entry that only announces a file which is not there (a first
    write killed before its rename) is a kill's leftover, like a temporary file: allowed only if
    a process was killed this round, and only until a round in which a process succeeds.
    `killed` and `succeeded`: whether a process was killed, or succeeded, this round. Returns the
    number of files checked.
    """
    manifest_path = root / "manifest.json"
    files = {
        p.relative_to(root).as_posix(): p
        for kind in DATA_KINDS
        if (root / kind).is_dir()
        for p in (root / kind).iterdir()
        if p.is_file() and not p.name.startswith(".")  # temporary files: check_no_leftovers
    }
    if "manifest.json" in ledger.damaged:
        if manifest_path.is_file() and sha256(manifest_path) == ledger.damaged["manifest.json"]:
            return 0  # still the soak's damage: every file is unverifiable until a fetch
        del ledger.damaged["manifest.json"]
    entries = _manifest(manifest_path) if manifest_path.is_file() else {}
    for rel in list(ledger.damaged):
        now = sha256(files[rel]) if rel in files else None
        listed = now is not None and _vouching(entries.get(rel, {}), now) is not None
        if now != ledger.damaged[rel] or listed:
            del ledger.damaged[rel]  # a process rewrote, moved, refetched or re-listed it
    checked = 0
    for rel, path in sorted(files.items()):
        if rel in ledger.damaged:
            continue
        entry = entries.get(rel)
        if entry is None:
            raise Broken(f"cache file {path} has no manifest entry")
        blob = path.read_bytes()
        entry = _vouching(entry, hashlib.sha256(blob).hexdigest())
        if entry is None:
            raise Broken(f"cache file {path} does not match its manifest checksum")
        dates = _check_content(rel, path, blob, entry, served, today)
        lost = ledger.cached.get(rel, set()) - dates
        if lost:
            raise Broken(f"cache file {path} lost {len(lost)} observation(s): {sorted(lost)[:3]}")
        ledger.cached[rel] = dates
        checked += 1
    vanished = sorted(set(ledger.cached) - set(files) - set(ledger.damaged))
    if vanished:
        raise Broken(f"cache files vanished although nothing damaged them: {vanished}")
    missing = set(entries) - set(files)
    _check_unfinished(root, ledger, entries, missing, killed, succeeded)
    for rel in sorted(r for r in missing if "sha256" in entries[r]):
        if ledger.damaged.get(rel, "") is not None:  # only a file the soak deleted may be missing
            raise Broken(f"cache manifest lists {rel}, which is not in {root}")
    return checked


def _check_unfinished(
    root: Path,
    ledger: Ledger,
    entries: dict[str, dict[str, object]],
    missing: set[str],
    killed: bool,
    succeeded: bool,
) -> None:
    """Announcements without their file: a kill's leftovers, cleared by the next process."""
    # Told apart from a later announcement of the same file by its content.
    unfinished = {json.dumps([r, entries[r]]) for r in missing if "sha256" not in entries[r]}
    stale = sorted(unfinished & ledger.unfinished) if succeeded else []
    new = sorted(unfinished - ledger.unfinished) if not killed else []
    if stale or new:
        when = "after a successful process" if stale else "without a kill"
        rel = json.loads((stale or new)[0])[0]
        raise Broken(f"cache manifest announces {rel}, which is not in {root} ({when})")
    ledger.unfinished = unfinished


def _vouching(entry: dict[str, object], digest: str) -> dict[str, object] | None:
    """The part of a manifest entry that vouches for a file with this sha256, if any.

    As the cache defines it: the entry itself, or the new file it announced (`pending`) before
    renaming it into place, in case the writer was killed before recording it.
    """
    pending = entry.get("pending")
    for candidate in (entry, pending if isinstance(pending, dict) else {}):
        if candidate.get("sha256") == digest:
            return candidate
    return None


def _manifest(path: Path) -> dict[str, dict[str, object]]:
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise Broken(f"cache manifest {path} does not parse ({exc})") from None
    if not isinstance(files, dict):
        raise Broken(f"cache manifest {path}: `files` is not an object")
    return files


def _check_content(
    rel: str,
    path: Path,
    blob: bytes,
    entry: dict[str, object],
    served: dict[str, dict[str, str]],
    today: str,
) -> set[str]:
    """Check one verified file against the manifest and the source; return its dates."""
    rows = list(csv.reader(io.StringIO(blob.decode())))
    if not rows or rows[0] != ["date", "value"]:
        raise Broken(f"cache file {path} does not start with date,value")
    body = rows[1:]
    dates = [r[0] for r in body]
    if entry.get("rows") != len(body) or entry.get("last_date") != (dates[-1] if dates else None):
        raise Broken(
            f"cache file {path}: the manifest says {entry.get('rows')} rows through "
            f"{entry.get('last_date')}, the file has {len(body)} through "
            f"{dates[-1] if dates else None}"
        )
    if dates != sorted(set(dates)):
        raise Broken(f"cache file {path} has dates out of order or repeated")
    if dates and dates[-1] > today:
        raise Broken(f"cache file {path} holds {dates[-1]}, after the data's last date {today}")
    real = served[Path(rel).stem]
    for day, value in body:
        truth = real.get(day)
        if truth is None or truth == ".":
            raise Broken(f"cache file {path} holds {day}, a date the source never served")
        if not math.isclose(float(value), float(truth), rel_tol=1e-9, abs_tol=1e-12):
            raise Broken(f"cache file {path} holds {value} on {day}; the source served {truth}")
    # No observation missing in the middle: every real date between the first and the last.
    if dates:
        wanted = [d for d, v in real.items() if dates[0] <= d <= dates[-1] and v != "."]
        if len(wanted) != len(dates):
            gap = sorted(set(wanted) - set(dates))[:3]
            raise Broken(f"cache file {path} lacks observations the source has: {gap}")
    return set(dates)


# -- the model registry, leftovers and the key --------------------------------------------------


def snapshot_models(models: Path) -> dict[str, str]:
    return {p.relative_to(models).as_posix(): sha256(p) for p in models.rglob("*") if p.is_file()}


def check_models(models: Path, ledger: Ledger) -> str:
    """LATEST names a version whose card's sha256 is its artifact's; models/ is as it was."""
    latest = (models / "LATEST").read_text(encoding="utf-8").strip()
    card_path = models / latest / "card.json"
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Broken(f"models/LATEST names {latest!r}, whose card cannot be read ({exc})") from None
    artifact = models / latest / str(card.get("artifact"))
    if not artifact.is_file() or sha256(artifact) != card.get("sha256"):
        raise Broken(f"models/LATEST names {latest!r}, whose artifact fails its card's sha256")
    now = snapshot_models(models)
    if now != ledger.models:
        changed = sorted(set(now.items()) ^ set(ledger.models.items()))[:3]
        raise Broken(f"models/ changed during the soak: {changed}")
    return latest


def check_no_leftovers(home: Path, ledger: Ledger, *, killed: bool, succeeded: bool) -> None:
    """No temporary file outlives the next successful process.

    Nothing runs on SIGKILL, so a process killed mid-write leaves its temporary file until the
    next process takes the same lock and removes it. A temporary file is allowed only if a process
    was killed this round, and only until a round in which a process succeeds.
    """
    now = {str(p) for pattern in TEMPORARY for p in home.rglob(pattern)}
    stale = sorted(now & ledger.leftovers) if succeeded else []
    new = sorted(now - ledger.leftovers) if not killed else []
    if stale or new:
        raise Broken(f"temporary files left behind: {(stale or new)[:5]}")
    ledger.leftovers = now
    journals = sorted(home.rglob("*-journal"))
    if journals:  # check_history opened the database, which rolls a hot journal back
        raise Broken(f"SQLite journals left after a reader opened the history: {journals}")


def check_key_absent(home: Path, key: str, ledger: Ledger, exempt: set[Path]) -> int:
    """The API key is in no file under `home` but the key file itself. Returns files read."""
    needle = key.encode()
    read = 0
    for path in home.rglob("*"):
        if path in exempt or not path.is_file():
            continue
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if ledger.scanned.get(path) == stamp:
            continue
        if needle in path.read_bytes():
            raise Broken(f"the FRED API key appears in {path}")
        ledger.scanned[path] = stamp
        read += 1
    return read
