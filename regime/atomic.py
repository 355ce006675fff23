"""Atomic file writes: a temp file in the same folder, fsync, then one rename.

Every file `regime` writes (cache, model card, LATEST, predictions CSV, report) goes through
here, so a crash or a full disk leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; creates the folder. Returns `path`.

    The file gets the usual permissions (0666 less the umask), not mkstemp's private 0600, so a
    job running as another user can read what `regime` wrote.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


def remove_orphans(folder: Path) -> list[Path]:
    """Delete the temporary files writers killed mid-write left in `folder`; return them.

    A SIGKILL between the temporary file and its rename leaves `.<name>.<random>.tmp` behind
    (nothing runs on SIGKILL). Call this only while holding the lock every writer to `folder`
    holds: then no temporary file there belongs to a live writer.
    """
    removed = []
    for leftover in folder.glob(".*.tmp"):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            continue  # a read-only folder: the leftover is harmless, only untidy
        removed.append(leftover)
    return removed


def write_text_atomic(path: Path, text: str) -> Path:
    """`write_bytes_atomic` for UTF-8 text (newlines written as given)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def current_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` survive a power cut (a no-op where dirs cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
