"""The report's pure parts on hand-built inputs: dynamics, forward returns, findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.evaluation.report.findings import compared, findings, verdict
from regime.evaluation.report.forward import ALL_WEEKS, forward_by_call
from regime.evaluation.report.transitions import durations, transition_matrix

STATES = ["calm", "storm"]


def interval(low: float, high: float) -> dict:
    return {"low": low, "high": high, "confidence": 0.95}


def test_transition_rows_sum_to_one_and_count_consecutive_weeks():
    labels = pd.Series(["calm"] * 4 + ["storm"] * 2 + ["calm"] * 3 + ["storm"])
    matrix = transition_matrix(labels, STATES)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    # calm -> calm 5 times, calm -> storm twice; storm -> storm once, storm -> calm once.
    assert matrix.loc["calm"].tolist() == pytest.approx([5 / 7, 2 / 7])
    assert matrix.loc["storm"].tolist() == pytest.approx([0.5, 0.5])


def test_a_state_seen_only_in_the_last_week_has_no_row():
    matrix = transition_matrix(pd.Series(["calm", "calm", "storm"]), STATES)
    assert list(matrix.index) == ["calm"]


def test_durations_are_the_spells_of_a_hand_built_sequence():
    labels = pd.Series(["calm"] * 4 + ["storm"] * 2 + ["calm"] * 3 + ["storm"])
    found = durations(labels, STATES)
    assert found.loc["calm"].tolist() == [2, 3.5, 4]  # spells of 4 and 3 weeks
    assert found.loc["storm"].tolist() == [2, 1.5, 2]  # 2 weeks, then 1 cut by the end


def test_forward_returns_by_call_are_rut_minus_spx_over_the_next_weeks():
    weeks = pd.date_range("2020-01-03", periods=8, freq="W-FRI")
    total = pd.DataFrame(
        {"small_cap": [100.0 * 1.01**k for k in range(8)], "large_cap": [100.0] * 8}, index=weeks
    )
    calls = pd.Series(["calm", "storm"] * 4, index=weeks)
    table = forward_by_call(calls, total, STATES, horizons=(2,))
    assert table.loc[ALL_WEEKS, "2w mean"] == pytest.approx(1.01**2 - 1)
    assert table.loc[ALL_WEEKS, "2w weeks"] == 6  # the last two weeks have no 2-week future
    assert table.loc["calm", "2w weeks"] == 3 and table.loc["calm", "2w share > 0"] == 1.0


def test_a_difference_whose_interval_holds_zero_is_a_tie_not_a_win():
    found = {
        "estimate": 0.02,
        "episode_bootstrap": interval(-0.01, 0.05),
        "block_bootstrap": interval(0.005, 0.04),
    }
    assert verdict(found) == "tie"
    sentence = compared("balanced accuracy", 0.82, "hmm", 0.80, found)
    assert "no better than hmm" in sentence and "tie" in sentence
    assert "resampling bear markets holds zero" in sentence
    assert "higher" not in sentence and "highest" not in sentence


def test_a_difference_excluded_from_zero_by_every_interval_is_stated_with_its_side():
    found = {"estimate": -0.05, "episode_bootstrap": interval(-0.09, -0.01)}
    assert verdict(found, lower_is_better=True) == "better"
    assert "is lower than" in compared("log loss", 0.30, "hmm", 0.35, found)
    assert verdict(found) == "worse"


def test_allocation_sharpe_within_its_interval_is_no_better_than_the_benchmark():
    result = {
        "models": {"regime": {"ece": None}},
        "backtest": {
            "strategies": {"regime_timed": {"sharpe": 0.33}, "buy_hold_spx": {"sharpe": 0.32}},
            "sharpe_difference": {
                "buy_hold_spx": {"estimate": 0.01, **interval(-0.2, 0.22)},
            },
        },
    }
    [sentence] = findings(result)
    assert "0.33) is no better than buy_hold_spx (0.32)" in sentence
    assert "highest" not in sentence


def test_allocation_without_intervals_ranks_nothing():
    result = {
        "models": {"regime": {"ece": None}},
        "backtest": {"strategies": {"regime_timed": {"sharpe": 0.33}, "spx": {"sharpe": 0.32}}},
    }
    [sentence] = findings(result)
    assert "none is ranked" in sentence


def test_sections_of_an_evaluation_without_their_keys_are_left_out():
    from regime.evaluation.report.sections import (
        ablation_section,
        backtest_section,
        bear_section,
        outlook_section,
        periods_section,
    )

    bare: dict = {"models": {}}
    for section in (bear_section, outlook_section, periods_section, ablation_section):
        assert section(bare) is None
    assert backtest_section(bare, None) is None


def test_an_outlook_in_the_evaluation_gets_a_table_per_target():
    from regime.evaluation.report.sections import outlook_section

    outlook = {
        "description": "each target on the judged weeks",
        "targets": [
            {
                "name": "regime_13w",
                "n_weeks": 2000,
                "models": {"outlook": {"log_loss": 0.5, "brier": 0.3, "recall": {"a": 1.0}}},
                "brier_skill": {"climatology": {"estimate": 0.02, "low": -0.01, "high": 0.05}},
            }
        ],
    }
    html = outlook_section({"outlook": outlook})
    assert html is not None and "regime_13w: 2000 weeks" in html
    assert "<th>log_loss</th>" in html and "recall" not in html
    assert "holds zero: a tie" in html
