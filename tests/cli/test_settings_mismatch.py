"""A model trained with other settings says so: `predict` and `run` warn in one line naming each
learning setting that differs from the config's, and `run --strict` fails with exit code 7
(after recording the prediction). Settings that change no model (paths, the week's staleness
allowance) say nothing."""

from __future__ import annotations

import sqlite3

import pytest
import yaml

from regime.config import load_settings
from regime.errors import SettingsMismatchError
from regime.model.card_settings import differences, mismatch_message
from tests.deployment import COMMITTED_VERSION

EDITED = "labels.bear_decline: model 0.2, config 0.25"


def edit(deployment, **changes) -> None:
    """Set dotted keys of the deployment's config (e.g. labels__bear_decline=0.25)."""
    raw = yaml.safe_load(deployment.config.read_text())
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = raw
        for key in parents:
            node = node[key]
        node[last] = value
    deployment.config.write_text(yaml.safe_dump(raw, sort_keys=False))


VERSION_SKEW = ("model was saved with", "InconsistentVersionWarning")


def said(stderr: str) -> list[str]:
    """stderr's lines without the library-version warnings that loading the committed model
    gives whenever the installed libraries differ from those that saved it (CI's lowest run)."""
    return [line for line in stderr.splitlines() if not any(s in line for s in VERSION_SKEW)]


def mismatch_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "trained with other settings" in line]


@pytest.fixture
def on_a_fresh_day(deployment):
    deployment.env["REGIME_TODAY"] = "2026-08-22"  # the week is fresh: no staleness warning
    return deployment


def test_predict_warns_in_one_line_naming_the_setting_that_changed(on_a_fresh_day):
    edit(on_a_fresh_day, labels__bear_decline=0.25)
    done = on_a_fresh_day.regime("predict")
    assert done.returncode == 0, done.stderr
    [line] = said(done.stderr)
    assert line.startswith(f"warning: model {COMMITTED_VERSION} was trained with other settings")
    assert EDITED in line and "run `regime train`" in line
    assert done.stdout.startswith("Week ending 2026-08-21: ")


def test_unchanged_learning_settings_say_nothing(on_a_fresh_day):
    edit(on_a_fresh_day, max_staleness_days__week=30, history__lock_timeout_seconds=5)
    done = on_a_fresh_day.regime("predict")
    assert done.returncode == 0 and said(done.stderr) == []


def test_run_warns_and_run_strict_fails_with_exit_7_after_recording(on_a_fresh_day):
    edit(on_a_fresh_day, labels__bear_decline=0.25)
    warned = on_a_fresh_day.regime("run", "--offline")
    assert warned.returncode == 0, warned.stderr
    [line] = mismatch_lines(warned.stderr)
    assert " WARNING " in line and EDITED in line

    strict = on_a_fresh_day.regime("run", "--offline", "--strict")
    assert strict.returncode == SettingsMismatchError.exit_code == 7
    [line] = mismatch_lines(strict.stderr)
    assert " ERROR " in line and EDITED in line and "the prediction is recorded" in line
    with sqlite3.connect(on_a_fresh_day.history) as con:
        assert con.execute("SELECT count(*) FROM predictions").fetchone() == (1,)


def test_differences_name_each_changed_key_in_the_order_of_the_settings(project_settings):
    labels = project_settings.labels.model_copy(update={"bear_decline": 0.25})
    model = project_settings.model.model_copy(update={"regularisation": (0.1,)})
    edited = project_settings.model_copy(update={"labels": labels, "model": model})
    assert differences(project_settings, edited) == (
        EDITED,
        "model.regularisation: model [0.03, 0.3], config [0.1]",
    )
    assert differences(project_settings, project_settings) == ()


def test_the_warning_counts_what_it_does_not_name():
    found = tuple(f"k{i}: model 1, config 2" for i in range(9))
    line = mismatch_message("v1", found, "config.yaml")
    assert "k5: model 1, config 2; and 3 more" in line and "k6" not in line


def test_a_config_with_the_committed_settings_matches_the_committed_model(project_settings):
    from regime.model.predict import load_model

    assert load_model(settings=load_settings()).config_differences == ()
