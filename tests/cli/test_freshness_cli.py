"""`regime predict` and `regime run` say when the week predicted is old against today's date
($REGIME_TODAY stands in for the clock); `run --strict` makes it exit code 6."""

from __future__ import annotations

import json
import sqlite3

from regime.errors import StaleWeekError

WEEK = "2026-08-21"  # the last week of the embedded data
STALE = "the week predicted (2026-08-21) is 101 days old on 2026-11-30, more than "
STALE += "max_staleness_days.week (7); run `regime fetch` for newer data"


VERSION_SKEW = ("model was saved with", "InconsistentVersionWarning")


def said(stderr: str) -> str:
    """stderr without the library-version warnings that loading the committed model gives
    whenever the installed libraries differ from those that saved it (CI's lowest run)."""
    lines = stderr.splitlines(keepends=True)
    return "".join(line for line in lines if not any(skew in line for skew in VERSION_SKEW))


def at(deployment, today: str):
    deployment.env["REGIME_TODAY"] = today
    return deployment


def test_predict_warns_in_one_line_when_the_week_is_older_than_a_week(deployment):
    done = at(deployment, "2026-11-30").regime("predict", "--format", "json")

    assert done.returncode == 0
    assert said(done.stderr) == f"warning: {STALE}\n"
    assert json.loads(done.stdout)["as_of"] == WEEK


def test_predict_is_silent_while_the_week_is_fresh(deployment):
    done = at(deployment, "2026-08-28").regime("predict")

    assert (done.returncode, said(done.stderr)) == (0, "")
    assert done.stdout.startswith(f"Week ending {WEEK}: ")


def test_a_week_asked_for_by_date_is_old_on_purpose_and_not_warned_about(deployment):
    done = at(deployment, "2026-11-30").regime("predict", "--as-of", "2020-03-20")

    assert (done.returncode, said(done.stderr)) == (0, "")


def test_a_bad_today_is_one_line_and_exit_code_2(deployment):
    done = at(deployment, "next tuesday").regime("predict")

    assert done.returncode == 2
    assert done.stderr == (
        "error: REGIME_TODAY=next tuesday is not a date (YYYY-MM-DD); unset it to use today's "
        "date\n"
    )


def test_run_warns_and_records_a_stale_week(deployment):
    done = at(deployment, "2026-11-30").regime("run", "--offline")

    assert done.returncode == 0, done.stderr
    assert f"WARNING regime.jobs: {STALE}\n" in done.stderr
    assert history_weeks(deployment) == [WEEK]


def test_run_strict_records_a_stale_week_then_exits_6_with_one_error_line(deployment):
    done = at(deployment, "2026-11-30").regime("run", "--offline", "--strict")

    assert done.returncode == StaleWeekError.exit_code == 6
    errors = [line for line in done.stderr.splitlines() if " ERROR " in line]
    assert errors == [
        errors[0].split(" ERROR ")[0]
        + f" ERROR regime.run: {STALE} (the prediction is recorded; --strict)"
    ]
    assert STALE not in done.stderr.replace(errors[0], "")  # not also a warning
    assert history_weeks(deployment) == [WEEK]


def test_run_strict_passes_while_the_week_is_fresh(deployment):
    done = at(deployment, "2026-08-22").regime("run", "--offline", "--strict")

    assert done.returncode == 0, done.stderr
    assert "days old" not in done.stderr


def history_weeks(deployment) -> list[str]:
    with sqlite3.connect(deployment.history) as con:
        return [row[0] for row in con.execute("SELECT as_of FROM predictions")]


def stale_lines(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.strip().startswith("stale ")]


def test_the_text_names_the_series_stale_at_the_week_and_those_stale_today(deployment):
    done = at(deployment, "2026-09-02").regime("predict")  # 12 days on: the daily series are late
    answer = json.loads(at(deployment, "2026-09-02").regime("predict", "--format", "json").stdout)

    at_week, now = stale_lines(done.stdout)
    assert at_week == "stale at the week (treated as missing): " + ", ".join(
        answer["stale_at_week"]
    )
    assert now == "stale today (older than their cadence allows): " + ", ".join(answer["stale"])
    assert len(answer["stale"]) > len(answer["stale_at_week"])


def test_when_every_input_is_stale_today_the_text_says_so_in_a_few_words(deployment):
    done = at(deployment, "2026-11-30").regime("predict")
    answer = json.loads(at(deployment, "2026-11-30").regime("predict", "--format", "json").stdout)
    assert len(answer["stale"]) == len(answer["data_through"]) > 10
    assert stale_lines(done.stdout)[1] == (
        f"stale today (older than their cadence allows): all {len(answer['stale'])} input series"
    )


def test_a_week_asked_for_by_date_lists_only_what_was_stale_then(deployment):
    done = at(deployment, "2026-11-30").regime("predict", "--as-of", "2026-08-21")
    assert [line.split(" (")[0] for line in stale_lines(done.stdout)] == ["stale at the week"]
