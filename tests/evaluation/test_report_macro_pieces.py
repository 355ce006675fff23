"""The macro panel's pure parts on hand-built inputs: the charts, the peers' cells, the
hypotheses' table (mechanics only; the real panel is tested in test_report_macro.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from regime.evaluation.recession.fingerprint import FingerprintStatus
from regime.evaluation.recession.hypotheses import Difference, HypothesesRun, HypothesisResult
from regime.evaluation.report.macro.charts import family_chart, recession_chart
from regime.evaluation.report.macro.hypotheses import hypotheses_section
from regime.evaluation.report.macro.panel import _short, _timing
from regime.evaluation.report.macro.series import FamilyHistory, RecessionSeries
from regime.evaluation.report.palette import png

PNG = b"\x89PNG\r\n\x1a\n"
WEEKS = pd.date_range("2000-01-07", periods=200, freq="W-FRI")


def series() -> RecessionSeries:
    p = pd.Series(np.linspace(0, 1, len(WEEKS)), index=WEEKS)
    truth = pd.Series((p > 0.7).astype(float), index=WEEKS)
    truth.iloc[-20:] = np.nan  # not yet dated
    return RecessionSeries(
        p=p,
        truth=truth,
        threshold=0.5,
        judged=(WEEKS[10], WEEKS[-21]),
        recessions=((pd.Timestamp("2003-01-01"), pd.Timestamp("2003-10-31")),),
    )


def test_the_recession_chart_is_drawn_with_and_without_this_weeks_point():
    assert png(recession_chart(series(), (WEEKS[-1], 0.2)), tight=False).startswith(PNG)
    assert png(recession_chart(series(), None), tight=False).startswith(PNG)


def test_the_called_weeks_are_those_at_or_above_the_threshold():
    called = series().called
    assert not called.iloc[: len(WEEKS) // 2 - 1].any() and called.iloc[len(WEEKS) // 2 :].all()


def test_a_family_without_any_value_is_drawn_grey_not_refused():
    blank = pd.Series(np.nan, index=WEEKS[:104])
    history = FamilyHistory(
        "labour",
        "sahm_realtime",
        True,
        0.3,
        0.5,
        blank,
        pd.Series("unavailable", index=blank.index),
    )
    assert png(family_chart(history)).startswith(PNG)


def test_a_recession_is_named_by_its_years_and_a_cell_by_its_lags():
    assert _short("1981-07 to 1982-11") == "1981-82"
    assert _short("2020-02 to 2020-04") == "2020"
    assert _timing({"weeks_to_call": -3, "weeks_to_all_clear": None}) == "-3 / -"
    assert _timing({"weeks_to_call": None, "weeks_to_all_clear": None}) == "missed"


def test_a_failed_and_a_passed_hypothesis_get_the_same_markup_but_their_word():
    def result(name: str, passed: bool) -> HypothesisResult:
        gap = Difference("the gap", -0.004, {"block": (-0.01, 0.002)}, points=True)
        return HypothesisResult(name, "a question", "a mark", passed, (gap,))

    run = HypothesesRun(
        Path("hypotheses.json"),
        (result("H1", True), result("H2", False)),
        ("H3", "H4"),
        {"data": "d", "config": "c", "code": "x"},
        FingerprintStatus(("data",)),
    )
    section = hypotheses_section(run)
    passed, failed = section.split("<tr id='H2'>")
    assert passed.count("class='verdict'") == failed.count("class='verdict'") == 1
    assert ">pass</span>" in passed and ">fail</span>" in failed
    assert "the gap: <b>-0.40 pt</b> block [-1.00, +0.20 pt]" in section
    assert section.count("not in this run") == 2
    assert "its data fingerprint differs" in section
