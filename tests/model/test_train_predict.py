"""Training reproduces the committed model byte for byte; predictions use only data published
by then, and a past week is answered by the walk-forward model of that week."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from regime import load_model
from regime.constants import REGIMES
from regime.model.artifact import artifact_text, card_text
from regime.model.card_text import card_markdown
from regime.model.train import train_model
from regime.model.training_rows import training_rows
from tests.prediction_contract import PREDICTION_KEYS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def committed_model(project_settings):
    return load_model(settings=project_settings)


@pytest.fixture(scope="module")
def retrained(embedded_data, project_settings):
    return train_model(embedded_data, project_settings)


def test_training_on_the_embedded_data_reproduces_the_committed_model_byte_for_byte(
    retrained, committed_model
):
    folder = REPO / "models" / committed_model.version
    assert retrained.card["version"] == committed_model.version
    assert_same_text(artifact_text(retrained.payload()), folder / "model.json")
    committed_card = json.loads((folder / "card.json").read_text())
    again = {**retrained.card, "artifact": "model.json", "sha256": committed_card["sha256"]}
    assert_same_text(card_text(again), folder / "card.json")
    assert_same_text(card_markdown(again), folder / "card.md")


def assert_same_text(made: str, committed: Path) -> None:
    """`made` is the committed file's text; if not, the first line that differs is shown (a
    plain == would have pytest diff a megabyte of JSON, which takes hours)."""
    theirs = committed.read_text()
    if made == theirs:
        return
    ours_lines, their_lines = made.splitlines() + [""], theirs.splitlines() + [""]
    pairs = enumerate(zip(ours_lines, their_lines, strict=False))
    line = next((n for n, (a, b) in pairs if a != b), None)
    if line is None:
        pytest.fail(f"{committed.name} differs only in its line endings")
    pytest.fail(
        f"{committed.name} differs at line {line + 1}: made {ours_lines[line][:200]!r}, "
        f"committed {their_lines[line][:200]!r}"
    )


def test_the_card_for_people_says_what_the_model_is_for_and_how_it_did(committed_model):
    folder = REPO / "models" / committed_model.version
    page = (folder / "card.md").read_text()
    for heading in (
        "## Intended use",
        "## Out of scope",
        "## Training",
        "## Data and licences",
        "## Walk-forward results",
        "## Known limitations",
        "## Quick start",
    ):
        assert heading in page
    for period in committed_model.card["walk_forward"]["sub_periods"]:
        assert f"| {period} |" in page


def test_the_walk_forward_models_answer_exactly_as_the_walk_forward_did(
    retrained, committed_model, embedded_data
):
    walk = retrained.walk_forward.nested.predictions
    for day in ("1990-08-03", "2007-07-27", "2020-03-13"):
        week = pd.Timestamp(day)
        answer = committed_model.predict_current(week.date(), data=embedded_data)
        assert answer.regime == walk.loc[week, "predicted"]
        assert answer.probabilities["risk_off"] == pytest.approx(
            walk.loc[week, "p_risk_off"], abs=1e-12
        )
        assert answer.model["fitted"].startswith("walk-forward refit")
        assert pd.Timestamp(answer.model["trained_through"]) < week


def test_the_stored_nowcasts_answer_exactly_as_the_nowcasts_walk_forward_did(
    retrained, committed_model, embedded_data
):
    walk = retrained.walk_forward.recession.probability
    for day in ("1981-11-06", "2001-03-30", "2008-10-10", "2020-04-03"):
        week = pd.Timestamp(day)
        nowcast = committed_model.predict_current(week.date(), data=embedded_data).macro.recession
        assert nowcast.probability == pytest.approx(walk.loc[week], abs=1e-12)
        assert nowcast.fitted.startswith("walk-forward refit")
        assert pd.Timestamp(nowcast.fitted.split()[-1]) < week


def test_every_prediction_carries_the_recession_nowcast_and_each_familys_reading(
    committed_model, embedded_data
):
    macro = committed_model.predict_current(data=embedded_data).to_dict()["macro"]
    assert 0 <= macro["recession"]["probability"] <= 1
    assert macro["recession"]["record"]["auroc"] > 0.5
    assert [f["family"] for f in macro["families"]] == ["labour", "credit", "curve", "conditions"]
    autumn_2008 = committed_model.predict_current(
        pd.Timestamp("2008-10-10").date(), data=embedded_data
    ).macro
    assert autumn_2008.recession.call
    assert autumn_2008.families[0].state == "stress"


def test_the_card_records_what_a_user_needs_to_trust_the_model(committed_model):
    card = committed_model.card
    for key in (
        "version",
        "libraries",
        "config_hash",
        "feature_names",
        "classes",
        "label_rules",
        "training_span",
        "labels_final_through",
        "walk_forward",
        "choice",
        "sha256",
    ):
        assert key in card, key
    scores = card["walk_forward"]["models"]
    assert set(scores) >= {"regime", "rulebook_realtime"}
    assert scores["rulebook_realtime"]["log_loss"] is None  # the rulebook gives no probabilities
    assert len(card["walk_forward"]["sub_periods"]) == 3
    assert {"entry", "exit", "decision"} <= set(card["choice"])
    assert len(card["walk_forward"]["refits"]) > 80  # one choice per refit, from 1981


def test_the_card_depends_on_nothing_but_data_and_settings(committed_model):
    assert "created" not in committed_model.card  # no clock: retraining writes the same bytes


def test_training_uses_only_final_labels(embedded_dataset, project_settings):
    X, y = training_rows(embedded_dataset, project_settings)
    provisional = embedded_dataset.labels.index[embedded_dataset.labels["provisional"]]
    assert not set(X.index) & set(provisional)
    assert y.index.equals(X.index)


def test_training_labels_as_of_a_date_use_no_later_price(embedded_dataset, project_settings):
    cut = pd.Timestamp("2008-09-26")  # before the October 2008 crash confirmed anything
    X, y = training_rows(embedded_dataset, project_settings, known_on=cut)
    assert X.index.max() <= cut
    # With hindsight the whole of 2008 so far was risk_off; on this date that was not final.
    assert "2008-09-19" not in y.index.strftime("%Y-%m-%d")


def test_the_current_prediction_is_a_typed_result_whose_dict_is_the_json(
    committed_model, embedded_data
):
    prediction = committed_model.predict_current(data=embedded_data)
    as_dict = prediction.to_dict()
    assert set(as_dict) == PREDICTION_KEYS
    assert as_dict["regime"] in REGIMES
    assert sum(as_dict["probabilities"].values()) == pytest.approx(1.0)
    assert as_dict["confidence"] == as_dict["probabilities"][as_dict["regime"]]
    assert json.loads(json.dumps(as_dict)) == as_dict
    # The snapshot's Baa-10y feed ends in April 2026: it must be reported, not silently used.
    assert "BAA10Y" in as_dict["stale"]


@pytest.mark.parametrize("day", ["2020-03-20", "2009-06-05", "2001-09-14", "1987-10-23"])
def test_a_past_prediction_is_the_same_when_later_data_never_existed(
    day, committed_model, embedded_data
):
    full = committed_model.predict_current(pd.Timestamp(day).date(), data=embedded_data)
    blind = committed_model.predict_current(
        pd.Timestamp(day).date(), data=embedded_data.truncated(pd.Timestamp(day))
    )
    assert full.probabilities == blind.probabilities
    assert full.regime == blind.regime
    assert full.macro == blind.macro
    assert all(status.last_observation <= day for status in full.data_through.values())


@pytest.mark.parametrize(
    ("day", "friday"), [("2020-03-25", "2020-03-20"), ("2008-10-16", "2008-10-10")]
)
def test_a_midweek_date_answers_the_complete_week_before_it_with_nothing_published_after_it(
    day, friday, committed_model, embedded_data
):
    # The week holding `day` is not complete until its Friday: answering it would need a close
    # published after `day`. So the answer is the Friday's before, exactly, on any later data.
    asked = pd.Timestamp(day).date()
    midweek = committed_model.predict_current(asked, data=embedded_data)
    blind = committed_model.predict_current(asked, data=embedded_data.truncated(asked))
    on_friday = committed_model.predict_current(pd.Timestamp(friday).date(), data=embedded_data)
    assert midweek.as_of == friday
    assert midweek == on_friday == blind
    assert all(status.last_observation <= friday for status in midweek.data_through.values())


@pytest.mark.parametrize("day", ["2008-09-26", "1998-07-24"])
def test_a_past_prediction_is_the_same_when_every_later_observation_is_altered(
    day, committed_model, embedded_data
):
    cut = pd.Timestamp(day)
    altered = type(embedded_data)(
        series={k: s.where(s.index <= cut, s * 3.0) for k, s in embedded_data.series.items()},
        origin=dict(embedded_data.origin),
    )
    honest = committed_model.predict_current(cut.date(), data=embedded_data)
    after = committed_model.predict_current(cut.date(), data=altered)
    assert honest.probabilities == after.probabilities and honest.regime == after.regime
    assert honest.model == after.model
    assert honest.macro == after.macro


@pytest.mark.parametrize(
    "thursday, friday", [("2026-04-02", "2026-04-03"), ("2026-07-02", "2026-07-03")]
)
def test_the_latest_week_of_data_ending_before_a_friday_holiday_is_that_week(
    thursday, friday, committed_model, embedded_data
):
    # Found by the soak (benchmarks/soak.py): the scheduled job answered for the week before and
    # never recorded a week whose Friday the exchange was closed.
    prediction = committed_model.predict_current(
        data=embedded_data.truncated(pd.Timestamp(thursday))
    )

    assert prediction.as_of == friday
    assert prediction.data_through["^RUT"].last_observation == thursday


def test_the_march_2020_crash_is_called_risk_off(committed_model, embedded_data):
    prediction = committed_model.predict_current(
        pd.Timestamp("2020-03-20").date(), data=embedded_data
    )
    assert prediction.regime == "risk_off" and prediction.confidence > 0.8


def test_drivers_name_model_features_with_signed_effects(committed_model, embedded_data):
    prediction = committed_model.predict_current(
        pd.Timestamp("2008-10-10").date(), data=embedded_data
    )
    assert 0 < len(prediction.drivers) <= 5
    assert all(d.feature in committed_model.feature_names for d in prediction.drivers)
    effects = [abs(d.effect) for d in prediction.drivers]
    assert effects == sorted(effects, reverse=True)


def test_a_week_beyond_the_data_is_refused_with_advice(committed_model, embedded_data):
    from regime.errors import StaleDataError

    with pytest.raises(StaleDataError, match="regime fetch"):
        committed_model.predict_current(pd.Timestamp("2030-01-04").date(), data=embedded_data)


def test_predict_is_the_models_own_call_not_the_most_probable_regime(
    committed_model, embedded_data, embedded_dataset
):
    features = embedded_dataset.features.loc["2015":]
    proba = committed_model.predict_proba(features)
    calls = committed_model.predict(features)
    assert calls.index.equals(features.index) and set(calls) <= set(REGIMES)
    differs = calls.index[calls != proba.idxmax(axis=1)]
    assert len(differs) > 0  # the balanced rule calls rare regimes sooner than argmax would
    week = calls.index[-1]
    prediction = committed_model.predict_current(week.date(), data=embedded_data)
    assert prediction.regime == calls.loc[week]
    assert prediction.confidence == prediction.probabilities[prediction.regime]
