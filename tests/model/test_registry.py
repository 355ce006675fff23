"""The model registry: one folder per version, `LATEST` names the active one, a new version is
promoted only when it is not worse (or forced), and promotion checks the artifact first."""

from __future__ import annotations

import copy
import json

import pytest

from regime.errors import ModelArtifactError
from regime.model.artifact import load_artifact, read_card, sha256_of
from regime.model.registry import compare, list_versions, promote, register


def with_scores(card: dict, version: str, ba: float | None, ll: float | None) -> dict:
    new = copy.deepcopy(card)
    new["version"] = version
    new["walk_forward"]["models"]["regime"].update(balanced_accuracy=ba, log_loss=ll)
    return new


@pytest.fixture
def active(deployment):
    """(artifact payload, card) of the deployment's active (committed) model."""
    version = deployment.latest.strip()
    return load_artifact(deployment.models / version)


def scores_of(card):
    ours = card["walk_forward"]["models"]["regime"]
    return ours["balanced_accuracy"], ours["log_loss"]


@pytest.mark.parametrize(
    ("d_ba", "d_ll", "promoted"),
    [(0, 0, True), (0.01, -0.01, True), (-0.01, 0, False), (0, 0.01, False), (0.05, 0.001, False)],
)
def test_promotion_needs_both_scores_not_worse(active, d_ba, d_ll, promoted):
    _, card = active
    ba, ll = scores_of(card)

    decision = compare(with_scores(card, "v2", ba + d_ba, ll + d_ll), card)

    assert decision.promote is promoted
    assert ("not worse" in decision.reason) is promoted


def test_a_model_without_scores_is_not_promoted_over_one_with_them(active):
    _, card = active
    assert not compare(with_scores(card, "v2", None, None), card).promote
    assert compare(card, None).promote


def test_a_worse_new_version_is_saved_but_latest_is_unchanged(deployment, active):
    pipeline, card = active
    before = deployment.latest
    ba, ll = scores_of(card)
    worse = with_scores(card, "20990101-worse", ba - 0.1, ll)

    outcome = register(pipeline, worse, deployment.models)

    assert (outcome.saved, outcome.active) == (True, False)
    assert outcome.reason.startswith("saved but not promoted: worse than the active")
    assert deployment.latest == before
    assert load_artifact(deployment.models / "20990101-worse")[1]["version"] == "20990101-worse"


def test_force_promotes_a_worse_version(deployment, active):
    pipeline, card = active
    ba, ll = scores_of(card)

    outcome = register(
        pipeline, with_scores(card, "20990101-worse", ba - 0.1, ll), deployment.models, force=True
    )

    assert outcome.active and "forced" in outcome.reason
    assert deployment.latest == "20990101-worse\n"


def test_a_better_version_is_promoted(deployment, active):
    pipeline, card = active
    ba, ll = scores_of(card)
    better = with_scores(card, "20990101-better", ba, ll - 0.01)

    outcome = register(pipeline, better, deployment.models)

    assert outcome.active and outcome.reason.startswith("promoted: not worse")
    assert deployment.latest == "20990101-better\n"


def test_retraining_the_active_version_to_the_same_model_keeps_its_artifact_byte_for_byte(
    deployment, active
):
    payload, card = active
    folder = deployment.models / card["version"]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    outcome = register(payload, card, deployment.models)

    assert outcome.saved and outcome.active and "stays active" in outcome.reason
    assert deployment.latest == card["version"] + "\n"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_retraining_the_active_version_to_other_bytes_switches_the_card_to_a_new_file(
    deployment, active
):
    payload, card = active
    folder = deployment.models / card["version"]
    changed = {**payload, "note": "other library versions"}

    outcome = register(changed, card, deployment.models)

    assert outcome.saved and outcome.active and "stays active" in outcome.reason
    new_card = read_card(folder)
    assert new_card["artifact"].startswith("model-") and new_card["artifact"] != card["artifact"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["card.json", "card.md", new_card["artifact"]]
    )
    assert sha256_of(folder / new_card["artifact"]) == new_card["sha256"]
    assert load_artifact(folder)[0]["note"] == "other library versions"


def test_retraining_the_active_version_to_worse_scores_writes_nothing(deployment, active):
    pipeline, card = active
    folder = deployment.models / card["version"]
    before = (folder / "card.json").read_bytes()
    ba, ll = scores_of(card)
    worse = with_scores(card, card["version"], ba - 0.1, ll)

    outcome = register(pipeline, worse, deployment.models)

    assert not outcome.saved and outcome.reason.startswith("not saved: worse")
    assert (folder / "card.json").read_bytes() == before


def test_promote_refuses_a_tampered_version_and_keeps_latest(deployment, active):
    pipeline, card = active
    register(pipeline, with_scores(card, "20990101-other", 0.0, 9.0), deployment.models)
    other = deployment.models / "20990101-other"
    (other / read_card(other)["artifact"]).write_bytes(b"not the artifact")
    before = deployment.latest

    with pytest.raises(ModelArtifactError, match="does not match the sha256"):
        promote(deployment.models, "20990101-other")
    assert deployment.latest == before
    [problem] = [v.problem for v in list_versions(deployment.models) if v.problem]
    assert "does not match the sha256" in problem


def test_models_list_show_and_promote_from_the_cli(deployment, active, invoke):
    pipeline, card = active
    register(pipeline, with_scores(card, "20990101-other", 0.5, 0.9), deployment.models)

    listed = invoke(deployment, "models", "list")
    assert listed.exit_code == 0, listed.output
    assert [line[0] for line in listed.stdout.splitlines()[1:]] == ["*", " "]

    shown = invoke(deployment, "models", "show", "20990101-other", "--format", "json")
    assert json.loads(shown.stdout)["active"] is False

    promoted = invoke(deployment, "models", "promote", "20990101-other")
    assert promoted.exit_code == 0
    assert "20990101-other is now the active model" in promoted.stdout
    assert deployment.latest == "20990101-other\n"


def test_models_show_prints_no_field_the_card_does_not_have(deployment, invoke):
    version = deployment.latest.strip()
    shown = invoke(deployment, "models", "show", version)
    assert shown.exit_code == 0, shown.output
    assert "None" not in shown.stdout and "created" not in shown.stdout
    assert "data through     2026-08-21" in shown.stdout.splitlines()
    listed = json.loads(invoke(deployment, "models", "list", "--format", "json").stdout)
    assert listed[0]["data_through"] == "2026-08-21" and "created" not in listed[0]


def test_unknown_and_path_like_versions_are_refused(deployment):
    for bad in ("nope", "../models", "LATEST", ".staging-x"):
        with pytest.raises(ModelArtifactError):
            promote(deployment.models, bad)
