"""Saved models: `models/<version>/` holds the joblib artifact and its JSON card.

`models/LATEST` (a plain one-line file) names the active version. Loading checks the card
before it touches the artifact: a joblib file runs code when loaded, so an artifact whose
sha256 differs from its card is refused, never loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import joblib

from regime.errors import ModelArtifactError

ARTIFACT_NAME = "model.joblib"
CARD_NAME = "card.json"
LATEST_NAME = "LATEST"
PACKAGE = "regime"
CARD_FORMAT = 1
# Libraries whose version changes can change what a pickled model computes.
CHECKED_LIBRARIES = ("scikit-learn", "numpy", "pandas", "joblib")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temp file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(model: Any, card: dict, models_dir: Path, *, make_latest: bool = True) -> Path:
    """Write `model` and its card under `models_dir/<card['version']>`, atomically.

    The version folder is assembled under a temporary name and renamed into place, so a crash
    leaves either the old folder or the new one, never half of one. `LATEST` is updated last.
    """
    version = card["version"]
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".staging-{version}-"))
    try:
        artifact = staging / ARTIFACT_NAME
        joblib.dump(model, artifact, compress=3)
        card = {**card, "artifact": ARTIFACT_NAME, "sha256": sha256_of(artifact)}
        (staging / CARD_NAME).write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
        target = models_dir / version
        if target.exists():
            retired = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".retired-{version}-"))
            os.replace(target, retired / version)
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if make_latest:
        write_text_atomic(models_dir / LATEST_NAME, version + "\n")
    return target


def latest_version(models_dir: Path) -> str:
    latest = models_dir / LATEST_NAME
    try:
        version = latest.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ModelArtifactError(
            f"no model in {models_dir} ({LATEST_NAME} missing); run `regime train`"
        ) from None
    if not version or "/" in version or version.startswith("."):
        raise ModelArtifactError(f"{latest} does not name a model version; run `regime train`")
    return version


def read_card(version_dir: Path) -> dict:
    """The card of a saved model, checked for format and package; never loads the artifact."""
    card_path = version_dir / CARD_NAME
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelArtifactError(
            f"{card_path} is missing; refusing to load an artifact without its card"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelArtifactError(f"{card_path} is not valid JSON; retrain with `regime train`") from None
    if not isinstance(card, dict) or card.get("package") != PACKAGE:
        raise ModelArtifactError(f"{card_path} is not a card of a `{PACKAGE}` model; refusing to load")
    if not isinstance(card.get("format"), int) or card["format"] > CARD_FORMAT:
        raise ModelArtifactError(
            f"{card_path} has card format {card.get('format')!r}, newer than this regime "
            f"understands ({CARD_FORMAT}); upgrade regime or retrain"
        )
    return card


def load_artifact(version_dir: Path) -> tuple[Any, dict]:
    """(model, card) after checking the artifact's sha256 against the card."""
    card = read_card(version_dir)
    artifact = version_dir / str(card.get("artifact", ARTIFACT_NAME))
    if not artifact.is_file():
        raise ModelArtifactError(f"{artifact} is missing; retrain with `regime train`")
    if sha256_of(artifact) != card.get("sha256"):
        raise ModelArtifactError(
            f"{artifact} does not match the sha256 in its card (tampered or corrupt); "
            "refusing to load it. Retrain with `regime train`"
        )
    _warn_on_library_drift(card)
    try:
        model = joblib.load(artifact)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same to a user
        raise ModelArtifactError(f"{artifact} could not be loaded ({type(exc).__name__}); retrain") from None
    return model, card


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in (PACKAGE, *CHECKED_LIBRARIES):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _warn_on_library_drift(card: dict) -> None:
    saved = card.get("libraries", {})
    current = library_versions()
    for name in CHECKED_LIBRARIES:
        if name in saved and saved[name] != current.get(name):
            warnings.warn(
                f"model was saved with {name} {saved[name]}, running {current.get(name)}; "
                "its probabilities may differ: retrain with `regime train` to be sure",
                UserWarning,
                stacklevel=3,
            )
