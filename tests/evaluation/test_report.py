"""`regime report` as a user runs it: from a saved evaluation, and from a fresh one.

The saved evaluation is the session's (`regime evaluate --save`, biennial refits); the fresh
report runs the same evaluation again in a subprocess, so the two pages can be compared.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from regime.config import load_settings
from regime.evaluation.report import now_of, read_record
from regime.evaluation.report.check import check_page, chromium
from regime.evaluation.report.recent import JUDGED, recent_weeks
from regime.sources import load_market_data

from .conftest import EvaluateRun, write_config

REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]
GENERATED = re.compile(r"<span id='generated'>[^<]*</span>")


# Three days after the embedded data's last week: fresh, whatever day the tests run.
FRESH = "2026-08-24"


def report(*args: str, timeout: float = 120, today: str = FRESH) -> subprocess.CompletedProcess:
    env = {**os.environ, "REGIME_TODAY": today}
    return subprocess.run(
        [*REGIME, "report", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def saved_report(evaluate_run: EvaluateRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report-saved")
    done = report(
        "--out",
        str(out),
        "--evaluation",
        str(evaluate_run.saved),
        "--config",
        str(evaluate_run.config),
    )
    assert done.returncode == 0, done.stderr
    return out


def test_a_saved_evaluation_gives_the_same_page_as_a_fresh_one(
    evaluate_run: EvaluateRun, saved_report: Path, tmp_path: Path
):
    done = report("--out", str(tmp_path), "--config", str(evaluate_run.config), timeout=900)
    assert done.returncode == 0, done.stderr
    assert "evaluating" not in done.stderr  # not a terminal: no progress bar
    fresh = (tmp_path / "report.html").read_text(encoding="utf-8")
    saved = (saved_report / "report.html").read_text(encoding="utf-8")
    assert GENERATED.sub("", fresh) == GENERATED.sub("", saved)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        p.name for p in saved_report.glob("*.png")
    )


def test_the_page_is_self_contained_and_every_section_is_there(saved_report: Path):
    page = (saved_report / "report.html").read_text(encoding="utf-8")
    # Six charts of the regime call; the macro panel's P(recession) and one per macro family.
    assert page.count("data:image/png;base64,") == len(list(saved_report.glob("*.png"))) == 11
    assert 'src="http' not in page and "<script" not in page
    for heading in (
        "Now: week ending",
        "The economy: the recession nowcast and the macro backdrop",
        "The last two years, week by week",
        "Findings",
        "Bear market by bear market (13)",
        "How the regimes follow one another",
        "What followed each call",
        "Allocation backtest",
        "cost drag, % a year",
        "confidence bin",
    ):
        assert heading in page, heading
    assert page.index("Now: week ending") < page.index("The economy:") < page.index("Findings")


def test_the_now_block_names_the_call_the_version_and_the_data_through_date(
    evaluate_run: EvaluateRun, saved_report: Path
):
    from regime.model.predict import load_model

    prediction = load_model(settings=load_settings(evaluate_run.config)).predict_current()
    page = (saved_report / "report.html").read_text(encoding="utf-8")
    now = page[page.index("<section id='now'") : page.index("</section>")]
    assert f">{prediction.regime}</span>" in now
    assert f"Model <b>{prediction.model['version']}</b>" in now
    assert f"Data through <b>{prediction.as_of}</b>" in now
    assert re.search(r"Page generated <span id='generated'>\d{4}-\d\d-\d\dT", now)


def test_on_stale_data_the_report_warns_and_its_now_box_opens_with_a_banner(
    evaluate_run: EvaluateRun, tmp_path: Path
):
    args = ("--out", str(tmp_path), "--evaluation", str(evaluate_run.saved))
    done = report(*args, "--config", str(evaluate_run.config), today="2026-12-04")
    assert done.returncode == 0, done.stderr
    assert "warning: the week predicted (2026-08-21) is 105 days old on 2026-12-04" in done.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    now = page[page.index("<section id='now'") : page.index("</section>")]
    assert now.index("<div class='banner' id='stale'>") < now.index("<h2>Now: week ending")
    assert "data ends 2026-08-21, 105 days before this page (2026-12-04)" in now
    assert "Stale at the week (treated as missing): " in now
    assert "Stale today (older than their cadence allows): " in now
    # each forecast beside its skill mark, those with skill first
    assert now.index("<td class='t mark'>skill shown") < now.index("No skill shown: read as")
    assert now.count("<td class='t mark'>no skill shown</td>") == 4


def test_on_fresh_data_the_report_has_no_banner(evaluate_run: EvaluateRun, tmp_path: Path):
    args = ("--out", str(tmp_path), "--evaluation", str(evaluate_run.saved))
    done = report(*args, "--config", str(evaluate_run.config))
    assert done.returncode == 0, done.stderr
    assert "warning: the week predicted" not in done.stderr
    assert "id='stale'" not in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_the_last_weeks_carry_the_current_models_call_after_the_judged_ones(
    evaluate_run: EvaluateRun,
):
    settings = load_settings(evaluate_run.config)
    data = load_market_data(settings)
    now = now_of(settings, data, datetime(2026, 1, 1, tzinfo=UTC))
    record = read_record(evaluate_run.saved, settings, now.latest_week)
    recent = recent_weeks(record, now, 104)
    assert len(recent) == 104 and recent.index[-1] == now.latest_week
    judged = recent["source"] == JUDGED
    assert recent.index[judged][-1] == record.last_judged
    assert (recent.loc[~judged, "source"] == f"model {now.model.version}").all()
    assert recent["called"].iloc[-1] == now.prediction.regime
    assert recent["provisional"].iloc[-1] and not recent.loc[judged, "provisional"].any()
    assert recent[["p_risk_off", "threshold"]].notna().all().all()


def own_lines(stderr: str) -> list[str]:
    """stderr without the warnings that the installed library versions differ from those the
    committed model was saved with: those depend on the machine (CI's lowest-versions step
    sees them), not on the command under test."""
    return [line for line in stderr.splitlines() if "model was saved with" not in line]


def test_a_model_other_than_the_evaluated_one_is_one_warning_line(
    evaluate_run: EvaluateRun, tmp_path: Path
):
    done = report(
        "--out",
        str(tmp_path),
        "--evaluation",
        str(evaluate_run.saved),
        "--config",
        str(evaluate_run.config),
    )
    warnings = [line for line in own_lines(done.stderr) if line.startswith("warning: ")]
    made = json.loads(evaluate_run.saved.read_text(encoding="utf-8"))["made_with"]
    # The session's evaluation refits every 104 weeks; the committed model was trained on 26.
    assert len(warnings) == 1 and made["model_version"] in warnings[0]


def test_a_saved_evaluation_of_other_settings_is_refused_in_one_line(
    evaluate_run: EvaluateRun, tmp_path: Path
):
    other = write_config(tmp_path, refit_weeks=52)
    done = report(
        "--out",
        str(tmp_path / "out"),
        "--evaluation",
        str(evaluate_run.saved),
        "--config",
        str(other),
    )
    assert done.returncode == 2
    (line,) = own_lines(done.stderr)
    assert line.startswith("error: ") and "other settings" in line
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_saved_evaluation_is_refused_in_one_line(
    evaluate_run: EvaluateRun, tmp_path: Path
):
    stale = tmp_path / "old.json"
    stale.write_text(json.dumps({"format": "regime-evaluation", "version": 1}))
    done = report(
        "--out", str(tmp_path), "--evaluation", str(stale), "--config", str(evaluate_run.config)
    )
    assert done.returncode == 2
    (line,) = own_lines(done.stderr)
    assert "format 1" in line


@pytest.mark.skipif(chromium() is None, reason="no Chromium (apt-get install chromium)")
def test_the_page_loads_in_headless_chromium_with_every_chart(saved_report: Path, tmp_path: Path):
    shot = tmp_path / "page.png"
    checked = check_page(saved_report / "report.html", str(chromium()), screenshot=shot)
    assert checked.problems() == []
    assert checked.images == checked.decoded == 11
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
