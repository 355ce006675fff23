"""The saved evaluation's macro parts (format 3) and the report's macro panel drawn from them.

The evaluation is the session's (`regime evaluate --save`, biennial refits); the hypotheses'
run is hand-built (hypotheses_payload.py), so the page's verdicts and its stale-fingerprint
note are known in advance.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from regime.config import Settings, load_settings
from regime.evaluation.recession.hypotheses import read_hypotheses
from regime.evaluation.report import Now, Report, build_report, now_of, read_record
from regime.evaluation.report.check import check_page, chromium, section_screenshot
from regime.evaluation.report.macro.hypotheses import hypotheses_section
from regime.macro.backdrop import family_history
from regime.macro.readings import CALM, STALE, STRESS, UNAVAILABLE, WATCH
from regime.sources import load_market_data

from .conftest import EvaluateRun
from .hypotheses_payload import fingerprint, payload

REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]
STATES = {CALM, WATCH, STRESS, STALE, UNAVAILABLE}


@pytest.fixture(scope="module")
def saved(evaluate_run: EvaluateRun) -> dict[str, Any]:
    return json.loads(evaluate_run.saved.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def settings(evaluate_run: EvaluateRun) -> Settings:
    return load_settings(evaluate_run.config)


@pytest.fixture(scope="module")
def now(settings: Settings) -> Now:
    return now_of(settings, load_market_data(settings), datetime(2026, 1, 1, tzinfo=UTC))


def page_with(
    evaluate_run: EvaluateRun, settings: Settings, now: Now, folder: Path, **changes: str
) -> Report:
    """The report drawn with the hand-built run whose fingerprint is this checkout's, with
    `changes` made to it."""
    path = folder / "hypotheses.json"
    path.write_text(json.dumps(payload({**fingerprint(now.dataset, settings), **changes})))
    hypotheses = read_hypotheses(path).checked(now.dataset, settings)
    record = read_record(evaluate_run.saved, settings, now.latest_week)
    return build_report(record, now, settings, hypotheses)


@pytest.fixture(scope="module")
def current(
    evaluate_run: EvaluateRun,
    settings: Settings,
    now: Now,
    tmp_path_factory: pytest.TempPathFactory,
) -> Report:
    return page_with(evaluate_run, settings, now, tmp_path_factory.mktemp("current"))


@pytest.fixture(scope="module")
def older(
    evaluate_run: EvaluateRun,
    settings: Settings,
    now: Now,
    tmp_path_factory: pytest.TempPathFactory,
) -> Report:
    """The same, from a run whose code fingerprint is not this checkout's."""
    return page_with(evaluate_run, settings, now, tmp_path_factory.mktemp("older"), code="0" * 24)


def test_the_saved_nowcast_runs_week_by_week_from_1973_to_the_last_week(
    saved: dict[str, Any], settings: Settings
):
    assert saved["version"] == 3
    r = saved["recession"]
    weeks = pd.DatetimeIndex(r["weeks"])
    assert weeks[0] == pd.Timestamp(settings.recession.first_refit)
    assert r["weeks"][-1] == saved["made_with"]["data_through"]
    assert (weeks.to_series().diff().dropna() == pd.Timedelta(weeks=1)).all()
    assert len(r["p_recession"]) == len(r["truth"]) == len(weeks)
    assert all(0 <= p <= 1 for p in r["p_recession"])
    assert r["threshold"] == settings.recession.call_threshold
    assert r["judged"] == saved["evaluation"]["recession"]["span"]


def test_the_saved_truth_is_dated_through_the_judged_span_and_null_after(saved: dict[str, Any]):
    r = saved["recession"]
    truth = pd.Series(r["truth"], index=pd.DatetimeIndex(r["weeks"]), dtype=object)
    judged = truth.loc[: r["judged"][1]]
    assert set(judged) == {0, 1}
    assert truth.loc[r["judged"][1] :].iloc[1:].isna().all()
    # Every saved recession is one run of 1s on the weekly truth, and they are all of them.
    months = truth.loc[truth == 1].index.to_period("M").unique()
    saved_months = {
        m for x in r["recessions"] for m in pd.period_range(x["first"], x["last"], freq="M")
    }
    assert set(months) == {m for m in saved_months if m >= truth.index[0].to_period("M")}
    assert [x["first"] for x in r["recessions"]][1:6] == [
        "1980-02",
        "1981-08",
        "1990-08",
        "2001-04",
        "2008-01",
    ]


def test_the_saved_backdrop_holds_each_family_over_the_last_104_weeks(
    saved: dict[str, Any], settings: Settings, now: Now
):
    b = saved["backdrop"]
    assert len(b["weeks"]) == 104 and b["weeks"][-1] == saved["made_with"]["data_through"]
    assert list(b["families"]) == list(settings.backdrop.families)
    assert now.dataset.recession is not None
    weeks = pd.DatetimeIndex(b["weeks"])
    expected = family_history(now.dataset.recession.features, weeks, settings)
    for name, family in b["families"].items():
        config = settings.backdrop.families[name]
        assert (family["watch"], family["stress"]) == (config.watch, config.stress)
        assert len(family["value"]) == len(family["state"]) == len(weeks)
        assert set(family["state"]) <= STATES
        rows = expected[expected["family"] == name]
        assert family["state"] == rows["state"].tolist()
        values = [float("nan") if v is None else v for v in family["value"]]
        assert values == pytest.approx(rows["value"].round(6).tolist(), nan_ok=True)


