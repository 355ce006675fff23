"""Keeping the walk-forward between commands: `train`, `evaluate` and `report` on unchanged data
and settings compute it once.

The walk-forward is a pure function of the data (the dataset's tables), the learning settings
and the code. Its result is saved under the user cache folder, named by a hash of all three, and
read back whenever they match. A file that cannot be read (corrupt, truncated, from another
Python) is ignored and recomputed: the cache can only save time, never change a result. Only the
few most recent results are kept.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from regime.atomic import write_bytes_atomic
from regime.config import Settings
from regime.model.training_rows import Dataset

log = logging.getLogger(__name__)
Result = TypeVar("Result")
KEEP = 3
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def reuse(
    folder: Path | None, dataset: Dataset, settings: Settings, compute: Callable[[], Result]
) -> Result:
    """`compute()`, or the result saved under `folder` for the same inputs (None: no cache)."""
    if folder is None:
        return compute()
    path = folder / f"walk-forward-{fingerprint(dataset, settings)}.pickle"
    try:
        with path.open("rb") as handle:
            result: Result = pickle.load(handle)
        log.debug("reusing the walk-forward saved in %s", path)
        return result
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - any unreadable cache file means "recompute"
        log.warning("ignoring an unreadable saved walk-forward %s (%s)", path, exc)
    result = compute()
    try:
        write_bytes_atomic(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(folder)
    except OSError as exc:
        log.warning(
            "could not save the walk-forward in %s (%s); it will be recomputed", folder, exc
        )
    return result


def fingerprint(dataset: Dataset, settings: Settings) -> str:
    """A hash of the data, the learning settings and the package's code."""
    digest = hashlib.sha256(data_fingerprint(dataset).encode())
    digest.update(settings.fingerprint().encode())  # blind to the order keys are written in
    for source in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(source.read_bytes())
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
    saved = sorted(folder.glob("walk-forward-*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in saved[:-KEEP]:
        old.unlink(missing_ok=True)
