"""Every forecast carries its out-of-sample record from the model's own walk-forward, stored in
the card at training; the baselines it is judged against learn only what was settled then."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime import load_model
from regime.macro.record import last_dated_state
from regime.model.horizons import Target
from regime.model.outlook import TargetRun
from regime.model.outlook_record import baseline_proba

TARGETS = ("regime_4w", "regime_13w", "regime_26w", "small_caps_lead_13w", "bear_start_26w")


@pytest.fixture(scope="module")
def model(project_settings):
    return load_model(settings=project_settings)


def records(model) -> dict[str, dict]:
    found = {name: model.card["outlook"][name]["record"] for name in TARGETS}
    return {**found, "recession": model.card["recession"]["record"]}


def test_the_card_holds_a_record_for_every_outlook_target_and_the_nowcast(model):
    for name, record in records(model).items():
        for peer in ("persistence", "climatology"):
            skill = record[f"brier_skill_vs_{peer}"]
            assert skill["low"] <= skill["estimate"] <= skill["high"], name
            assert skill["samples"] == 1000 and skill["seed"] == 0
            assert skill["resampling"]["scheme"] == "circular_block"
        # the block is at least twice the horizon: neighbouring outcomes overlap
        weeks_ahead = record.get("weeks_ahead", 0)
        assert record["brier_skill_vs_climatology"]["resampling"]["block_weeks"] == max(
            26, 2 * weeks_ahead
        )
        lows = (record[f"brier_skill_vs_{p}"]["low"] for p in ("persistence", "climatology"))
        assert record["skill_shown"] == all(low > 0 for low in lows), name
        assert (record["auroc"] is None) == name.startswith("regime_"), name


def test_only_the_four_week_outlook_and_the_nowcast_show_skill(model):
    shown = {name for name, record in records(model).items() if record["skill_shown"]}
    assert shown == {"regime_4w", "recession"}


def test_the_events_are_ranked_no_better_than_chance(model):
    found = records(model)
    assert 0.45 < found["small_caps_lead_13w"]["auroc"] < 0.6
    assert 0.45 < found["bear_start_26w"]["auroc"] < 0.6
    assert found["recession"]["auroc"] > 0.9


def test_a_prediction_carries_each_record_beside_its_figure(model):
    p = model.predict_current()
    assert p.outlook is not None and p.macro is not None and p.macro.recession is not None
    assert set(p.outlook.regime_records) == set(p.outlook.regime) == {"4w", "13w", "26w"}
    assert p.outlook.regime_records["4w"] == model.card["outlook"]["regime_4w"]["record"]
    assert p.outlook.small_caps_lead is not None and p.outlook.bear_market_starts is not None
    assert p.outlook.small_caps_lead.record["skill_shown"] is False
    assert p.outlook.bear_market_starts.record["auroc"] < 0.6
    assert "brier_skill_vs_persistence" in p.macro.recession.record
    as_json = p.to_dict()
    assert as_json["outlook"]["regime_records"]["4w"]["skill_shown"] is True
    assert as_json["outlook"]["small_caps_lead"]["record"]["skill_shown"] is False


def test_the_baselines_of_a_block_learn_only_the_outcomes_settled_at_its_refit():
    weeks = pd.date_range("2000-01-07", periods=20, freq="W-FRI")
    refit = weeks[9]
    target = Target("leadership", 4)
    early = pd.Series([1, 0, 0, 0, 0], index=weeks[:5])

    def run(later: pd.Series) -> TargetRun:
        predictions = pd.DataFrame({0: 0.5, 1: 0.5, "refit": refit}, index=weeks[10:])
        settled = {refit: early, weeks[-1]: later}
        return TargetRun(target, {}, settled, [], predictions, None)  # type: ignore[arg-type]

    condition = pd.Series("led", index=weeks)
    quiet = pd.Series(0, index=weeks[:16])
    loud = pd.Series(1, index=weeks[:16])
    a = baseline_proba(run(quiet), weeks[10:], condition, 0.001)
    b = baseline_proba(run(loud), weeks[10:], condition, 0.001)
    for name in ("climatology", "persistence"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert np.allclose(a["climatology"][1], 0.2)
    assert np.allclose(a["persistence"][1], 2 / 7)  # (1 + 1) / (5 + 2)


def test_the_nowcasts_persistence_carries_the_state_the_nber_had_dated_by_the_week(
    embedded_dataset,
):
    state = last_dated_state(embedded_dataset.recession)
    # The 2007-09 recession was dated only at its trough's announcement (2010-09-20): until
    # then the last dated state is an expansion; then the recession's last month.
    assert state.loc["2008-10-10"] == "expansion"
    assert state.loc["2010-09-17"] == "expansion"
    assert state.loc["2010-09-24"] == "recession"
    assert state.iloc[0] == "unknown"


def test_the_records_quoted_in_the_reading_guide_are_the_committed_models(model):
    from pathlib import Path

    from regime.learning.skill_words import interval_words

    guide = Path(__file__).resolve().parents[2] / "docs" / "reading-a-prediction.md"
    rows = {
        "the regime in 4 weeks": "regime_4w",
        "P(recession) this month": "recession",
        "the regime in 13 weeks": "regime_13w",
        "the regime in 26 weeks": "regime_26w",
        "small caps lead over 13 weeks": "small_caps_lead_13w",
        "a bear market starts within 26 weeks": "bear_start_26w",
    }
    found = records(model)
    text = guide.read_text(encoding="utf-8")
    for words, name in rows.items():
        r = found[name]
        auroc = "-" if r["auroc"] is None else f"{r['auroc']:.2f}"
        row = (
            f"| {words} | {interval_words(r['brier_skill_vs_persistence'])} | "
            f"{interval_words(r['brier_skill_vs_climatology'])} | {auroc} | "
            f"{'yes' if r['skill_shown'] else 'no'} |"
        )
        assert row in text, row
