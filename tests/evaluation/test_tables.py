"""The per-bear table and the sub-period scores, on hand-built truth and calls."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from regime.evaluation.calls.episodes import bear_markets
from regime.evaluation.calls.periods import period_scores, span_name

WEEKS = pd.date_range("1999-11-05", periods=12, freq="W-FRI")
#          Nov 5 ... Dec 31 1999 (9 weeks) | Jan 7 .. Jan 21 2000 (3 weeks)
TRUTH = pd.Series(
    ["neutral", "risk_off", "risk_off", "risk_off", "risk_off", "early_recovery"]
    + ["neutral", "neutral", "neutral", "risk_off", "risk_off", "neutral"],
    index=WEEKS,
)
EARLY = pd.Series(
    ["risk_off", "neutral", "neutral", "risk_off", "risk_off", "risk_off"]
    + ["neutral", "neutral", "neutral", "neutral", "neutral", "neutral"],
    index=WEEKS,
)


def test_each_bear_market_has_its_peak_trough_length_and_each_models_first_call():
    found = bear_markets(TRUTH, {"early": EARLY, "perfect": TRUTH})
    assert found["count"] == 2
    first, second = found["episodes"]
    # The peak is the week before the first risk_off week; the trough the last risk_off week.
    assert (first["peak"], first["trough"], first["weeks"]) == ("1999-11-05", "1999-12-03", 4)
    # A call before the peak (week 0) does not count; the first call inside is week 3 of 4.
    assert first["models"]["early"] == {
        "first_call": "1999-11-26",
        "lag_weeks": 3,
        "weeks_flagged": 2,
    }
    assert first["models"]["perfect"] == {
        "first_call": "1999-11-12",
        "lag_weeks": 1,
        "weeks_flagged": 4,
    }
    assert (second["peak"], second["trough"], second["weeks"]) == ("1999-12-31", "2000-01-14", 2)
    assert second["models"]["early"] == {"first_call": None, "lag_weeks": None, "weeks_flagged": 0}


def test_sub_periods_score_only_their_own_weeks():
    periods = ((None, date(1999, 12, 31)), (date(2000, 1, 1), None))
    calls = {"early": EARLY, "perfect": TRUTH}
    found = period_scores(TRUTH, calls, {"early": None, "perfect": None}, periods, ece_bins=10)
    assert [p["name"] for p in found] == ["all", "..1999", "2000.."]
    assert [p["n_weeks"] for p in found] == [12, 9, 3]
    assert [p["bear_markets"] for p in found] == [2, 1, 1]
    late = found[2]["models"]["early"]
    assert late["recall_risk_off"] == 0.0 and late["missed_episodes"] == 1
    assert late["recall_early_recovery"] is None  # no early_recovery week after 1999
    assert found[1]["models"]["early"]["false_alarm_weeks"] == 2
    assert found[1]["models"]["perfect"]["balanced_accuracy"] == pytest.approx(1.0)
    assert found[0]["models"]["perfect"]["log_loss"] is None


def test_span_names_say_the_years_they_cover():
    assert span_name((None, None)) == "all"
    assert span_name((None, date(1999, 12, 31))) == "..1999"
    assert span_name((date(2000, 1, 1), date(2012, 12, 31))) == "2000-2012"
    assert span_name((date(2013, 1, 1), None)) == "2013.."
