"""The saved walk-forward is reused only for the same data, settings and code, and a broken
file is recomputed, never trusted."""

from __future__ import annotations

import yaml

from regime.config import load_settings
from regime.model.reuse import fingerprint, reuse


def test_the_same_inputs_reuse_the_saved_result(tmp_path, embedded_dataset, project_settings):
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"answer": 42}

    first = reuse(tmp_path, embedded_dataset, project_settings, compute)
    second = reuse(tmp_path, embedded_dataset, project_settings, compute)
    assert first == second == {"answer": 42} and len(calls) == 1


def test_other_data_or_settings_give_another_fingerprint(embedded_dataset, project_settings):
    base = fingerprint(embedded_dataset, project_settings)
    features = embedded_dataset.features.copy()
    features.iloc[-1, 0] += 1.0
    changed_data = type(embedded_dataset)(
        features,
        embedded_dataset.closes,
        embedded_dataset.labels,
        embedded_dataset.pooled,
        embedded_dataset.total_returns,
    )
    model = project_settings.model.model_copy(update={"hysteresis": 2.0})
    changed_settings = project_settings.model_copy(update={"model": model})
    assert fingerprint(changed_data, project_settings) != base
    assert fingerprint(embedded_dataset, changed_settings) != base
    assert fingerprint(embedded_dataset, project_settings) == base


def test_the_same_settings_written_in_another_order_give_the_same_fingerprint(
    tmp_path, embedded_dataset, project_settings
):
    config = yaml.safe_load(project_settings.source_path.read_text())
    predecessors = config["indices"]["predecessors"]
    assert len(predecessors) > 1, "the check needs a mapping of more than one key"
    config["indices"]["predecessors"] = dict(reversed(list(predecessors.items())))
    reordered = tmp_path / "config.yaml"
    reordered.write_text(yaml.safe_dump(config, sort_keys=False))
    same = load_settings(reordered)
    assert fingerprint(embedded_dataset, same) == fingerprint(embedded_dataset, project_settings)


def test_a_corrupt_saved_result_is_recomputed_and_replaced(
    tmp_path, embedded_dataset, project_settings
):
    reuse(tmp_path, embedded_dataset, project_settings, lambda: "good")
    (saved,) = tmp_path.glob("walk-forward-*.pickle")
    saved.write_bytes(b"not a pickle")
    assert reuse(tmp_path, embedded_dataset, project_settings, lambda: "fresh") == "fresh"
    assert reuse(tmp_path, embedded_dataset, project_settings, lambda: "unused") == "fresh"
    assert [p.name for p in tmp_path.iterdir()] == [saved.name]
