"""Saved models: `models/<version>/` holds the artifact and its JSON card.

`models/LATEST` (a plain one-line file) names the active version. Loading checks the card
before it touches the artifact: an artifact whose sha256 differs from its card is refused,
never loaded. The sha256 proves the artifact is the one its card describes, not who wrote the
pair: only load models from folders you trust.

The artifact (`model.json`) is plain data: the fitted coefficients, scalings, medians, priors
and column names of the final model and of the walk-forward's models (see serialize.py).
Reading it runs no code, and the same model always gives the same bytes, so retraining on the
same data and settings leaves a checkout unchanged. Models saved by earlier versions of regime
(card format 1: `model.skops` or `model.joblib`, which are code) are refused: retrain them.

Library versions that differ from the card's give a warning naming both; a card can list
libraries in `require_same_versions` to turn that warning into a refusal.
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

from regime.atomic import current_umask, fsync_dir, write_text_atomic
from regime.errors import ModelArtifactError, shown_path
from regime.model.card_text import card_markdown

ARTIFACT_NAME = "model.json"
CARD_NAME = "card.json"
CARD_TEXT_NAME = "card.md"
LATEST_NAME = "LATEST"
PACKAGE = "regime"
# 3: adds the recession nowcast's models and record. 2: a JSON artifact of a SplitGateClassifier
# and its walk-forward models. 1: skops/joblib.
CARD_FORMAT = 3
# Libraries whose version changes can change what a saved model computes (the features).
CHECKED_LIBRARIES = ("scikit-learn", "numpy", "pandas")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def save_model(
    payload: dict[str, Any], card: dict[str, Any], models_dir: Path, *, make_latest: bool = True
) -> Path:
    """Write the artifact `payload` (plain data) and its card under `models_dir/<version>`,
    atomically.

    A new version folder is assembled under a temporary name and renamed into place, so a crash
    leaves either no folder or the whole one. An existing version is rewritten in place so that
    it stays loadable at every instant (see `_rewrite_in_place`). `LATEST` is updated last.
    """
    version = card["version"]
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".staging-{version}-"))
    try:
        os.chmod(staging, 0o777 & ~current_umask())
        artifact = _dump(payload, staging)
        _fsync_file(artifact)
        card = {**card, "artifact": artifact.name, "sha256": sha256_of(artifact)}
        target = models_dir / version
        if target.is_dir():
            _rewrite_in_place(staging, target, card)
        else:
            write_text_atomic(staging / CARD_TEXT_NAME, card_markdown(card))
            write_text_atomic(staging / CARD_NAME, card_text(card))
            os.replace(staging, target)
            fsync_dir(models_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if make_latest:
        write_latest(models_dir, version)
    return target


def _dump(payload: dict[str, Any], folder: Path) -> Path:
    """Write the artifact: canonical JSON (sorted keys, shortest exact floats)."""
    artifact = folder / ARTIFACT_NAME
    artifact.write_text(artifact_text(payload), encoding="utf-8")
    return artifact


def artifact_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False) + "\n"


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, indent=2, sort_keys=False) + "\n"


def _rewrite_in_place(staging: Path, target: Path, card: dict[str, Any]) -> None:
    """Replace the content of an existing version folder without a moment where it is broken.

    Retraining the same data and settings gives the same version name and the same bytes; with
    other library versions the bytes can differ. The old card always names an artifact that is
    present with its sha256: a byte-identical artifact is kept and only the card is replaced;
    otherwise the new one is written under a new name first, then the card is switched to it by
    one atomic rename, then the old file goes.
    """
    try:
        old_card = json.loads((target / CARD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old_card = {}
    old_name = str(old_card.get("artifact", ARTIFACT_NAME)) if isinstance(old_card, dict) else ""
    old_artifact = target / old_name
    fresh = staging / card["artifact"]
    if old_name and old_artifact.is_file() and sha256_of(old_artifact) == card["sha256"]:
        card = {**card, "artifact": old_name}
    else:
        name = f"model-{card['sha256'][:12]}{fresh.suffix}"
        os.replace(fresh, target / name)
        card = {**card, "artifact": name}
    write_text_atomic(target / CARD_TEXT_NAME, card_markdown(card))
    write_text_atomic(target / CARD_NAME, card_text(card))
    for leftover in target.glob("model*"):
        if leftover.suffix in (".json", ".joblib", ".skops") and leftover.name != card["artifact"]:
            leftover.unlink(missing_ok=True)


def write_latest(models_dir: Path, version: str) -> None:
    """Make `version` the active model (one atomic rename of `LATEST`)."""
    write_text_atomic(models_dir / LATEST_NAME, version + "\n")


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


def read_card(version_dir: Path) -> dict[str, Any]:
    """The card of a saved model, checked for format and package; never loads the artifact."""
    card_path = version_dir / CARD_NAME
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelArtifactError(
            f"{shown_path(card_path)} is missing; refusing to load an artifact without its card"
        ) from None
    except OSError as exc:  # a name too long, no permission, a folder where a file should be
        raise ModelArtifactError(
            f"cannot read the model card {shown_path(card_path)} ({exc.strerror or exc}); "
            "check --model or paths.models"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ModelArtifactError(
            f"{card_path} is not valid JSON; retrain with `regime train`"
        ) from None
    if not isinstance(card, dict) or card.get("package") != PACKAGE:
        raise ModelArtifactError(
            f"{card_path} is not a card of a `{PACKAGE}` model; refusing to load"
        )
    if not isinstance(card.get("format"), int) or card["format"] > CARD_FORMAT:
        raise ModelArtifactError(
            f"{card_path} has card format {card.get('format')!r}, newer than this regime "
            f"understands ({CARD_FORMAT}); upgrade regime or retrain"
        )
    if card["format"] < CARD_FORMAT:
        raise ModelArtifactError(
            f"{card_path} is a model of an earlier regime (card format {card['format']}), which "
            "this version cannot use; retrain with `regime train`"
        )
    return card


def verify_artifact(version_dir: Path) -> tuple[Path, dict[str, Any]]:
    """(artifact path, card) once the card is valid and the artifact matches its sha256.

    Never loads the artifact. Raises ModelArtifactError saying why it would be refused.
    """
    card = read_card(version_dir)
    name = str(card.get("artifact", ARTIFACT_NAME))
    artifact = version_dir / name
    if Path(name).name != name or not artifact.is_file():
        raise ModelArtifactError(f"{artifact} is missing; retrain with `regime train`")
    expected = card.get("sha256")
    if not isinstance(expected, str) or len(expected) != 64:
        raise ModelArtifactError(
            f"{version_dir / CARD_NAME} has no sha256 of its artifact; refusing to load it"
        )
    try:
        digest = sha256_of(artifact)
    except OSError as exc:
        raise ModelArtifactError(f"cannot read {artifact} ({exc.strerror or exc})") from None
    if digest != expected:
        raise ModelArtifactError(
            f"{artifact} does not match the sha256 in its card (tampered or corrupt); "
            "refusing to load it. Retrain with `regime train`"
        )
    return artifact, card


def load_artifact(version_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(artifact payload, card) after checking the sha256 and library versions against the card.

    The payload is plain JSON data; serialize.py turns it into models.
    """
    artifact, card = verify_artifact(version_dir)
    check_libraries(card)
    try:
        payload = json.loads(artifact.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelArtifactError(f"{artifact} is not a readable model ({exc}); retrain") from None
    if not isinstance(payload, dict):
        raise ModelArtifactError(f"{artifact} is not a regime model; retrain")
    return payload, card


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in (PACKAGE, *CHECKED_LIBRARIES):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def check_libraries(card: dict[str, Any]) -> None:
    """Warn for each checked library whose version differs from the card's; refuse (raise
    ModelArtifactError) when the card lists that library in `require_same_versions`."""
    saved = card.get("libraries", {})
    strict = set(card.get("require_same_versions", ()))
    current = library_versions()
    for name in CHECKED_LIBRARIES:
        if name not in saved or saved[name] == current.get(name):
            continue
        if name in strict:
            raise ModelArtifactError(
                f"model was saved with {name} {saved[name]} and its card marks other versions "
                f"incompatible; running {current.get(name)}. Install {name}=={saved[name]} "
                "or retrain with `regime train`"
            )
        warnings.warn(
            f"model was saved with {name} {saved[name]}, running {current.get(name)}; "
            "its probabilities may differ: retrain with `regime train` to be sure",
            UserWarning,
            stacklevel=3,
        )
