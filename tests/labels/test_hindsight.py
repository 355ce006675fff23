"""The hindsight rulebook, on hand-built price paths and on the real history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import LabelRules
from regime.constants import EARLY_RECOVERY, NARROW_RALLY, NEUTRAL, RISK_OFF
from regime.labels.hindsight import label_weeks
from regime.rulebook.rules import realtime_state
from regime.rulebook.turning_points import scan
from tests.conftest import weekly_closes

RULES = LabelRules(lookback_weeks=1)  # one-week lookback keeps hand-built paths short
FLAT = [100.0] * 3


def labels_of(small, large=None, rules=RULES) -> pd.DataFrame:
    return label_weeks(weekly_closes(small, large), rules)


def test_weeks_from_the_peak_through_the_trough_are_risk_off():
    table = labels_of([100, 100, 90, 75, 70, 80, 90, 100, 100])
    risk_off = table.index[table["label"] == RISK_OFF]
    # Peak on week 1 (the later of two equal highs), trough on week 4.
    assert list(risk_off) == list(table.index[1:4])
    assert not table["provisional"].loc[risk_off].any()


def test_a_decline_that_never_confirms_is_not_risk_off_and_stays_provisional():
    table = labels_of([100, 100, 95, 85, 82, 84, 83])
    assert RISK_OFF not in set(table["label"])
    # Every week after the high could still turn out to be inside a bear.
    assert table["provisional"].tolist() == [False, True, True, True, True, True]


def test_two_bears_in_a_row_are_both_dated():
    path = [100, 100, 78, 70, 85, 88, 70, 60, 75, 80]
    result = scan(np.array(path, dtype=float), decline=0.2, rise=0.2)
    assert result.peaks == (1, 5) and result.troughs == (3, 7)
    table = labels_of(path)
    assert (table["label"] == RISK_OFF).sum() == 2 + 2  # weeks 2-3 and 6-7


def test_the_open_bear_leg_is_risk_off_and_provisional_after_its_low():
    table = labels_of([100, 100, 75, 70, 72, 74])
    assert table["label"].tolist() == [NEUTRAL, RISK_OFF, RISK_OFF, RISK_OFF, RISK_OFF]
    # Through the running low (week 3) the decline is certain; after it, the low may be beaten
    # or become the trough.
    assert table["provisional"].tolist() == [False, False, False, True, True]


def test_small_caps_leading_out_of_a_trough_is_early_recovery():
    small = [100, 100, 75, 60, 66, 73, 80]
    large = [100, 100, 90, 85, 86, 87, 88]  # large caps rise less after the low
    table = labels_of(small, large)
    assert table["label"].iloc[-3:].tolist() == [EARLY_RECOVERY] * 3


def test_early_recovery_ends_after_the_recovery_window():
    rules = LabelRules(lookback_weeks=1, recovery_weeks=2)
    small = [100, 100, 75, 60, 66, 73, 80]
    large = [100, 100, 90, 85, 86, 87, 88]
    table = labels_of(small, large, rules)
    assert table["label"].iloc[-3:].tolist() == [EARLY_RECOVERY, EARLY_RECOVERY, NEUTRAL]


@pytest.mark.parametrize(
    "small_return, large_return, expected",
    [
        (0.00, 0.03, NARROW_RALLY),  # trailing by exactly three points
        (0.001, 0.03, NEUTRAL),  # trailing by a little less
        (-0.05, -0.01, NEUTRAL),  # large caps fell: not a rally
    ],
)
def test_narrow_rally_needs_large_caps_up_and_small_caps_three_points_behind(
    small_return, large_return, expected
):
    small = [100.0, 100.0 * (1 + small_return)]
    large = [100.0, 100.0 * (1 + large_return)]
    assert labels_of(small, large)["label"].iloc[-1] == expected


def test_weeks_without_a_full_lookback_are_left_out():
    table = label_weeks(weekly_closes([100.0] * 20), LabelRules(lookback_weeks=13))
    assert len(table) == 7


def test_the_realtime_rulebook_equals_the_hindsight_labeller_run_on_data_known_then(
    embedded_dataset, project_settings
):
    closes = embedded_dataset.closes
    realtime = realtime_state(closes, project_settings.labels)["label"]
    for end in range(60, len(closes), 7):
        truncated = label_weeks(closes.iloc[: end + 1], project_settings.labels)
        assert truncated["label"].iloc[-1] == realtime.iloc[end], closes.index[end]


def test_a_hindsight_label_is_either_risk_off_or_the_label_known_on_the_week(
    embedded_dataset, project_settings
):
    labels = embedded_dataset.labels
    known = realtime_state(embedded_dataset.closes, project_settings.labels)["label_if_not_bear"]
    outside = labels[labels["label"] != RISK_OFF]
    assert (outside["label"] == known.loc[outside.index]).all()


def test_final_labels_never_change_when_more_prices_arrive(embedded_dataset, project_settings):
    closes = embedded_dataset.closes
    full = embedded_dataset.labels
    for end in range(200, len(closes), 97):
        early = label_weeks(closes.iloc[:end], project_settings.labels)
        final = early[~early["provisional"]]
        assert (final["label"] == full.loc[final.index, "label"]).all(), closes.index[end]


def test_the_real_history_dates_the_known_bear_markets(embedded_dataset):
    labels = embedded_dataset.labels["label"]
    for week in ("2008-10-10", "2020-03-20", "2002-07-26", "2022-06-17"):
        assert labels.loc[week] == RISK_OFF, week
    assert labels.loc["2009-06-05"] == EARLY_RECOVERY
