"""`regime evaluate` judges the recession nowcast against NBER months and its peers, on the same
weeks, and writes each week's out-of-sample P(recession) beside the regime call."""

from __future__ import annotations

import pandas as pd
import pytest

from regime.evaluation.recession.evaluation import PROBABILISTIC

from .conftest import EvaluateRun

pytestmark = pytest.mark.slow

RECESSIONS_SINCE_1980 = [
    "1980-01 to 1980-07",
    "1981-07 to 1982-11",
    "1990-07 to 1991-03",
    "2001-03 to 2001-11",
    "2007-12 to 2009-06",
    "2020-02 to 2020-04",
]


def test_every_model_is_scored_on_the_same_weeks_from_1979(evaluate_run: EvaluateRun):
    recession = evaluate_run.result["recession"]
    assert recession["span"][0] == "1979-01-05"
    assert list(recession["models"]) == list(PROBABILISTIC)
    for name, model in recession["models"].items():
        assert 0 <= model["auroc"] <= 1, name
        assert 0 <= model["brier"] <= 1, name
        interval = model["brier_skill_vs_climatology"]
        assert interval["low"] <= interval["estimate"] <= interval["high"], name
    assert recession["models"]["climatology"]["brier_skill_vs_climatology"]["estimate"] == 0


def test_each_recession_since_1980_has_its_call_and_all_clear_lags(evaluate_run: EvaluateRun):
    rows = evaluate_run.result["recession"]["recessions"]
    assert [r["recession"] for r in rows] == RECESSIONS_SINCE_1980
    for row in rows:
        for name in PROBABILISTIC:
            lag = row[name]["weeks_to_call"]
            assert lag is None or -26 <= lag <= row["weeks"] + 5, (row["recession"], name)
    # The climatology never reaches a call.
    assert all(row["climatology"]["weeks_to_call"] is None for row in rows)


def test_the_nowcast_ranks_recession_weeks_better_than_the_base_rate(evaluate_run: EvaluateRun):
    models = evaluate_run.result["recession"]["models"]
    assert models["nowcast"]["auroc"] > models["climatology"]["auroc"] + 0.2
    assert evaluate_run.result["recession"]["sahm_value"]["auroc"] > 0.7


def test_the_predictions_file_carries_each_weeks_out_of_sample_p_recession(
    evaluate_run: EvaluateRun,
):
    frame = pd.read_csv(evaluate_run.predictions, index_col="date", parse_dates=True)
    p = frame["p_recession"]
    assert p.notna().all() and p.between(0, 1).all()
    # The autumn of 2008 reads far above the calm of 2005.
    assert p.loc["2008-10"].mean() > p.loc["2005"].mean() + 0.3


def test_the_text_report_has_a_recession_section(evaluate_run: EvaluateRun):
    from regime.cli.evaluate import render_table

    text = render_table(evaluate_run.result)
    assert "recession nowcast: 1979-01-05 .." in text
    assert "term_spread_probit" in text and "false-alarm weeks" in text


def test_the_pre_registered_false_alarm_count_includes_early_calls_and_late_all_clears(
    evaluate_run: EvaluateRun,
):
    # N7 counts every expansion week called; the narrower count leaves out the weeks just
    # before a recession and those before the all-clear, so it can never be the larger one.
    recession = evaluate_run.result["recession"]
    strict, narrow = recession["expansion_weeks_called"], recession["false_alarms"]
    assert strict.keys() == narrow.keys()
    assert all(strict[name] >= narrow[name] for name in strict)
    assert strict["climatology"] == 0
    from regime.cli.evaluate import render_table

    assert "every expansion week called" in render_table(evaluate_run.result)
