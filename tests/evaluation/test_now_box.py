"""The report's Now box, read as a portfolio manager reads it: a banner on stale data, the call
explained, what changed, each forecast beside its skill mark, drivers in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from regime.evaluation.report.now import Now, now_of
from regime.evaluation.report.now_block import now_block
from regime.model.predict import Staleness


@pytest.fixture(scope="module")
def now(project_settings, embedded_data) -> Now:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGIME_TODAY", "2026-12-04")
        return now_of(project_settings, embedded_data, datetime(2026, 12, 4, tzinfo=UTC))


def box(now: Now) -> str:
    return now_block(now, pd.DataFrame({"threshold": [0.32]}), None)


def test_on_stale_data_the_box_opens_with_a_banner(now):
    page = box(now)
    assert page.index("<div class='banner' id='stale'>") < page.index("<h2>Now: week ending")
    assert "data ends 2026-08-21, 105 days before this page (2026-12-04)" in page


def test_on_fresh_data_there_is_no_banner_but_still_both_lists(now):
    fresh = now.model.freshness(now.prediction, date(2026, 8, 24))
    page = box(replace(now, prediction=replace(now.prediction, staleness=Staleness.of(fresh))))
    assert "id='stale'" not in page
    assert "Stale at the week (treated as missing): " in page
    assert "Stale today (older than their cadence allows): " in page


def test_each_forecast_sits_beside_its_skill_mark_those_with_skill_first(now):
    page = box(now)
    table = page[page.index("<table class='forecasts'>") :]
    assert table.index("in 4 weeks neutral") < table.index("P(recession)")
    assert table.index("P(recession)") < table.index("No skill shown: read as the long-run")
    assert table.count("<td class='t mark'>skill shown</td>") == 2
    assert table.count("<td class='t mark'>no skill shown</td>") == 4


def test_drivers_are_in_words(now):
    page = box(now)
    assert "rulebook_" not in page
    assert "chance, for a random walk, that the Russell 2000&#x27;s last high" in page


def test_a_call_that_is_not_the_most_probable_regime_is_explained_under_it(now):
    past = now.model.predict_current(date(2007, 7, 27))
    page = box(replace(now, prediction=past))
    why = page.index("<p class='why'>Why: risk_off is called though neutral is more probable")
    assert page.index("<p class='call'>") < why < page.index("<table class='forecasts'>")


def test_what_changed_since_last_week_is_in_the_box(now):
    turn = now.model.predict_current(date(2020, 2, 28))
    page = box(replace(now, prediction=turn))
    assert "<b>Since last week (changed):</b> last week neutral, now risk_off" in page
    assert "week of 2020-02-21" in page
