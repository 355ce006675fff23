"""The model registry: the version folders under `models/`, which one is active, and promotion.

A version is promoted (named in `models/LATEST`) when its walk-forward scores are not worse than
the active model's, or by hand. Every change happens under `models/.lock`, so two `regime train`
or `regime models promote` runs never interleave; reading needs no lock (each change is one
atomic rename).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from regime.errors import ModelArtifactError, shown_path
from regime.model.artifact import (
    CARD_NAME,
    LATEST_NAME,
    latest_version,
    read_card,
    save_model,
    verify_artifact,
    write_latest,
)

LOCK_NAME = ".lock"
LOCK_SECONDS = 120.0
# Scores closer than this are equal: a retrain on another machine may differ in the last bits.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class VersionInfo:
    """One version folder as `regime models list` shows it. `problem` is None when loadable."""

    version: str
    path: Path
    active: bool
    # The last week of data it was trained on (cards carry no creation time: retraining the
    # same data and settings writes the same bytes).
    data_through: str | None = None
    trained_through: str | None = None
    balanced_accuracy: float | None = None
    log_loss: float | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str


@dataclass(frozen=True)
class Registration:
    """What `register` did with a freshly trained model."""

    version: str
    path: Path | None
    saved: bool
    active: bool
    reason: str


def scores(card: dict[str, Any]) -> tuple[float | None, float | None]:
    """(balanced accuracy, log loss) of the model's own walk-forward, None where absent."""
    try:
        ours = card["walk_forward"]["models"]["regime"]
    except (KeyError, TypeError):
        return None, None
    ba, ll = ours.get("balanced_accuracy"), ours.get("log_loss")
    return (
        float(ba) if isinstance(ba, int | float) else None,
        float(ll) if isinstance(ll, int | float) else None,
    )


def compare(candidate: dict[str, Any], active: dict[str, Any] | None) -> Decision:
    """Promote when no score got worse: balanced accuracy not lower, log loss not higher."""
    if active is None:
        return Decision(True, "there is no usable active model")
    new_ba, new_ll = scores(candidate)
    old_ba, old_ll = scores(active)
    if new_ba is None or new_ll is None:
        return Decision(False, "its card has no walk-forward balanced accuracy and log loss")
    if old_ba is None or old_ll is None:
        return Decision(True, f"the active {active.get('version')} has no walk-forward scores")
    versus = (
        f"balanced accuracy {new_ba:.4f} vs {old_ba:.4f}, log loss {new_ll:.4f} vs {old_ll:.4f}"
    )
    if new_ba < old_ba - TOLERANCE or new_ll > old_ll + TOLERANCE:
        return Decision(False, f"worse than the active {active.get('version')} ({versus})")
    return Decision(True, f"not worse than the active {active.get('version')} ({versus})")


@contextmanager
def locked(models_dir: Path, timeout: float = LOCK_SECONDS) -> Iterator[None]:
    """Hold the registry lock: one writer of `models/` at a time.

    Any OSError, taking the lock or writing under it (a read-only or full disk, a file where
    the folder should be), becomes one ModelArtifactError naming the folder.
    """
    try:
        lock_path = writable(models_dir)
        with FileLock(str(lock_path), timeout=timeout):
            yield
    except Timeout:
        raise ModelArtifactError(
            f"{models_dir} is locked by another `regime train` or `regime models promote`; "
            "try again when it ends"
        ) from None
    except OSError as exc:
        raise ModelArtifactError(unwritable(models_dir, exc)) from None


def writable(models_dir: Path) -> Path:
    """Create `models_dir` and its lock file if needed and return the lock's path; OSError when
    the folder cannot take a write (checked before a long `regime train`, not after it).

    FileLock would retry a lock file it cannot create until its timeout and then call it held:
    opening it once first says at once why it cannot be.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    lock_path = models_dir / LOCK_NAME
    os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666))
    with tempfile.TemporaryFile(dir=models_dir):
        pass  # a read-only folder that still lets the lock file be opened refuses a new file
    return lock_path


def check_writable(models_dir: Path) -> None:
    """ModelArtifactError now if `models_dir` cannot take a new version (see `writable`)."""
    try:
        writable(models_dir)
    except OSError as exc:
        raise ModelArtifactError(unwritable(models_dir, exc)) from None


def unwritable(models_dir: Path, exc: OSError) -> str:
    """One line for an OSError writing the models folder: what and what to do."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a file is where the folder should be"
    else:
        reason = exc.strerror or str(exc)
    return (
        f"cannot write to the models folder {shown_path(models_dir)} ({reason}); free some "
        "space, fix its permissions, or set paths.models in config.yaml to a writable folder"
    )


