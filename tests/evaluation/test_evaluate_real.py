"""The long-span evaluation on the real embedded data: sub-periods, bear markets, ablation."""

from __future__ import annotations

import json

import pytest

from regime.evaluation.evaluate import MODEL_NAMES, OURS

from .conftest import EvaluateRun

# The small-cap bear markets of the judged weeks (1985 on), by the year of their peak: 1987,
# 1990, 1998, 2000-01, 2002, 2007-08, early 2009, 2011, 2015-16, 2018, 2020, 2021-22, 2024-25.
PEAK_YEARS = [1987, 1989, 1998, 2000, 2002, 2007, 2009, 2011, 2015, 2018, 2020, 2021, 2024]

pytestmark = pytest.mark.slow


def test_the_whole_span_and_each_sub_period_are_scored_for_every_model(evaluate_run: EvaluateRun):
    result = evaluate_run.result
    periods = result["periods"]
    assert [p["name"] for p in periods] == ["all", "..1999", "2000-2012", "2013.."]
    assert periods[0]["n_weeks"] == result["n_weeks"]
    assert sum(p["n_weeks"] for p in periods[1:]) == result["n_weeks"]
    assert sum(p["bear_markets"] for p in periods[1:]) == len(PEAK_YEARS)
    for period in periods:
        assert list(period["models"]) == list(MODEL_NAMES)
        ours = period["models"][OURS]
        for key in ("balanced_accuracy", "log_loss", "ece", "recall_risk_off"):
            assert 0 <= ours[key] <= 2, (period["name"], key)
    whole = periods[0]["models"][OURS]
    assert whole["balanced_accuracy"] == pytest.approx(result["models"][OURS]["balanced_accuracy"])


def test_every_bear_market_since_1985_has_a_row_with_every_model(evaluate_run: EvaluateRun):
    bears = evaluate_run.result["bear_markets"]
    assert bears["count"] == len(PEAK_YEARS) == 13
    assert [int(e["peak"][:4]) for e in bears["episodes"]] == PEAK_YEARS
    for episode in bears["episodes"]:
        assert list(episode["models"]) == list(MODEL_NAMES)
        for found in episode["models"].values():
            assert 0 <= found["weeks_flagged"] <= episode["weeks"]
            assert (found["lag_weeks"] is None) == (found["weeks_flagged"] == 0)
    # The real-time rulebook flags every bear, by construction: it confirms each at 20% down.
    assert all(e["models"]["rulebook_realtime"]["lag_weeks"] for e in bears["episodes"])


def test_the_comparison_has_both_bootstraps_and_the_ablation_every_family(
    evaluate_run: EvaluateRun, project_settings
):
    result = evaluate_run.result
    for metric in ("balanced_accuracy", "log_loss"):
        found = result["comparison"][metric]
        assert found["best_peer"] in MODEL_NAMES and found["best_peer"] != OURS
        for scheme in ("block_bootstrap", "episode_bootstrap"):
            interval = found[scheme]
            assert interval["low"] <= found["estimate"] <= interval["high"]
        assert found["episode_bootstrap"]["resampling"] == {
            "scheme": "episodes",
            "bear_units": 13,
            "calm_units": 14,
        }
    baseline = result["comparison"]["baseline"]
    assert baseline["peer"] == "rulebook_realtime"
    assert set(baseline) == {"peer", "balanced_accuracy"}  # the rulebook has no probabilities
    ablation = result["ablation"]
    families = list(project_settings.model.families)
    names = [v["name"] for v in ablation["variants"]]
    assert names == [f"without_{f}" for f in families] + ["state_only"]
    assert set(ablation["family_choices"]) == set(families)
    for variant in ablation["variants"]:
        assert set(variant["headline_minus_variant"]) == {"balanced_accuracy", "log_loss"}
    # The state-only peer is the ablation's variant with every family removed.
    state_only = ablation["variants"][-1]["scores"]["balanced_accuracy"]
    assert result["models"]["state_only"]["balanced_accuracy"] == pytest.approx(state_only)


