"""Loading a model: the card is checked before the artifact is touched, because unpickling an
artifact runs code. Every refusal happens without loading; library drift warns or refuses."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from regime.config import CalibrationSettings, GradientBoostingSettings, ModelSettings
from regime.constants import REGIMES
from regime.errors import ModelArtifactError
from regime.model.artifact import (
    CARD_FORMAT,
    MOVED_MODULES,
    TRUSTED_TYPES,
    load_artifact,
    read_card,
    save_model,
    sha256_of,
)
from regime.model.classifier import build_classifier
from regime.model.predict import load_model

REPO = Path(__file__).resolve().parents[2]
COMMITTED_VERSION = (REPO / "models" / "LATEST").read_text().strip()


class Booby:
    """Unpickling this creates `marker`: proof that an artifact was (or was not) loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def version_dir(tmp_path: Path) -> Path:
    target = tmp_path / COMMITTED_VERSION
    shutil.copytree(REPO / "models" / COMMITTED_VERSION, target)
    return target


def edit_card(version_dir: Path, **changes) -> None:
    card_path = version_dir / "card.json"
    card = json.loads(card_path.read_text())
    card.update(changes)
    card_path.write_text(json.dumps(card))


def test_the_committed_model_loads_without_warnings(version_dir, recwarn):
    model, card = load_artifact(version_dir)

    assert card["version"] == COMMITTED_VERSION and hasattr(model, "predict_proba")
    assert not [w for w in recwarn if "was saved with" in str(w.message)]


def test_a_tampered_artifact_is_refused_and_never_unpickled(version_dir, tmp_path):
    marker = tmp_path / "code-ran"
    joblib.dump(Booby(marker), version_dir / read_card(version_dir)["artifact"])

    with pytest.raises(ModelArtifactError, match="does not match the sha256 in its card"):
        load_artifact(version_dir)
    assert not marker.exists()


def test_a_tampered_artifact_is_one_error_line_from_the_cli(deployment, guarded):
    folder = deployment.models / COMMITTED_VERSION
    active = folder / read_card(folder)["artifact"]
    tampered = bytearray(active.read_bytes())
    tampered[-1] ^= 0xFF  # flip the last byte, whatever it was
    active.write_bytes(bytes(tampered))

    code, out, err = guarded(deployment, "predict")

    assert code == ModelArtifactError.exit_code
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert "tampered or corrupt" in err


def test_an_artifact_without_its_card_is_refused(version_dir):
    (version_dir / "card.json").unlink()

    with pytest.raises(ModelArtifactError, match="refusing to load an artifact without its card"):
        load_artifact(version_dir)


def test_a_card_of_another_package_is_refused(version_dir):
    edit_card(version_dir, package="someone-else")

    with pytest.raises(ModelArtifactError, match="is not a card of a `regime` model"):
        load_artifact(version_dir)


def test_a_card_without_a_sha256_is_refused(version_dir):
    edit_card(version_dir, sha256=None)

    with pytest.raises(ModelArtifactError, match="has no sha256 of its artifact"):
        load_artifact(version_dir)


def test_a_card_from_a_newer_unknown_format_is_refused_saying_so(version_dir, tmp_path):
    edit_card(version_dir, format=CARD_FORMAT + 1)

    with pytest.raises(ModelArtifactError, match="newer than this regime understands"):
        read_card(version_dir)
    with pytest.raises(ModelArtifactError, match=f"card format {CARD_FORMAT + 1}"):
        load_model(version_dir)


def test_a_different_library_version_warns_naming_both(version_dir):
    card = read_card(version_dir)
    edit_card(version_dir, libraries={**card["libraries"], "scikit-learn": "0.1.0"})

    with pytest.warns(UserWarning, match=r"saved with scikit-learn 0\.1\.0, running \d"):
        load_artifact(version_dir)


def test_a_card_that_marks_other_versions_incompatible_refuses_them(version_dir):
    card = read_card(version_dir)
    edit_card(
        version_dir,
        libraries={**card["libraries"], "pandas": "0.1.0"},
        require_same_versions=["pandas"],
    )

    with pytest.raises(ModelArtifactError, match=r"saved with pandas 0\.1\.0 .* incompatible"):
        load_artifact(version_dir)


