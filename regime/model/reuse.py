"""Keeping the walk-forward between commands: `train`, `evaluate` and `report` on unchanged data
and settings compute it once.

The walk-forward is a pure function of the data (the dataset's tables), the learning settings,
the code and the libraries that compute it. Its result is saved under the user cache folder,
named by a hash of all four, as arrays and a JSON tree (plain_file.py): reading it back runs no
code, whoever wrote the file. It is read back whenever the hash matches and its checksum proves
it whole. A file that cannot be read (damaged, truncated, of another format or fingerprint, or
planted) is a warning and a recompute: the cache can only save time, never change a result.
Only the few most recent results are kept; files of the old pickled format are never opened,
only removed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from regime.atomic import write_bytes_atomic
from regime.config import Settings
from regime.model.plain_file import UnreadableFile, dump, load
from regime.model.training_rows import Dataset

log = logging.getLogger(__name__)
Result = TypeVar("Result")
KEEP = 3
PACKAGE_DIR = Path(__file__).resolve().parents[1]
SUFFIX = ".npz"
# What regime 0.1 wrote: pickles, which run code when loaded. Never read; removed on pruning.
LEGACY = "walk-forward-*.pickle"
# Libraries whose versions can change what the walk-forward computes.
LIBRARIES = ("numpy", "pandas", "scikit-learn")


def reuse(
    folder: Path | None, dataset: Dataset, settings: Settings, compute: Callable[[], Result]
) -> Result:
    """`compute()`, or the result saved under `folder` for the same inputs (None: no cache)."""
    if folder is None:
        return compute()
    key = fingerprint(dataset, settings)
    path = folder / f"walk-forward-{key}{SUFFIX}"
    saved = _read(path, key)
    if saved is not None:
        log.debug("reusing the walk-forward saved in %s", path)
        result: Result = saved
        return result
    result = compute()
    try:
        blob = dump(result, key)
    except TypeError as exc:  # a type the file cannot hold: a bug, but never a wrong answer
        log.warning("not saving the walk-forward (%s); it will be recomputed", exc)
        return result
    try:
        write_bytes_atomic(path, blob)
        _prune(folder)
    except OSError as exc:
        log.warning(
            "could not save the walk-forward in %s (%s); it will be recomputed", folder, exc
        )
    return result


def _read(path: Path, key: str) -> Any | None:
    """The result saved at `path` for `key`, or None (with a warning if the file is bad)."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("ignoring the saved walk-forward %s (%s); recomputing it", path, exc.strerror)
        return None
    try:
        return load(blob, key)
    except UnreadableFile as exc:
        log.warning("ignoring the saved walk-forward %s: %s; recomputing it", path, exc)
        return None


def fingerprint(dataset: Dataset, settings: Settings) -> str:
    """A hash of the data, the learning settings, the package's code and the libraries."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(data_fingerprint(dataset).encode())
    digest.update(settings.fingerprint().encode())  # blind to the order keys are written in
    for source in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(source.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}=={version(name)};".encode())
        except PackageNotFoundError:
            digest.update(f"{name} absent;".encode())
    return digest.hexdigest()[:24]


def data_fingerprint(dataset: Dataset) -> str:
    """A hash of every table derived from the data (features, closes, labels, nowcast inputs)."""
    digest = hashlib.sha256()
    for frame in _frames(dataset):
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        digest.update(",".join(map(str, frame.columns)).encode())
    return digest.hexdigest()[:24]


def _frames(dataset: Dataset) -> list[pd.DataFrame]:
    frames = [dataset.features, dataset.closes, dataset.labels, dataset.total_returns]
    for history in dataset.pooled:
        frames += [history.features, history.closes]
    if dataset.recession is not None:
        truth = dataset.recession.truth
        frames += [
            dataset.recession.features,
            truth.recession.to_frame(),
            truth.known_from.to_frame(),
        ]
    return frames


def _prune(folder: Path) -> None:
    for legacy in folder.glob(LEGACY):
        legacy.unlink(missing_ok=True)
    saved = sorted(folder.glob(f"walk-forward-*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
    for old in saved[:-KEEP]:
        old.unlink(missing_ok=True)
