"""What a portfolio manager reads in `regime predict`: each forecast beside its record, those
with skill first; drivers in words; staleness up front; the call explained; what changed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from regime.cli import cli
from tests.prediction_contract import PREDICTION_KEYS

TODAY = "2026-12-04"  # the embedded data ends on 2026-08-21: 105 days before


def predict(*args: str) -> str:
    result = CliRunner().invoke(cli, ["predict", *args], env={"REGIME_TODAY": TODAY})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def text() -> list[str]:
    return predict().splitlines()


@pytest.fixture(scope="module")
def answer() -> dict:
    return json.loads(predict("--format", "json"))


def line_of(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if line.strip().startswith(start))


def test_the_forecasts_with_skill_come_first_each_marked(text):
    four = line_of(text, "in 4 weeks")
    assert "skill shown (out of sample since 1985: Brier skill vs persistence" in text[four]
    assert "recession nowcast: P(recession)" in text[four + 1]
    assert "skill shown" in text[four + 1]
    assert four < line_of(text, "drivers")


def test_the_forecasts_without_skill_come_last_under_a_warning_in_words(text):
    warning = line_of(text, "no skill shown: read as the long-run frequency:")
    assert warning > line_of(text, "drivers")
    below = [line.strip() for line in text[warning + 1 : warning + 5]]
    assert below[0].startswith("in 13 weeks") and below[1].startswith("in 26 weeks")
    assert below[2].startswith("small caps lead over 13 weeks") and "AUROC 0.55" in below[2]
    assert below[3].startswith("a bear market starts within 26 weeks") and "AUROC 0.51" in below[3]


def test_the_json_carries_each_forecasts_record(answer):
    outlook = answer["outlook"]
    assert outlook["regime_records"]["4w"]["skill_shown"] is True
    assert outlook["regime_records"]["13w"]["skill_shown"] is False
    for event in ("small_caps_lead", "bear_market_starts"):
        record = outlook[event]["record"]
        assert record["skill_shown"] is False and 0.45 < record["auroc"] < 0.6
    recession = answer["macro"]["recession"]["record"]
    assert recession["skill_shown"] is True
    assert recession["brier_skill_vs_persistence"]["low"] > 0


@pytest.fixture(scope="module")
def feature_names(embedded_data, project_settings) -> list[str]:
    from regime.features.table import build_features

    return list(build_features(embedded_data, project_settings).columns)


@pytest.mark.parametrize("as_of", [None, "2007-07-27", "2008-10-10", "2020-03-20"])
def test_the_text_names_no_feature_by_its_code_name(as_of, feature_names):
    shown = predict(*(("--as-of", as_of) if as_of else ()))
    assert not [name for name in feature_names if name in shown]


def test_drivers_read_as_words_with_their_effect_in_points(text):
    first = text[line_of(text, "drivers") + 1].strip()
    assert first.split()[1] == "pt"
    assert (
        "chance, for a random walk, that the Russell 2000's last high was a bear market's peak"
        in first
    )


def test_the_json_keeps_each_drivers_name_and_adds_its_label_and_value_in_words(answer):
    driver = answer["drivers"][0]
    assert driver["feature"] == "rulebook_barrier_bull"
    assert driver["label"].startswith("chance, for a random walk")
    assert driver["value_text"] == "7%"
    event = answer["outlook"]["small_caps_lead"]["drivers"][0]
    assert event["label"] and event["value_text"]


def test_on_stale_data_the_text_opens_with_how_old_it_is_and_both_lists(text):
    assert text[1].strip() == (
        "data ends 2026-08-21, 105 days before today (2026-12-04), more than "
        "max_staleness_days.week (7): run `regime fetch` for newer data"
    )
    assert text[2].strip().startswith("stale at the week (treated as missing): ")
    assert text[3].strip().startswith("stale today (older than their cadence allows): ")


def test_the_json_labels_both_lists_of_stale_series(answer):
    staleness = answer["staleness"]
    assert staleness["data_ends"] == answer["as_of"] == "2026-08-21"
    assert (staleness["today"], staleness["week_age_days"]) == (TODAY, 105)
    assert staleness["week_is_stale"] is True and staleness["week_limit_days"] == 7
    assert staleness["stale_today"] == answer["stale"]
    assert staleness["missing_at_week"] == answer["stale_at_week"]
    assert set(staleness["missing_at_week"]) < set(staleness["stale_today"])


def test_on_fresh_data_the_text_opens_with_the_probabilities():
    result = CliRunner().invoke(cli, ["predict"], env={"REGIME_TODAY": "2026-08-24"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert not any(line.strip().startswith("data ends") for line in lines)
    assert lines[1].strip().startswith("stale at the week")  # the Baa feeds stopped earlier


def test_a_call_that_is_not_the_most_probable_regime_says_why_on_its_second_line():
    lines = predict("--as-of", "2007-07-27").splitlines()
    assert lines[0] == "Week ending 2007-07-27: risk_off (confidence 36%)"
    assert lines[1].startswith(
        "  why: risk_off is called though neutral is more probable (63.9%): P(risk_off) 35.9% "
        "is above "
    )
    assert "where this week's rule calls risk_off" in lines[1]


def test_a_call_that_is_the_most_probable_regime_needs_no_why(text, answer):
    assert not any(line.strip().startswith("why:") for line in text)
    assert answer["decision"]["why"] is None
    assert answer["decision"]["most_probable"] == answer["regime"]


@pytest.mark.parametrize(
    "as_of", ["2007-07-27", "2007-11-16", "2008-09-05", "2008-10-10", "2009-06-05", "2020-03-20"]
)
def test_the_call_is_risk_off_exactly_when_p_risk_off_is_above_the_weeks_threshold(as_of):
    answer = json.loads(predict("--as-of", as_of, "--format", "json"))
    rule = answer["decision"]
    above = answer["probabilities"]["risk_off"] > rule["risk_off_threshold"]
    assert above == (answer["regime"] == "risk_off"), rule
    assert (rule["why"] is None) == (answer["regime"] == rule["most_probable"])


def test_the_text_says_what_changed_since_last_week_near_the_top():
    lines = predict("--as-of", "2020-02-28").splitlines()
    since = line_of(lines, "since the week of")
    assert since < line_of(lines, "drivers")
    assert (
        lines[since]
        .strip()
        .startswith(
            "since the week of 2020-02-21: last week neutral, now risk_off: P(risk_off) 4% → 53%"
        )
    )
    assert (
        "; moved most: chance, for a random walk, that the Russell 2000's last high"
        in (lines[since])
    )


def test_the_json_holds_last_weeks_call_probabilities_and_macro_states_beside_this_weeks():
    change = json.loads(predict("--as-of", "2020-03-13", "--format", "json"))["since_last_week"]
    assert change["previous_week"] == "2020-03-06"
    assert change["previous_regime"] == change["regime"] == "risk_off"
    assert change["regime_changed"] is False
    assert change["probabilities_now"]["risk_off"] > change["probabilities_before"]["risk_off"]
    assert (
        set(change["macro_states_before"])
        == set(change["macro_states_now"])
        == {
            "labour",
            "credit",
            "curve",
            "conditions",
        }
    )
    assert change["macro_states_before"]["credit"] == "watch"
    assert change["macro_states_now"]["credit"] == "stress"
    moved = change["moved"]
    assert moved and all(m["label"] and m["change_text"] for m in moved)
    effects = [abs(m["effect"]) for m in moved]
    assert effects == sorted(effects, reverse=True)


def test_the_json_opens_with_its_schema_version_pinned_here(answer):
    from regime.model.predict import SCHEMA_VERSION

    # Raising it is a decision for every tool that reads the JSON: see
    # docs/reading-a-prediction.md before changing this line.
    assert SCHEMA_VERSION == 1
    assert next(iter(answer)) == "schema_version" and answer["schema_version"] == 1
    assert set(answer) == PREDICTION_KEYS