def active_card(models_dir: Path) -> dict[str, Any] | None:
    """The active model's verified card, or None when there is no usable active model."""
    try:
        version = latest_version(models_dir)
        return verify_artifact(models_dir / version)[1]
    except ModelArtifactError:
        return None


def active_version(models_dir: Path) -> str | None:
    try:
        return latest_version(models_dir)
    except ModelArtifactError:
        return None


def register(
    payload: dict[str, Any], card: dict[str, Any], models_dir: Path, *, force: bool = False
) -> Registration:
    """Save a trained model as a new version and promote it when it is not worse (or `force`).

    Retraining the active version (same data and settings) rewrites it and keeps it active,
    unless its new scores are worse and `force` is off: then nothing is written.
    """
    version = card["version"]
    with locked(models_dir):
        _remove_leftovers(models_dir)
        current = active_card(models_dir)
        decision = Decision(True, "forced with --force") if force else compare(card, current)
        same = current is not None and current.get("version") == version
        if same and not decision.promote:
            return Registration(version, None, False, True, f"not saved: {decision.reason}")
        target = save_model(payload, card, models_dir, make_latest=decision.promote)
    if same:
        reason = "retrained the active version (same data and settings); it stays active"
        return Registration(version, target, True, True, reason)
    verdict = "promoted" if decision.promote else "saved but not promoted"
    return Registration(version, target, True, decision.promote, f"{verdict}: {decision.reason}")


def promote(models_dir: Path, version: str) -> VersionInfo:
    """Make `version` active after checking its card and artifact sha256 (without loading it)."""
    version_dir = _version_dir(models_dir, version)
    with locked(models_dir):
        verify_artifact(version_dir)
        write_latest(models_dir, version)
    return describe(models_dir, version)


def list_versions(models_dir: Path) -> list[VersionInfo]:
    """Every version folder, oldest name first, each checked (card and sha256) but not loaded."""
    if not models_dir.is_dir():
        return []
    folders = sorted(
        p.name for p in models_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    return [describe(models_dir, name) for name in folders]


def describe(models_dir: Path, version: str) -> VersionInfo:
    version_dir = _version_dir(models_dir, version)
    active = active_version(models_dir) == version
    try:
        card = verify_artifact(version_dir)[1]
    except ModelArtifactError as exc:
        return VersionInfo(version, version_dir, active, problem=str(exc))
    ba, ll = scores(card)
    return VersionInfo(
        version,
        version_dir,
        active,
        data_through=card.get("data_through"),
        trained_through=card.get("labels_final_through"),
        balanced_accuracy=ba,
        log_loss=ll,
    )


def show(models_dir: Path, version: str) -> tuple[VersionInfo, dict[str, Any]]:
    """A version's status and its card (the card is read even when the artifact fails its check)."""
    info = describe(models_dir, version)
    return info, read_card(info.path)


def _version_dir(models_dir: Path, version: str) -> Path:
    bad = not version or "/" in version or "\0" in version or version.startswith(".")
    if bad or version == LATEST_NAME or len(version.encode("utf-8", "replace")) > 255:
        raise ModelArtifactError(
            f"{shown_path(repr(version), 60)} is not a model version; see `regime models list`"
        )
    version_dir = models_dir / version
    try:
        present = (version_dir / CARD_NAME).is_file() or version_dir.is_dir()
    except OSError as exc:
        raise ModelArtifactError(
            f"cannot read the models folder {shown_path(models_dir)} ({exc.strerror or exc})"
        ) from None
    if not present:
        raise ModelArtifactError(
            f"no model version {version} in {models_dir}; see `regime models list`"
        )
    return version_dir


def _remove_leftovers(models_dir: Path) -> None:
    """What a save killed midway leaves: staging folders, a temp LATEST. Call under the lock."""
    for leftover in models_dir.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in models_dir.glob(f".{LATEST_NAME}.*.tmp"):
        leftover.unlink(missing_ok=True)