def test_new_models_are_skops_files_that_load_back_the_same(version_dir, tmp_path):
    pipeline, card = load_artifact(version_dir)

    saved = save_model(pipeline, card, tmp_path / "models")

    reloaded, new_card = load_artifact(saved)
    assert new_card["artifact"] == "model.skops"
    X = pd.DataFrame(np.zeros((3, len(card["feature_names"]))), columns=card["feature_names"])
    np.testing.assert_array_equal(reloaded.predict_proba(X), pipeline.predict_proba(X))


def test_a_skops_artifact_asking_for_an_untrusted_type_is_refused_unbuilt(version_dir, tmp_path):
    marker = tmp_path / "code-ran"
    artifact = version_dir / "model.skops"
    sio.dump({"payload": Booby(marker)}, artifact)
    edit_card(version_dir, artifact="model.skops", sha256=sha256_of(artifact))  # self-consistent

    with pytest.raises(ModelArtifactError, match="asks for types regime does not trust"):
        load_artifact(version_dir)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("classifier", "calibration"), [("logistic", "none"), ("gradient_boosting", "sigmoid")]
)
def test_every_classifier_configuration_needs_only_trusted_types(classifier, calibration):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=[f"rulebook_{i}" for i in range(4)])
    y = np.array(REGIMES)[rng.integers(0, len(REGIMES), len(X))]
    settings = ModelSettings(
        classifier=classifier,
        gradient_boosting=GradientBoostingSettings(max_iter=3, min_samples_leaf=20),
        calibration=CalibrationSettings(method=calibration, folds=2),
    )
    pipeline = build_classifier(settings).fit(X, y)

    assert set(sio.get_untrusted_types(data=sio.dumps(pipeline))) <= set(TRUSTED_TYPES)


def with_old_module_paths(text: str) -> str:
    """`text` naming regime's classes where they lived before the stage packages."""
    for old, new in MOVED_MODULES.items():
        text = text.replace(f"{new}\n", f"{old}\n").replace(f'"{new}"', f'"{old}"')
    return text


def test_a_skops_artifact_saved_before_the_stage_packages_loads_the_same(version_dir, tmp_path):
    pipeline, card = load_artifact(version_dir)
    artifact = tmp_path / "model.skops"
    with (
        zipfile.ZipFile(version_dir / card["artifact"]) as new,
        zipfile.ZipFile(artifact, "w", zipfile.ZIP_DEFLATED) as old,
    ):
        for name in new.namelist():
            data = new.read(name)
            if name == "schema.json":
                data = with_old_module_paths(data.decode()).encode()
            old.writestr(name, data)
    shutil.copy(artifact, version_dir / card["artifact"])
    edit_card(version_dir, sha256=sha256_of(artifact))
    assert "regime.classifier.GatedClassifier" in sio.get_untrusted_types(file=artifact)

    reloaded, _ = load_artifact(version_dir)

    X = pd.DataFrame(np.zeros((3, len(card["feature_names"]))), columns=card["feature_names"])
    np.testing.assert_array_equal(reloaded.predict_proba(X), pipeline.predict_proba(X))


def test_a_joblib_artifact_saved_before_the_stage_packages_loads_the_same(version_dir, tmp_path):
    pipeline, card = load_artifact(version_dir)
    artifact = version_dir / "model.joblib"
    # Protocol 2 names each class as the text "module\nname\n", which can be edited in place.
    joblib.dump(pipeline, artifact, protocol=2)
    artifact.write_bytes(
        with_old_module_paths(artifact.read_bytes().decode("latin-1")).encode("latin-1")
    )
    assert b"cregime.classifier\nGatedClassifier\n" in artifact.read_bytes()
    edit_card(version_dir, artifact="model.joblib", sha256=sha256_of(artifact))

    reloaded, _ = load_artifact(version_dir)

    X = pd.DataFrame(np.zeros((3, len(card["feature_names"]))), columns=card["feature_names"])
    np.testing.assert_array_equal(reloaded.predict_proba(X), pipeline.predict_proba(X))
