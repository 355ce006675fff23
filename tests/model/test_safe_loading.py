"""Loading a model: the card is checked before the artifact is touched, and the artifact is plain
data (JSON numbers and names), so loading one runs no code. Every refusal happens without
loading; library drift warns or refuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joblib
import numpy as np
import pytest

from regime.errors import ModelArtifactError
from regime.model.artifact import (
    CARD_FORMAT,
    artifact_text,
    load_artifact,
    read_card,
    save_model,
    sha256_of,
)
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
    payload, card = load_artifact(version_dir)

    assert card["version"] == COMMITTED_VERSION and set(payload) >= {"final", "walk_forward"}
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


def test_the_artifact_is_plain_data_that_loads_back_the_same_model(version_dir, tmp_path):
    payload, card = load_artifact(version_dir)

    saved = save_model(payload, card, tmp_path / "models")

    assert (saved / "model.json").read_text() == artifact_text(payload)
    assert sha256_of(saved / "model.json") == sha256_of(version_dir / "model.json")
    original, copy = load_model(version_dir), load_model(saved)
    features = np.zeros((1, len(original.feature_names)))
    import pandas as pd

    frame = pd.DataFrame(features, columns=original.feature_names)
    assert original.predict_proba(frame).equals(copy.predict_proba(frame))


def test_a_model_of_an_earlier_regime_is_refused_unopened_with_advice_to_retrain(
    version_dir, tmp_path
):
    marker = tmp_path / "code-ran"
    joblib.dump(Booby(marker), version_dir / "model.joblib")
    edit_card(
        version_dir,
        format=1,
        artifact="model.joblib",
        sha256=sha256_of(version_dir / "model.joblib"),
    )

    with pytest.raises(ModelArtifactError, match="earlier regime .* retrain with `regime train`"):
        load_model(version_dir)
    assert not marker.exists()


def test_an_artifact_that_is_not_a_model_is_one_clear_refusal(version_dir):
    artifact = version_dir / "model.json"
    artifact.write_text('{"final": {"start": "2020-01-03"}}\n')
    edit_card(version_dir, sha256=sha256_of(artifact))

    with pytest.raises(ModelArtifactError, match="cannot read .* retrain with `regime train`"):
        load_model(version_dir)


def test_the_card_format_this_regime_writes_is_the_one_it_reads(version_dir):
    assert read_card(version_dir)["format"] == CARD_FORMAT
