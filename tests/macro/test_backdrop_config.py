"""The backdrop's settings are typed and strict, and presentation only: changing a threshold
never renames a model."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml

from regime.config import LEARNING_SECTIONS, load_settings
from regime.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load((PROJECT / "config.yaml").read_text())
    change(raw)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def family(raw: dict, name: str) -> dict:
    return raw["backdrop"]["families"][name]


def test_an_unknown_key_in_a_family_is_rejected_by_name(tmp_path):
    path = write_config(tmp_path, lambda raw: family(raw, "labour").update({"stres": 0.5}))
    with pytest.raises(ConfigError, match=r"unknown key 'backdrop\.families\.labour\.stres'"):
        load_settings(path)


def test_stress_below_watch_when_higher_is_worse_is_rejected_in_one_line(tmp_path):
    path = write_config(tmp_path, lambda raw: family(raw, "credit").update({"stress": 2.0}))
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert "\n" not in message
    assert "backdrop.families.credit" in message
    assert "watch (2.5) must be below stress (2.0) when higher is worse" in message


def test_stress_above_watch_when_lower_is_worse_is_rejected(tmp_path):
    path = write_config(tmp_path, lambda raw: family(raw, "curve").update({"stress": 1.0}))
    with pytest.raises(ConfigError, match=r"watch \(0\.5\) must be above stress \(1\.0\)"):
        load_settings(path)


def test_a_negative_tolerance_is_rejected(tmp_path):
    path = write_config(tmp_path, lambda raw: family(raw, "curve").update({"tolerance": -0.1}))
    with pytest.raises(ConfigError, match=r"backdrop\.families\.curve\.tolerance"):
        load_settings(path)


def test_a_family_needs_its_indicator_and_thresholds(tmp_path):
    path = write_config(tmp_path, lambda raw: family(raw, "labour").pop("watch"))
    with pytest.raises(ConfigError, match=r"backdrop\.families\.labour\.watch"):
        load_settings(path)


def test_the_backdrop_settings_are_frozen(project_settings):
    with pytest.raises(pydantic.ValidationError):
        project_settings.backdrop.families["labour"].stress = 0.4  # type: ignore[misc]


def test_changing_a_threshold_renames_no_model(tmp_path, project_settings):
    looser = load_settings(
        write_config(tmp_path, lambda raw: family(raw, "labour").update({"stress": 0.8}))
    )
    assert looser.backdrop.families["labour"].stress == 0.8
    assert looser.fingerprint() == project_settings.fingerprint()
    assert "backdrop" not in LEARNING_SECTIONS
    assert "backdrop" not in looser.learning_settings()
