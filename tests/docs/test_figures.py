"""The figures the docs and the README quote are those of the committed saved evaluation, and
that evaluation describes this checkout: its data, settings and code."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from regime.config import Settings
from regime.evaluation.provenance import DOCS_EVALUATION, REGENERATE, saved_status
from regime.model.training_rows import Dataset

from .figures import (
    Quote,
    look_up,
    marks_opening_a_line,
    marks_without_a_figure,
    quotes,
    shows,
)

PROJECT = Path(__file__).resolve().parents[2]
PAGES = sorted((PROJECT / "docs").rglob("*.md")) + [PROJECT / "README.md"]
QUOTES = [q for page in PAGES for q in quotes(page, str(page.relative_to(PROJECT)))]
# What a reader must be able to trust first: the call against its peers, the recession
# nowcast's record, and the outlook's skill.
HEADLINES = {
    "evaluation.models.regime.balanced_accuracy",
    "evaluation.models.rulebook_realtime.balanced_accuracy",
    "evaluation.models.state_only.balanced_accuracy",
    "evaluation.comparison.baseline.balanced_accuracy.estimate",
    "evaluation.recession.models.nowcast.auroc",
    "evaluation.recession.models.nowcast.brier_skill_vs_climatology.estimate",
    "evaluation.outlook.targets.name=regime_4w.brier_skill.persistence.estimate",
    "evaluation.outlook.targets.name=regime_13w.brier_skill.persistence.estimate",
}


@cache
def saved() -> Any:
    path = PROJECT / DOCS_EVALUATION
    if not path.is_file():
        pytest.fail(f"{DOCS_EVALUATION} is missing: make it with `{REGENERATE}`")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_saved_evaluation_describes_this_checkout(
    embedded_dataset: Dataset, project_settings: Settings
):
    status = saved_status(saved()["made_with"], embedded_dataset, project_settings)
    # The data fingerprint hashes tables computed from the data: other numpy or pandas versions
    # than those the file was saved with change their last digits, and so the fingerprint.
    versions = " (or this environment's numpy and pandas differ from those it was saved with)"
    assert status.current, f"{status.note()}{versions if 'data' in status.differs else ''}"


@pytest.mark.parametrize("quote", QUOTES, ids=str)
def test_each_quoted_figure_is_the_saved_evaluations(quote: Quote):
    try:
        value = look_up(saved(), quote.path)
    except (KeyError, IndexError, ValueError) as exc:
        pytest.fail(f"{quote}: {DOCS_EVALUATION} has no such number ({exc!r})")
    assert shows(quote.shown, value), (
        f"{quote}, but {DOCS_EVALUATION} says {value:.6g}: update the page (and the words "
        f"around the figure)"
    )


def test_the_headline_figures_are_quoted_in_the_readme_and_checked():
    in_readme = {q.path for q in QUOTES if q.page == "README.md"}
    assert HEADLINES <= in_readme, sorted(HEADLINES - in_readme)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_every_mark_is_followed_by_its_figure_inside_its_line(page: Path):
    assert marks_without_a_figure(page) == []
    assert marks_opening_a_line(page) == [], "move a word before the mark"


# The checks themselves, on a small hand-made evaluation.
SMALL = {
    "weeks": ["2007-07-20", "2007-07-27"],
    "threshold": [0.31, 0.3257],
    "evaluation": {"targets": [{"name": "a", "skill": 0.0614}, {"name": "b", "skill": -0.047}]},
}


@pytest.mark.parametrize(
    "path, shown, agrees",
    [
        ("evaluation.targets.name=a.skill", "+0.061", True),
        ("evaluation.targets.name=a.skill", "+0.062", False),
        ("evaluation.targets.1.skill", "-0.05", True),
        ("evaluation.targets.1.skill", "-0.047", True),
        ("evaluation.targets.1.skill", "+0.047", False),
        ("threshold.@2007-07-27*100", "32.6%", True),
        ("threshold.@2007-07-27*100", "33%", True),
        ("threshold.@2007-07-27*100", "32.5%", False),
    ],
)
def test_a_figure_agrees_only_when_it_is_the_number_rounded_as_shown(path, shown, agrees):
    assert shows(shown, look_up(SMALL, path)) is agrees


@pytest.mark.parametrize("path", ["evaluation.targets.name=c.skill", "weeks.0", "evaluation"])
def test_a_path_to_nothing_or_to_no_number_is_refused(path):
    with pytest.raises((KeyError, IndexError, ValueError)):
        look_up(SMALL, path)


def test_marks_are_found_with_the_figure_they_precede(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "| a | <!-- fig: x.y -->2,172 weeks | <!-- fig: z*100 -->-50.8% |\n"
        "<!-- fig: typo --> 0.5 and `<!-- fig: in.code -->1`\n"
        "```\n<!-- fig: in.a.block -->2\n```\n",
        encoding="utf-8",
    )
    found = [(q.line, q.path, q.shown) for q in quotes(page, "page.md")]
    assert found == [(1, "x.y", "2,172"), (1, "z*100", "-50.8%")]
    assert marks_without_a_figure(page) == ["typo"]
    assert marks_opening_a_line(page) == [2]
