"""The local cache of live pulls: one `date,value` CSV per series plus a checksummed manifest.

Layout under the cache folder::

    fred/DGS10.csv        market/RUT.csv        vintages/UNRATE.csv (first releases)
    manifest.json         {"files": {"fred/DGS10.csv": {"sha256": ..., "rows": ..., ...}}}
    corrupt/              files that failed their checks, moved aside with a timestamp
    .lock                 the filelock every writer (and reader) holds

Every write goes to a temporary file in the same folder, then `os.replace`, so a crash leaves
the old file or the new one, never half of one. A data file and the manifest cannot be renamed at
once, so a write first announces the new file in the manifest (`"pending": {"sha256": ...}` in
its entry), then renames the file, then records it: a process killed at any point leaves a file
that matches its entry or the announced one. A first write killed before its rename leaves an
announcement with no file: like the killed writer's temporary file, it is cleared by the next
process that takes the lock. A file whose checksum, parse or manifest entry is wrong raises
CorruptCacheError; it is never used silently.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regime.atomic import remove_orphans, write_bytes_atomic
from regime.errors import DataSourceError

MANIFEST = "manifest.json"
KINDS = ("fred", "market", "vintages")
LOCK_SECONDS = 120.0
# Values are compared to this tolerance when counting revisions: the CSV keeps 12 significant
# digits, so a value read back may differ from the downloaded float in the last bits.
REVISION_TOLERANCE = 1e-9


class CorruptCacheError(DataSourceError):
    """A cache file is truncated, unparsable, or does not match its checksum."""


@dataclass(frozen=True)
class MergeCounts:
    added: int
    revised: int
    revised_dates: tuple[str, ...]
    last_date: pd.Timestamp | None


def relative_path(key: str, *, kind: str) -> str:
    """Where a series lives inside the cache: kind is "fred", "market" or "vintages"."""
    stem = key.lstrip("^") if kind == "market" else key
    return f"{kind}/{stem}.csv"


class SeriesCache:
    """The cache folder. Cheap to build; touches the disk only when asked."""

    def __init__(self, root: Path, *, lock_seconds: float = LOCK_SECONDS) -> None:
        self.root = Path(root)
        self.lock_seconds = lock_seconds

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cache lock (one writer at a time; readers see whole file+manifest pairs).

        Every write happens under this lock, so a temporary file found on taking it, or an
        announced first write whose file never arrived, was left by a writer that was killed:
        both are cleared.
        """
        from filelock import FileLock, Timeout  # here: `predict` without a cache never needs it

        self.root.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(self.root / ".lock"), timeout=self.lock_seconds):
                for folder in (self.root, *(self.root / kind for kind in KINDS)):
                    remove_orphans(folder)
                self._retract_unfinished()
                yield
        except Timeout:
            raise DataSourceError(
                f"the cache {self.root} is locked by another `regime fetch`; try again when it ends"
            ) from None

    # -- reading ----------------------------------------------------------------------------

    def exists(self, key: str, *, kind: str) -> bool:
        return (self.root / relative_path(key, kind=kind)).is_file()

    def read(self, key: str, *, kind: str) -> pd.Series | None:
        """The cached series, or None when there is none. Call with the lock held.

        Raises CorruptCacheError when the file fails its checksum or does not parse.
        """
        rel = relative_path(key, kind=kind)
        path = self.root / rel
        if not path.is_file():
            return None
        blob = path.read_bytes()
        entry = self._manifest().get(rel)
        if not isinstance(entry, dict):  # absent, or a damaged manifest's stray value
            raise CorruptCacheError(f"{key}: cache file {path} has no manifest entry")
        digest = hashlib.sha256(blob).hexdigest()
        pending = entry.get("pending")
        announced = pending.get("sha256") if isinstance(pending, dict) else None
        if digest not in (entry.get("sha256"), announced):
            raise CorruptCacheError(f"{key}: cache file {path} does not match its checksum")
        return _parse(blob, key, path)

    def quarantine(self, key: str, *, kind: str) -> Path | None:
        """Move a bad file to `corrupt/` and forget it; return where it went. Hold the lock."""
        rel = relative_path(key, kind=kind)
        path = self.root / rel
        manifest = self._manifest()
        manifest.pop(rel, None)
        self._write_manifest(manifest)
        if not path.is_file():
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.root / "corrupt" / f"{rel.replace('/', '_')}.{stamp}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return target

    # -- writing ----------------------------------------------------------------------------

    def merge(self, key: str, fresh: pd.Series, *, kind: str, replace: bool = False) -> MergeCounts:
        """Merge validated observations into the cache; fresh values win on shared dates.

        Re-reads the cached file under the lock, so two concurrent fetches both land whole.
        With `replace`, the fresh series replaces the file instead (a full refresh). A corrupt
        file found here is quarantined and replaced.
        """
        with self.locked():
            try:
                cached = self.read(key, kind=kind)
            except CorruptCacheError:
                self.quarantine(key, kind=kind)
                cached = None
            old = cached if cached is not None else _empty(key)
            counts = _count(old, fresh)
            keep = len(old) and not replace
            merged = fresh.combine_first(old).sort_index() if keep else fresh.sort_index()
            self._write_series(key, merged.astype(float), kind=kind)
        return counts

    def _write_series(self, key: str, series: pd.Series, *, kind: str) -> None:
        rel = relative_path(key, kind=kind)
        frame = pd.DataFrame(
            {"date": series.index.strftime("%Y-%m-%d"), "value": series.to_numpy()}
        )
        blob = frame.to_csv(index=False, float_format="%.12g", lineterminator="\n").encode()
        entry = {
            "sha256": hashlib.sha256(blob).hexdigest(),
            "rows": len(series),
            "last_date": series.index[-1].strftime("%Y-%m-%d") if len(series) else None,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        manifest = self._manifest()
        # Announce, rename, record (see the module docstring): a kill between any two steps
        # leaves a file its entry vouches for.
        manifest[rel] = {**manifest.get(rel, {}), "pending": entry}
        self._write_manifest(manifest)
        write_bytes_atomic(self.root / rel, blob)
        manifest[rel] = entry
        self._write_manifest(manifest)

    def _retract_unfinished(self) -> None:
        """Forget entries that only announce a file which is not there (a first write killed
        between its announcement and its rename). Hold the lock."""
        manifest = self._readable_manifest()
        if not manifest:
            return  # none yet, or unreadable: `_manifest` deals with it on the first read
        unfinished = [
            rel
            for rel, entry in manifest.items()
            if "sha256" not in entry and not (self.root / rel).is_file()
        ]
        if not unfinished:
            return
        for rel in unfinished:
            del manifest[rel]
        try:
            self._write_manifest(manifest)
        except OSError:
            pass  # a read-only cache: the announcement is harmless (reads see no file), only stale

    def _manifest(self) -> dict[str, dict[str, Any]]:
        path = self.root / MANIFEST
        files = self._readable_manifest()
        if files is None:
            # Without a readable manifest no file can be trusted: every read reports corruption.
            stamp = time.strftime("%Y%m%dT%H%M%S")
            (self.root / "corrupt").mkdir(exist_ok=True)
            os.replace(path, self.root / "corrupt" / f"{MANIFEST}.{stamp}")
            return {}
        return files

    def _readable_manifest(self) -> dict[str, dict[str, Any]] | None:
        """The manifest's entries ({} when there is none yet), or None when it is unreadable."""
        path = self.root / MANIFEST
        if not path.is_file():
            return {}
        try:
            files = json.loads(path.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        if not isinstance(files, dict):
            return {}
        return {rel: e for rel, e in files.items() if isinstance(e, dict)}

    def _write_manifest(self, files: dict[str, dict[str, Any]]) -> None:
        blob = json.dumps({"files": files}, indent=1, sort_keys=True).encode()
        write_bytes_atomic(self.root / MANIFEST, blob)


def _empty(key: str) -> pd.Series:
    return pd.Series(dtype=float, index=pd.DatetimeIndex([]), name=key)


def _parse(blob: bytes, key: str, path: Path) -> pd.Series:
    try:
        frame = pd.read_csv(io.BytesIO(blob), dtype={"date": str})
        if list(frame.columns) != ["date", "value"]:
            raise ValueError(f"columns {list(frame.columns)}")
        dates = pd.to_datetime(frame["date"], format="%Y-%m-%d")
        values = pd.to_numeric(frame["value"]).astype(float)
    except (ValueError, TypeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorruptCacheError(f"{key}: cache file {path} does not parse ({exc})") from None
    series = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(dates), name=key)
    if series.index.has_duplicates or not series.index.is_monotonic_increasing:
        raise CorruptCacheError(f"{key}: cache file {path} has dates out of order or repeated")
    return series


def _count(old: pd.Series, fresh: pd.Series) -> MergeCounts:
    shared = fresh.index.intersection(old.index)
    before = old.reindex(shared).to_numpy(dtype=float)
    after = fresh.reindex(shared).to_numpy(dtype=float)
    revised = shared[np.abs(after - before) > REVISION_TOLERANCE * (1 + np.abs(before))]
    last = max(fresh.index.max(), old.index.max()) if len(old) else fresh.index.max()
    return MergeCounts(
        added=len(fresh.index.difference(old.index)),
        revised=len(revised),
        revised_dates=tuple(revised.strftime("%Y-%m-%d")),
        last_date=None if pd.isna(last) else last,
    )
