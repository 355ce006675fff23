"""A short walk-forward config on the real embedded data, so CLI tests run in seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from regime.config import default_config_path


def write_config(folder: Path, **walk_forward) -> Path:
    """The project's config with absolute data paths, an empty cache and a short test span."""
    raw = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
    root = default_config_path().parent
    raw["paths"] = {
        "data": str(root / "data"),
        "models": str(root / "models"),
        "cache": str(folder / "cache"),
    }
    raw["walk_forward"] = {**raw["walk_forward"], **walk_forward}
    raw["evaluation"] = {**raw.get("evaluation", {}), "bootstrap_samples": 50, "hmm_iterations": 20}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def short_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Test weeks 2019-2020 (the 2020 crash is a risk_off episode), refitted yearly."""
    folder = tmp_path_factory.mktemp("short_config")
    return write_config(folder, first_test="2019-01-04", last_test="2020-12-25", refit_weeks=52)
