"""A saved evaluation records the data, settings and code it was computed from, and a later
checkout can tell, part by part, whether it still describes it."""

from __future__ import annotations

import json

import pytest

from regime.config import Settings, load_settings
from regime.evaluation.provenance import (
    DOCS_EVALUATION,
    REGENERATE,
    code_digest,
    code_modules,
    saved_status,
)
from regime.model.training_rows import Dataset

from .conftest import EvaluateRun


@pytest.fixture(scope="module")
def made_with(evaluate_run: EvaluateRun) -> dict:
    return json.loads(evaluate_run.saved.read_text(encoding="utf-8"))["made_with"]


@pytest.fixture(scope="module")
def run_settings(evaluate_run: EvaluateRun) -> Settings:
    return load_settings(evaluate_run.config)


def test_an_evaluation_saved_by_this_checkout_is_current(
    made_with: dict, embedded_dataset: Dataset, run_settings: Settings
):
    status = saved_status(made_with, embedded_dataset, run_settings)
    assert status.current and status.note() is None
    assert made_with["code_modules"] == code_modules()


@pytest.mark.parametrize(
    "key, part",
    [("config_hash", "config"), ("data_fingerprint", "data"), ("code_fingerprint", "code")],
)
def test_each_part_that_differs_is_named_with_the_command_that_makes_the_file_again(
    key: str, part: str, made_with: dict, embedded_dataset: Dataset, run_settings: Settings
):
    status = saved_status({**made_with, key: "0" * 24}, embedded_dataset, run_settings)
    assert status.differs == (part,) and not status.current
    note = status.note()
    assert note is not None and f"its {part} fingerprint differs" in note
    assert REGENERATE in note and str(DOCS_EVALUATION) in note


def test_other_settings_are_the_config_part(made_with: dict, embedded_dataset: Dataset):
    assert saved_status(made_with, embedded_dataset, load_settings()).differs == ("config",)


def test_a_module_added_since_the_file_was_saved_makes_the_code_differ(
    made_with: dict, embedded_dataset: Dataset, run_settings: Settings
):
    older = {**made_with, "code_modules": made_with["code_modules"][1:]}
    older["code_fingerprint"] = code_digest(older["code_modules"])
    assert saved_status(older, embedded_dataset, run_settings).differs == ("code",)


def test_a_file_saved_before_the_fingerprints_is_stale_in_data_and_code(
    made_with: dict, embedded_dataset: Dataset, run_settings: Settings
):
    older = {k: made_with[k] for k in ("config_hash", "model_version", "data_through")}
    assert saved_status(older, embedded_dataset, run_settings).differs == ("data", "code")


def test_the_code_is_what_computes_figures_not_what_shows_or_records_them():
    modules = code_modules()
    assert {"regime.model.walk_forward", "regime.evaluation.saved", "regime.metrics"} <= set(
        modules
    )
    shown = [m for m in modules if m.startswith(("regime.cli", "regime.evaluation.report"))]
    assert shown == [] and not any(m.startswith("regime.job") for m in modules)


def test_a_module_that_no_longer_exists_has_no_digest():
    assert code_digest(["regime.metrics"]) is not None
    assert code_digest(["regime.metrics", "regime.no_such_module"]) is None
