"""The saved walk-forward is reused only for the same data, settings, code and libraries; it is
read back as arrays and a JSON tree, never unpickled; a broken or planted file is a warning
and a recompute, never trusted and never run."""

from __future__ import annotations

import dataclasses
import io
import logging
import math
import pickle
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from regime.config import load_settings
from regime.model.plain_file import UnreadableFile, dump, load
from regime.model.reuse import fingerprint, reuse
from regime.model.train import train_model
from regime.model.walk_forward import walk_forward

PACKAGE = Path(__file__).resolve().parents[2] / "regime"


def saved_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("walk-forward-*.npz"))


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


def test_another_library_version_gives_another_fingerprint(
    embedded_dataset, project_settings, monkeypatch
):
    import importlib.metadata

    base = fingerprint(embedded_dataset, project_settings)
    real = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "0.0" if name == "numpy" else real(name)
    )
    assert fingerprint(embedded_dataset, project_settings) != base


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


@pytest.mark.parametrize("damage", ["text", "truncated", "a flipped byte", "empty"])
def test_a_damaged_saved_result_is_a_warning_and_a_recompute(
    damage, tmp_path, embedded_dataset, project_settings, caplog
):
    reuse(tmp_path, embedded_dataset, project_settings, lambda: {"numbers": [1.5, 2.5]})
    (saved,) = saved_files(tmp_path)
    blob = saved.read_bytes()
    damaged = {
        "text": b"not a saved walk-forward",
        "truncated": blob[: len(blob) // 2],
        "a flipped byte": blob[:-200] + bytes([blob[-200] ^ 1]) + blob[-199:],
        "empty": b"",
    }[damage]
    saved.write_bytes(damaged)
    with caplog.at_level(logging.WARNING, logger="regime"):
        again = reuse(tmp_path, embedded_dataset, project_settings, lambda: "fresh")
    assert again == "fresh"
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "ignoring the saved walk-forward" in warning and "recomputing it" in warning
    assert reuse(tmp_path, embedded_dataset, project_settings, lambda: "unused") == "fresh"
    assert saved_files(tmp_path) == [saved]


def test_a_file_whose_numbers_were_edited_fails_its_checksum():
    blob = dump({"weights": np.arange(4.0)}, "key")
    members = zipfile.ZipFile(io.BytesIO(blob))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as out:
        for item in members.infolist():
            data = members.read(item)
            if item.filename == "a0.npy":
                data = data[:-8] + np.float64(99.0).tobytes()
            out.writestr(item, data)
    with pytest.raises(UnreadableFile, match="checksum"):
        load(edited.getvalue(), "key")


def test_a_file_made_from_other_inputs_is_refused():
    with pytest.raises(UnreadableFile, match="other data, settings or code"):
        load(dump([1, 2, 3], "made-from-this"), "asked-for-that")


class Booby:
    """Unpickling this creates a file: the proof that a load ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def test_a_planted_pickle_is_never_run_under_the_old_name_or_the_new_one(
    tmp_path, embedded_dataset, project_settings, caplog
):
    marker = tmp_path / "code-ran"
    cache = tmp_path / "cache"
    cache.mkdir()
    key = fingerprint(embedded_dataset, project_settings)
    planted = pickle.dumps(Booby(marker))
    (cache / f"walk-forward-{key}.pickle").write_bytes(planted)  # what regime 0.1 read
    (cache / f"walk-forward-{key}.npz").write_bytes(planted)  # the name read now

    with caplog.at_level(logging.WARNING, logger="regime"):
        result = reuse(cache, embedded_dataset, project_settings, lambda: {"answer": 42})

    assert not marker.exists()
    assert result == {"answer": 42}
    assert any("ignoring the saved walk-forward" in r.getMessage() for r in caplog.records)
    assert reuse(cache, embedded_dataset, project_settings, lambda: "unused") == {"answer": 42}
    assert not list(cache.glob("*.pickle"))  # the old format is removed, never opened
    assert not marker.exists()


def test_a_planted_npz_of_objects_is_refused_without_unpickling(tmp_path):
    marker = tmp_path / "code-ran"
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.array([Booby(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(UnreadableFile):
        load(buffer.getvalue(), "key")
    assert not marker.exists()


# -- the round trip gives back the same walk-forward --------------------------------------------


def assert_same(a, b, where: str = "walk-forward") -> None:
    """Equal in every part `train` and `evaluate` read: types, order, dtypes, index frequencies."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: other keys or key order"
        for (key, x), y in zip(a.items(), b.values(), strict=True):
            assert_same(x, y, f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_freq=True, obj=where)
        assert a.index.freq == b.index.freq, where
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, check_freq=True, obj=where)
        assert a.index.freq == b.index.freq, where
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=True, obj=where)
        assert getattr(a, "freq", None) == getattr(b, "freq", None), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
    elif isinstance(a, pd.Timestamp):
        assert a == b and a.unit == b.unit, where
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


@pytest.fixture(scope="module")
def calibrated_settings(project_settings):
    """Few candidates, both calibrations offered (so sigmoids are stored), refits every 5 years:
    the walk-forward takes seconds and holds every kind of part the full one does."""
    model = project_settings.model.model_copy(
        update={
            "families": {"credit": project_settings.model.families["credit"]},
            "regularisation": (0.3,),
            "pool_from": (date(1950, 1, 1),),
        }
    )
    walk = project_settings.walk_forward.model_copy(update={"refit_weeks": 260})
    return project_settings.model_copy(update={"model": model, "walk_forward": walk})


def test_the_round_trip_gives_back_an_equal_walk_forward(embedded_dataset, calibrated_settings):
    run = walk_forward(embedded_dataset, calibrated_settings)
    assert any(run.runs.sigmoids.values()), "the check needs calibrated candidates"
    assert {t.target.kind for t in run.outlook.values()} >= {"regime", "leadership"}

    back = load(dump(run, "key"), "key")

    assert_same(run, back)
    # What the evaluation derives from it: the judged calls and a restricted nested choice.
    args = (embedded_dataset, calibrated_settings)
    assert_same(run.predictions(*args), back.predictions(*args))
    state_only = lambda c: not c.families  # noqa: E731
    assert_same(run.restricted(*args, state_only), back.restricted(*args, state_only))
    for name, target in run.outlook.items():
        schedule = run.schedule
        same = target.restricted(calibrated_settings, schedule, state_only)
        assert_same(same, back.outlook[name].restricted(calibrated_settings, schedule, state_only))


def test_training_from_the_saved_walk_forward_gives_the_same_model_byte_for_byte(
    tmp_path, embedded_data, calibrated_settings
):
    from regime.model.artifact import artifact_text, card_text

    paths = calibrated_settings.paths.model_copy(update={"cache": tmp_path})
    settings = calibrated_settings.model_copy(update={"paths": paths})
    fresh = train_model(embedded_data, settings)
    (saved,) = saved_files(tmp_path / "walk_forward")
    reused = train_model(embedded_data, settings)  # reads the .npz written by the first

    assert saved_files(tmp_path / "walk_forward") == [saved]
    assert artifact_text(reused.payload()) == artifact_text(fresh.payload())
    assert card_text(reused.card) == card_text(fresh.card)


def test_nothing_in_the_package_unpickles_from_disk():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("import pickle", "pickle.load", "joblib.load", "allow_pickle=True", "dill"):
            if needle in text:
                found.append(f"{path.relative_to(PACKAGE)}: {needle}")
    assert found == []