def test_our_model_beats_the_naive_peers_by_a_wide_margin(evaluate_run: EvaluateRun):
    models = evaluate_run.result["models"]
    ours = models[OURS]
    assert ours["balanced_accuracy"] > models["majority"]["balanced_accuracy"] + 0.3
    assert ours["log_loss"] < models["majority"]["log_loss"]
    assert evaluate_run.result["backtest"]["strategies"]["buy_hold_spx"]["turnover"] == 0.0


def test_every_model_is_scored_on_the_same_weeks(evaluate_run: EvaluateRun):
    saved = json.loads(evaluate_run.saved.read_text(encoding="utf-8"))
    n = len(saved["weeks"])
    assert all(len(run["predicted"]) == n for run in saved["models"].values())
    assert all("nan" not in run["predicted"] for run in saved["models"].values())


OUTLOOK_MODELS = ["outlook", "climatology", "persistence", "hmm_transition"]


def test_every_outlook_target_is_scored_against_its_three_peers_on_settled_judged_weeks(
    evaluate_run: EvaluateRun, project_settings
):
    result = evaluate_run.result
    targets = result["outlook"]["targets"]
    assert [t["name"] for t in targets] == [
        "regime_4w",
        "regime_13w",
        "regime_26w",
        "small_caps_lead_13w",
        "bear_start_26w",
    ]
    for t in targets:
        assert result["period"][0] <= t["period"][0] and t["period"][1] <= result["period"][1]
        assert t["n_weeks"] > 1900
        assert list(t["models"]) == OUTLOOK_MODELS
        brier = {name: m["brier"] for name, m in t["models"].items()}
        for peer, skill in t["brier_skill"].items():
            assert skill["estimate"] == pytest.approx(1 - brier["outlook"] / brier[peer])
            assert skill["low"] <= skill["estimate"] <= skill["high"]
            assert skill["resampling"]["block_weeks"] >= 2 * t["weeks_ahead"]
        assert sum(b["weeks"] for b in t["reliability"]) == t["n_weeks"]
        event = t["kind"] != "regime"
        assert (t["auroc"] is not None) is event
        if event:
            assert t["auroc"]["estimate"] == pytest.approx(t["models"]["outlook"]["auroc"])
        variants = [v["name"] for v in t["ablation"]["variants"]]
        families = list(project_settings.model.families)
        assert variants == [f"without_{f}" for f in families] + ["state_only"]
        choices = t["ablation"]["family_choices"]
        assert set(choices) == {*families, "none"}
        assert all(0 <= c["chosen"] <= c["refits"] for c in choices.values())


def test_the_allocation_is_reported_beside_each_buy_and_hold(evaluate_run: EvaluateRun):
    bt = evaluate_run.result["backtest"]
    assert list(bt["strategies"]) == [
        "allocation",
        "buy_hold_spx",
        "buy_hold_rut",
        "buy_hold_50_50",
    ]
    assert bt["period"][0] > evaluate_run.result["period"][0]  # decided on week t, held from t+2
    table = bt["strategies"]
    for name, found in bt["drawdowns"].items():
        assert len(found) == 5
        depths = [d["depth"] for d in found]
        assert depths == sorted(depths) and depths[0] == pytest.approx(table[name]["max_drawdown"])
    assert sum(y["weeks"] for y in bt["calendar_years"]) == bt["n_weeks"]
    for name, difference in bt["sharpe_difference"].items():
        expected = table["allocation"]["sharpe"] - table[name]["sharpe"]
        assert difference["estimate"] == pytest.approx(expected)
    grid = bt["grid"]
    for choice in bt["choices"]:
        assert choice["band"] in grid["band"] and choice["tilt"] in grid["tilt"]
    assert sum(p["refits"] for p in bt["policies_chosen"]) == len(bt["choices"])
    assert table["buy_hold_rut"]["turnover"] == table["buy_hold_spx"]["turnover"] == 0.0
    assert table["buy_hold_50_50"]["cost_drag"] > 0
