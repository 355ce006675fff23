"""A saved run of the hypotheses is checked against this checkout's data, settings and code,
and read into each hypothesis's verdict and headline differences."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from regime.config import Settings, bundled_root
from regime.errors import ConfigError
from regime.evaluation.recession.fingerprint import (
    HYPOTHESES_FILE,
    SCRIPT,
    code_digest,
    hypotheses_fingerprint_status,
)
from regime.evaluation.recession.hypotheses import read_hypotheses
from regime.model.training_rows import Dataset

from .hypotheses_payload import MODULES, fingerprint, payload


def test_the_code_fingerprint_is_the_one_the_hypotheses_script_saves():
    spec = importlib.util.spec_from_file_location("hypotheses_script", bundled_root() / SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules["hypotheses_script"] = script
    try:
        spec.loader.exec_module(script)
        saved = script.code_fingerprint()
    finally:
        del sys.modules["hypotheses_script"]
    assert "regime.macro.nowcast" in saved["modules"]
    assert code_digest(saved["modules"], bundled_root() / SCRIPT) == saved["code"]


def test_a_fingerprint_of_this_checkout_is_current(
    embedded_dataset: Dataset, project_settings: Settings
):
    found = fingerprint(embedded_dataset, project_settings)
    status = hypotheses_fingerprint_status(found, embedded_dataset, project_settings)
    assert status.current and status.note() is None


@pytest.mark.parametrize("part", ["data", "config", "code"])
def test_each_part_that_differs_is_named_in_the_note(
    part: str, embedded_dataset: Dataset, project_settings: Settings
):
    found = {**fingerprint(embedded_dataset, project_settings), part: "0" * 24}
    status = hypotheses_fingerprint_status(found, embedded_dataset, project_settings)
    assert status.differs == (part,) and not status.current
    note = status.note()
    assert note is not None and "older run" in note and f"its {part} fingerprint" in note


def test_a_listed_module_that_no_longer_exists_makes_the_code_differ(
    embedded_dataset: Dataset, project_settings: Settings
):
    found = fingerprint(embedded_dataset, project_settings)
    found["modules"] = [*MODULES, "regime.no_such_module"]
    status = hypotheses_fingerprint_status(found, embedded_dataset, project_settings)
    assert status.differs == ("code",)


def test_code_that_cannot_be_checked_is_said_to_be_unchecked(
    embedded_dataset: Dataset, project_settings: Settings, tmp_path: Path
):
    found = fingerprint(embedded_dataset, project_settings)
    status = hypotheses_fingerprint_status(found, embedded_dataset, project_settings, root=tmp_path)
    assert status.unchecked == ("code",) and not status.differs and not status.current
    assert "could not be checked" in (status.note() or "")
    # With the script beside it, the same root checks the code again.
    (tmp_path / SCRIPT).parent.mkdir()
    shutil.copy(bundled_root() / SCRIPT, tmp_path / SCRIPT)
    again = hypotheses_fingerprint_status(found, embedded_dataset, project_settings, tmp_path)
    assert again.current


def test_a_run_is_read_into_verdicts_and_headline_differences(
    embedded_dataset: Dataset, project_settings: Settings, tmp_path: Path
):
    path = tmp_path / "hypotheses.json"
    path.write_text(json.dumps(payload(fingerprint(embedded_dataset, project_settings))))
    run = read_hypotheses(path)
    assert run.status is None  # not checked until asked
    assert [r.name for r in run.results] == ["H1", "H2", "H3", "H4"] and run.missing == ()
    assert [r.passed for r in run.results] == [True, False, False, False]
    h1, h2, h3, h4 = run.results
    assert h1.differences[0].estimate == pytest.approx(0.0213) and h1.differences[0].points
    assert h1.differences[0].intervals["episode"] == pytest.approx((0.0042, 0.0391))
    assert "entry gate 7, exit gate 0" in h1.notes[0]
    assert "2000-2012" in h2.differences[0].what and h2.differences[0].estimate == -0.011
    assert h3.differences[0].intervals == {"block": pytest.approx((-0.0441, 0.0322))}
    assert "state features alone" in h4.differences[1].what
    assert run.checked(embedded_dataset, project_settings).status.current  # type: ignore[union-attr]


def test_a_run_without_some_hypotheses_names_the_missing_ones(
    embedded_dataset: Dataset, project_settings: Settings, tmp_path: Path
):
    saved = payload(fingerprint(embedded_dataset, project_settings))
    del saved["results"]["H3"], saved["results"]["H4"]
    path = tmp_path / "hypotheses.json"
    path.write_text(json.dumps(saved))
    run = read_hypotheses(path)
    assert [r.name for r in run.results] == ["H1", "H2"] and run.missing == ("H3", "H4")


@pytest.mark.parametrize(
    "text, words",
    [
        ("not json", "is not JSON"),
        ('{"results": {}}', "is not a saved run of benchmarks/hypotheses.py"),
        ('{"fingerprint": {}, "results": {"H1": {"pass": true}}}', "is not a run of this"),
    ],
)
def test_a_file_that_is_not_a_run_is_one_clear_error(text: str, words: str, tmp_path: Path):
    path = tmp_path / "hypotheses.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=words) as raised:
        read_hypotheses(path)
    assert "\n" not in str(raised.value) and "hypotheses.py --save" in str(raised.value)


def test_the_committed_run_reads_and_its_verdicts_follow_their_pass_marks():
    run = read_hypotheses(bundled_root() / HYPOTHESES_FILE)
    assert run.missing == ()
    by_name = {r.name: r for r in run.results}
    h1, h3, h4 = by_name["H1"], by_name["H3"], by_name["H4"]
    assert h1.passed == (h1.differences[0].intervals["episode"][0] > 0)
    assert h3.passed == (
        h3.differences[0].intervals["block"][0] > 0 and h3.differences[1].estimate > 0
    )
    assert h4.passed == all(d.intervals["block"][0] > 0 for d in h4.differences)


def test_the_committed_run_describes_this_checkout(
    embedded_dataset: Dataset, project_settings: Settings
):
    # Its data, settings and every module the script loaded: any change to them makes the
    # quoted results an older run's, and this names the command that brings them up to date.
    run = read_hypotheses(bundled_root() / HYPOTHESES_FILE)
    status = run.checked(embedded_dataset, project_settings).status
    assert status is not None
    assert status.current, status.note()


def test_the_results_page_quotes_the_committed_run_word_for_word():
    from regime.evaluation.recession.hypotheses_markdown import BEGIN, END, hypotheses_markdown

    path = bundled_root() / HYPOTHESES_FILE
    expected = hypotheses_markdown(
        read_hypotheses(path), json.loads(path.read_text(encoding="utf-8"))
    )
    page = (bundled_root() / "docs/macro/results.md").read_text(encoding="utf-8")
    assert page.count(BEGIN) == 1 and page.count(END) == 1
    quoted = page.split(BEGIN)[1].split(END)[0].strip("\n") + "\n"
    assert quoted == expected, (
        "docs/macro/results.md no longer quotes docs/macro/hypotheses.json: paste the output "
        "of `python -m regime.evaluation.recession.hypotheses_markdown` between its markers"
    )
