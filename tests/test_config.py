"""Settings: parsed once, frozen, and strict about what they accept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pydantic
import pytest
import yaml

from regime.config import default_config_path, load_settings
from regime.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[1]


def write_config(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load((PROJECT / "config.yaml").read_text())
    change(raw)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_the_project_config_loads_and_points_at_the_embedded_data(project_settings):
    assert (project_settings.data_dir / "market" / "RUT.csv").is_file()
    assert "DGS10" in project_settings.fred_series
    assert project_settings.index_symbols == ("^RUT", "^GSPC", "^IXIC")


def test_settings_are_frozen(project_settings):
    with pytest.raises(pydantic.ValidationError):
        project_settings.labels.bear_decline = 0.1  # type: ignore[misc]


def test_an_unknown_key_is_rejected_by_name(tmp_path):
    path = write_config(tmp_path, lambda raw: raw["labels"].update({"bear_declin": 0.2}))
    with pytest.raises(ConfigError, match=r"unknown key 'labels\.bear_declin'"):
        load_settings(path)


def test_a_bad_value_names_the_key_and_what_is_allowed(tmp_path):
    path = write_config(tmp_path, lambda raw: raw["model"].update({"selection": "forest"}))
    with pytest.raises(ConfigError, match=r"model\.selection.*'nested' or 'fixed'"):
        load_settings(path)


def test_a_threshold_out_of_range_is_rejected(tmp_path):
    path = write_config(tmp_path, lambda raw: raw["labels"].update({"bear_decline": 1.5}))
    with pytest.raises(ConfigError, match=r"labels\.bear_decline"):
        load_settings(path)


def test_every_series_needs_a_publication_rule(tmp_path):
    path = write_config(tmp_path, lambda raw: raw["publication"].pop("UNRATE"))
    with pytest.raises(ConfigError, match="publication has no rule for UNRATE"):
        load_settings(path)


def test_relative_paths_resolve_against_the_config_file(tmp_path):
    path = write_config(tmp_path, lambda raw: raw["paths"].update({"data": "elsewhere"}))
    assert load_settings(path).data_dir == (tmp_path / "elsewhere").resolve()


def test_the_fingerprint_ignores_paths_but_not_label_rules(tmp_path, project_settings):
    moved = load_settings(write_config(tmp_path, lambda raw: raw["paths"].update({"models": "x"})))
    assert moved.fingerprint() == project_settings.fingerprint()
    stricter = load_settings(
        write_config(tmp_path, lambda raw: raw["labels"].update({"bear_decline": 0.25}))
    )
    assert stricter.fingerprint() != project_settings.fingerprint()


def test_the_week_allowance_is_read_but_renames_no_model(tmp_path, project_settings):
    looser = load_settings(
        write_config(tmp_path, lambda raw: raw["max_staleness_days"].update({"week": 30}))
    )
    assert looser.max_staleness_days.week == 30
    assert looser.fingerprint() == project_settings.fingerprint()
    assert "week" not in looser.learning_settings()["max_staleness_days"]


def test_where_the_refits_run_is_read_but_renames_no_model(tmp_path, project_settings):
    def on_dask(raw):
        raw["parallel"] = {"backend": "dask", "n_jobs": -1, "scheduler": "tcp://10.0.0.5:8786"}

    elsewhere = load_settings(write_config(tmp_path, on_dask))
    assert elsewhere.parallel.backend == "dask" and elsewhere.parallel.n_jobs == -1
    assert elsewhere.fingerprint() == project_settings.fingerprint()
    assert "parallel" not in elsewhere.learning_settings()


@pytest.mark.parametrize(
    "parallel, message",
    [
        ({"backend": "spark"}, r"parallel\.backend.*'loky', 'threading', 'sequential' or 'dask'"),
        ({"n_jobs": 0}, r"parallel\.n_jobs': must be a number of workers"),
        ({"workers": 4}, r"unknown key 'parallel\.workers'"),
    ],
)
def test_a_bad_parallel_setting_is_named(tmp_path, parallel, message):
    path = write_config(tmp_path, lambda raw: raw["parallel"].update(parallel))
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("labels: [1, 2\n", "not valid YAML"),
        ("- just\n- a list\n", "must hold a mapping"),
    ],
)
def test_a_broken_file_gives_one_line_and_exit_code_2(tmp_path, content, message):
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from regime.cli import main; main()",
            "predict",
            "--config",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_config_file_says_how_to_fix_it(tmp_path):
    with pytest.raises(ConfigError, match="--config"):
        load_settings(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        (("series", "rates", "ten_year"), "../../etc/passwd", "a series id or symbol is 1 to 64"),
        (("indices", "small_cap"), "RUT\0", "a series id or symbol is 1 to 64"),
        (("paths", "cache"), "cache\0folder", "a path cannot contain a NUL character"),
        (("history", "path"), "a\0b.sqlite", "a path cannot contain a NUL character"),
    ],
)
def test_a_series_id_or_path_the_files_could_not_use_is_refused(tmp_path, key, value, says):
    raw = yaml.safe_load(default_config_path().read_text())
    node = raw
    for part in key[:-1]:
        node = node[part] if isinstance(node.get(part), dict) else node.setdefault(part, {})
    node[key[-1]] = value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=f"bad value for '{'.'.join(key)}': {says}"):
        load_settings(path)
