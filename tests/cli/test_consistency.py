"""The commands speak one language: `--format text|json|csv` (old spellings still accepted),
`--quiet` wherever progress is shown, warnings as one `warning:` line without source lines."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from regime.cli import cli

VOCABULARY = {"text", "json", "csv"}
SHOWS_PROGRESS = ("evaluate", "fetch", "report", "train")


def commands() -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            found.update({f"{name} {sub}": c for sub, c in command.commands.items()})
        else:
            found[name] = command
    return found


def option(command: click.Command, name: str) -> click.Option | None:
    return next((p for p in command.params if isinstance(p, click.Option) and p.name == name), None)


FORMATTED = sorted(name for name, command in commands().items() if option(command, "fmt"))


def test_every_command_that_prints_data_has_a_format_option():
    expected = ["evaluate", "history", "label", "models list", "models show", "predict", "run"]
    assert FORMATTED == expected


@pytest.mark.parametrize("name", FORMATTED)
def test_every_format_option_offers_only_the_shared_vocabulary(name):
    fmt = option(commands()[name], "fmt")
    assert fmt is not None and isinstance(fmt.type, click.Choice)
    assert set(fmt.type.choices) <= VOCABULARY
    assert fmt.opts == ["--format"]
    assert fmt.default in (*fmt.type.choices, None)


@pytest.mark.parametrize("name", SHOWS_PROGRESS)
def test_every_command_with_a_progress_bar_can_be_quiet(name):
    quiet = option(commands()[name], "quiet")
    assert quiet is not None and set(quiet.opts) == {"--quiet", "-q"}


def regime(
    *args: str, env: dict[str, str] | None = None, prelude: str = ""
) -> subprocess.CompletedProcess:
    code = f"{prelude}\nfrom regime.cli import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def test_the_old_table_spelling_still_means_text():
    args = ("label", "--start", "2020-03-06", "--end", "2020-03-20")
    old, new = regime(*args, "--format", "table"), regime(*args, "--format", "text")

    assert (old.returncode, new.returncode) == (0, 0), old.stderr
    assert old.stdout == new.stdout and "risk_off" in new.stdout


def test_help_and_errors_name_only_the_current_spellings():
    shown = regime("history", "--help").stdout
    refused = regime("history", "--format", "xml")

    assert "[text|csv|json]" in shown and "table" not in shown
    assert refused.returncode == 2
    assert "'xml' is not one of 'text', 'csv', 'json'" in refused.stderr


def test_run_json_is_still_format_json(deployment):
    old = deployment.regime("run", "--offline", "--json")
    new = deployment.regime("run", "--offline", "--format", "json")

    assert (old.returncode, new.returncode) == (0, 0), old.stderr
    first, second = json.loads(old.stdout), json.loads(new.stdout)
    assert (first["recorded"], second["recorded"]) == (True, False)
    assert {**first, "recorded": None} == {**second, "recorded": None}
    assert "--json" not in deployment.regime("run", "--help").stdout


def test_run_format_text_prints_what_predict_prints(deployment):
    deployment.env["REGIME_TODAY"] = "2026-08-22"
    ran = deployment.regime("run", "--offline", "--format", "text")
    predicted = deployment.regime("predict")

    assert (ran.returncode, predicted.returncode) == (0, 0), ran.stderr
    assert ran.stdout == predicted.stdout


def with_library_drift(deployment) -> None:
    """Make the active model's card claim another scikit-learn: loading it warns."""
    card_path = deployment.models / deployment.latest.strip() / "card.json"
    card = json.loads(card_path.read_text())
    card["libraries"]["scikit-learn"] = "0.1.0"
    card_path.write_text(json.dumps(card))


def test_a_warning_is_one_line_without_a_file_name_or_source_line(deployment):
    with_library_drift(deployment)
    deployment.env["REGIME_TODAY"] = "2026-08-22"

    done = deployment.regime("predict")

    assert done.returncode == 0
    lines = done.stderr.splitlines()
    [line] = [line for line in lines if "scikit-learn 0.1.0" in line]
    assert line.startswith("warning: model was saved with scikit-learn 0.1.0, running ")
    assert all(line.startswith("warning: ") for line in lines)  # no file names, no source lines


def test_in_the_jobs_json_logs_a_warning_is_its_message_alone(deployment):
    with_library_drift(deployment)

    done = deployment.regime("run", "--offline", "--log-format", "json")

    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    [drift] = [e for e in entries if "scikit-learn 0.1.0" in e["message"]]
    assert drift["logger"] == "py.warnings"
    assert drift["level"] == "WARNING"
    assert drift["message"].startswith("model was saved with scikit-learn 0.1.0, running ")
    assert "\n" not in drift["message"] and ".py:" not in drift["message"]


def test_the_library_leaves_warnings_formatting_alone():
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import warnings, regime.cli; print(warnings.showwarning.__module__)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "warnings"


def test_another_librarys_warning_is_named_and_kept_on_one_line():
    code = (
        "import warnings\n"
        "from regime.cli._common import show_warnings_as_lines\n"
        "show_warnings_as_lines()\n"
        "warnings.warn('Trying to unpickle:\\nsee the docs', RuntimeWarning)\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert shown.stderr == "warning: RuntimeWarning: Trying to unpickle: see the docs\n"