def test_the_record_reads_the_macro_parts_back_on_their_axes(
    evaluate_run: EvaluateRun, saved: dict[str, Any], settings: Settings, now: Now
):
    record = read_record(evaluate_run.saved, settings, now.latest_week)
    assert record.recession is not None and record.backdrop is not None
    assert record.recession.p.tolist() == saved["recession"]["p_recession"]
    assert len(record.recession.recessions) == len(saved["recession"]["recessions"])
    first, last = record.recession.recessions[-1]
    assert (first, last) == (pd.Timestamp("2020-03-01"), pd.Timestamp("2020-04-30"))
    assert [h.family for h in record.backdrop] == list(saved["backdrop"]["families"])


def test_the_macro_panel_follows_the_call_with_its_headings_charts_and_readings(
    evaluate_run: EvaluateRun, current: Report, now: Now
):
    report = current
    page = report.html
    panel = page[page.index("<section id='macro'>") :]
    panel = panel[: panel.index("</section>")]
    assert page.index("<section id='now'") < page.index("<section id='macro'>")
    assert page.index("<section id='macro'>") < page.index("The last two years, week by week")
    for heading in (
        "The economy: the recession nowcast and the macro backdrop",
        "P(recession) this week:",
        "Each family,",
        "The nowcast against its peers",
        "place in the regime call: four pre-registered tests",
    ):
        assert heading in panel, heading
    assert {"recession", "macro-labour", "macro-credit", "macro-curve", "macro-conditions"} <= set(
        report.charts
    )
    for name in ("recession", "macro-labour", "macro-conditions"):
        assert f'id="chart-{name}"' in panel
    assert now.backdrop is not None
    for reading in now.backdrop.readings:
        assert reading.sentence.replace("'", "&#x27;") in panel
    auroc = json.loads(evaluate_run.saved.read_text())["evaluation"]["recession"]["models"]
    assert f"AUROC <b>{auroc['nowcast']['auroc']:.3f}</b>" in panel


def test_every_verdict_is_shown_alike_and_a_current_run_has_no_stale_note(current: Report):
    page = current.html
    verdicts = re.findall(r"<span class='verdict' style='border-color:#[0-9A-F]{6}'>(\w+)<", page)
    assert verdicts == ["pass", "fail", "fail", "fail"]
    assert "+2.13 pt" in page  # H1's headline, in percentage points
    assert "block [-0.044, +0.032]" in page  # H3's, with its interval
    assert "pass mark (pre-registered)" in page
    assert "hypotheses-stale" not in page and "older run" not in page


def test_a_run_whose_fingerprint_differs_is_marked_as_an_older_run(older: Report):
    page = older.html
    note = re.search(r"<p class='warning' id='hypotheses-stale'>([^<]*)</p>", page)
    assert note is not None
    assert "older run" in note.group(1) and "code fingerprint differs" in note.group(1)
    assert page.index("hypotheses-stale") < page.index("<table class='hypotheses'>")


def test_a_page_without_a_run_says_how_to_make_one():
    section = hypotheses_section(None)
    assert "No saved run of the hypotheses here" in section
    assert "python benchmarks/hypotheses.py --save docs/macro/hypotheses.json" in section
    assert "regime report --hypotheses PATH" in section


def run_report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*REGIME, "report", *args], capture_output=True, text=True, timeout=180)


def own_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "model was saved with" not in line]


def test_a_format_2_evaluation_is_refused_in_one_line_that_says_to_re_run_evaluate(
    evaluate_run: EvaluateRun, saved: dict[str, Any], tmp_path: Path
):
    old = {k: v for k, v in saved.items() if k not in ("recession", "backdrop")}
    path = tmp_path / "old.json"
    path.write_text(json.dumps({**old, "version": 2}))
    done = run_report(
        "--out",
        str(tmp_path / "out"),
        "--evaluation",
        str(path),
        "--config",
        str(evaluate_run.config),
    )
    assert done.returncode == 2
    (line,) = own_lines(done.stderr)
    assert line.startswith("error: ") and "format 2" in line
    assert f"re-run `regime evaluate --save {path}`" in line
    assert not (tmp_path / "out").exists()


def test_a_hypotheses_file_that_is_not_a_run_is_refused_in_one_line(
    evaluate_run: EvaluateRun, tmp_path: Path
):
    path = tmp_path / "hypotheses.json"
    path.write_text("[1, 2]")
    done = run_report(
        "--out",
        str(tmp_path / "out"),
        "--evaluation",
        str(evaluate_run.saved),
        "--hypotheses",
        str(path),
        "--config",
        str(evaluate_run.config),
    )
    assert done.returncode == 2
    (line,) = own_lines(done.stderr)
    assert line.startswith("error: ") and "is not a saved run of benchmarks/hypotheses.py" in line


@pytest.mark.skipif(chromium() is None, reason="no Chromium (apt-get install chromium)")
def test_the_macro_panel_loads_in_headless_chromium_with_its_charts_decoded(
    older: Report, tmp_path: Path
):
    from regime.evaluation.report import write_report

    write_report(older, tmp_path / "out")
    page = tmp_path / "out" / "report.html"
    checked = check_page(page, str(chromium()))
    assert checked.problems() == [] and checked.images == checked.decoded == 11
    assert 'id="hypotheses-stale"' in checked.dom and 'id="chart-recession"' in checked.dom
    shot = section_screenshot(page, str(chromium()), "macro", tmp_path / "macro.png")
    from PIL import Image

    with Image.open(shot) as image:
        width, height = image.size
    assert width == 1300 and 1500 < height < 6000  # the panel alone, blank rows cropped
