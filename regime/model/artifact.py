"""Saved models: `models/<version>/` holds the artifact and its JSON card.

`models/LATEST` (a plain one-line file) names the active version. Loading checks the card
before it touches the artifact: an artifact whose sha256 differs from its card is refused,
never loaded. The sha256 proves the artifact is the one its card describes, not who wrote the
pair: only load models from folders you trust.

New artifacts are skops files (`model.skops`): loading one builds only
the types in `TRUSTED_TYPES` (plus what skops trusts itself: scikit-learn estimators, numpy
arrays) and runs no other code. Artifacts of earlier versions are joblib pickles
(`model.joblib`): unpickling one can run any code, so for those the sha256 check is the only
guard.

Library versions that differ from the card's give a warning naming both; a card can list
libraries in `require_same_versions` to turn that warning into a refusal.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from regime.atomic import current_umask, fsync_dir, write_text_atomic
from regime.errors import ModelArtifactError

ARTIFACT_NAME = "model.joblib"  # the legacy (pickle) format; still loaded, after the sha256 check
SKOPS_NAME = "model.skops"
CARD_NAME = "card.json"
LATEST_NAME = "LATEST"
PACKAGE = "regime"
CARD_FORMAT = 1
# Libraries whose version changes can change what a saved model computes.
CHECKED_LIBRARIES = ("scikit-learn", "numpy", "pandas", "joblib", "skops")
# The types a skops artifact may ask for beyond what skops trusts by default. Anything else is
# refused: add a type here only after reading what constructing it does.
TRUSTED_TYPES = (
    "numpy.dtype",
    "regime.model.calibration.PooledTimeSeriesCalibrator",
    "regime.model.classifier.GatedClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
)
# Where regime's own estimator classes lived before the package was split into stages. Artifacts
# saved then (skops and joblib) name the old module paths; loading finds the classes at the new
# ones, so those versions stay loadable and keep their sha256.
MOVED_MODULES = {
    "regime.calibration": "regime.model.calibration",
    "regime.classifier": "regime.model.classifier",
}


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
    model: Any, card: dict[str, Any], models_dir: Path, *, make_latest: bool = True
) -> Path:
    """Write `model` and its card under `models_dir/<card['version']>`, atomically.

    A new version folder is assembled under a temporary name and renamed into place, so a crash
    leaves either no folder or the whole one. An existing version is rewritten in place so that
    it stays loadable at every instant (see `_rewrite_in_place`). `LATEST` is updated last.
    """
    version = card["version"]
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".staging-{version}-"))
    try:
        os.chmod(staging, 0o777 & ~current_umask())
        artifact = _dump(model, staging)
        _fsync_file(artifact)
        card = {**card, "artifact": artifact.name, "sha256": sha256_of(artifact)}
        target = models_dir / version
        if target.is_dir():
            _rewrite_in_place(staging, target, card)
        else:
            write_text_atomic(staging / CARD_NAME, _card_text(card))
            os.replace(staging, target)
            fsync_dir(models_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if make_latest:
        write_latest(models_dir, version)
    return target


def _dump(model: Any, folder: Path) -> Path:
    """Write the artifact as a skops file (a dependency: never a silent pickle fallback)."""
    import skops.io as sio

    artifact = folder / SKOPS_NAME
    sio.dump(model, artifact, compression=zipfile.ZIP_DEFLATED)
    return artifact


def _card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, indent=2, sort_keys=False) + "\n"


def _rewrite_in_place(staging: Path, target: Path, card: dict[str, Any]) -> None:
    """Replace the content of an existing version folder without a moment where it is broken.

    Retraining the same data and settings gives the same version name and the same model, but
    not always the same bytes (a skops file records object ids). The old card always names an
    artifact that is present with its sha256: a byte-identical artifact is kept and only the card
    is replaced; otherwise the new one is written under a new name first, then the card is
    switched to it by one atomic rename, then the old file goes.
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
    write_text_atomic(target / CARD_NAME, _card_text(card))
    for leftover in target.glob("model*"):
        if leftover.suffix in (".joblib", ".skops") and leftover.name != card["artifact"]:
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
            f"{card_path} is missing; refusing to load an artifact without its card"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
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
    if sha256_of(artifact) != expected:
        raise ModelArtifactError(
            f"{artifact} does not match the sha256 in its card (tampered or corrupt); "
            "refusing to load it. Retrain with `regime train`"
        )
    return artifact, card


def load_artifact(version_dir: Path) -> tuple[Any, dict[str, Any]]:
    """(model, card) after checking the artifact's sha256 and library versions against the card."""
    artifact, card = verify_artifact(version_dir)
    check_libraries(card)
    if artifact.suffix == ".skops":
        return _load_skops(artifact), card
    import joblib

    try:
        with _moved_modules(MOVED_MODULES):
            model = joblib.load(artifact)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same to a user
        raise ModelArtifactError(
            f"{artifact} could not be loaded ({type(exc).__name__}); retrain"
        ) from None
    return model, card


def _load_skops(artifact: Path) -> Any:
    """Load a skops artifact, refusing one that asks for a type outside `TRUSTED_TYPES`."""
    try:
        import skops.io as sio
    except ImportError:
        raise ModelArtifactError(
            f"{artifact} is a skops artifact; install skops (pip install skops) to load it"
        ) from None
    try:
        asked = sio.get_untrusted_types(file=artifact)
    except Exception as exc:  # noqa: BLE001 - an unreadable file means the same to a user
        raise ModelArtifactError(
            f"{artifact} is not a readable skops file ({exc}); retrain"
        ) from None
    unknown = sorted(name for name in asked if current_type_name(name) not in TRUSTED_TYPES)
    if unknown:
        raise ModelArtifactError(
            f"{artifact} asks for types regime does not trust ({', '.join(unknown[:5])}); "
            "refusing to load it"
        )
    moved = {old: new for old, new in MOVED_MODULES.items() if _names_module(asked, old)}
    try:
        with _moved_modules(moved):
            return sio.load(artifact, trusted=list(asked))
    except Exception as exc:  # noqa: BLE001
        raise ModelArtifactError(
            f"{artifact} could not be loaded ({type(exc).__name__}: {exc}); retrain"
        ) from None


def current_type_name(name: str) -> str:
    """`module.Class` with a module of `MOVED_MODULES` replaced by where it lives now."""
    module, _, cls = name.rpartition(".")
    return f"{MOVED_MODULES.get(module, module)}.{cls}"


def _names_module(type_names: Iterable[str], module: str) -> bool:
    return any(name.rpartition(".")[0] == module for name in type_names)


@contextmanager
def _moved_modules(moved: dict[str, str]) -> Iterator[None]:
    """While loading, make each old module path of `moved` resolve to its new module."""
    added = []
    for old, new in moved.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)
            added.append(old)
    try:
        yield
    finally:
        for old in added:
            sys.modules.pop(old, None)


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
