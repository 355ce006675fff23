"""The weekly feature table is point in time: nothing on a row is unknown on its date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.features.table import build_features
from regime.sources import MarketData

# Spread over the history from 1980: calm years, the crashes, recent weeks.
CHECK_DATES = pd.date_range("1980-01-04", "2026-08-14", freq="W-FRI")[::61]


@pytest.fixture(scope="module")
def full_features(embedded_data, project_settings) -> pd.DataFrame:
    return build_features(embedded_data, project_settings)


@pytest.mark.parametrize("day", CHECK_DATES, ids=lambda d: d.date().isoformat())
def test_features_from_data_truncated_at_a_date_equal_the_full_history_at_that_date(
    day, embedded_data, project_settings, full_features
):
    truncated = build_features(embedded_data.truncated(day), project_settings, as_of=day)
    pd.testing.assert_series_equal(truncated.loc[day], full_features.loc[day], check_names=False)


def test_appending_future_observations_never_changes_past_rows(
    embedded_data, project_settings, full_features
):
    cut = pd.Timestamp("2015-06-05")
    early = build_features(embedded_data.truncated(cut), project_settings, as_of=cut)
    pd.testing.assert_frame_equal(early, full_features.loc[:cut], check_freq=False)


def test_a_shock_after_a_date_does_not_reach_rows_before_it(
    embedded_data, project_settings, full_features
):
    shock_from = pd.Timestamp("2010-01-01")
    shocked = {
        key: series.where(series.index < shock_from, series * 3.0)
        for key, series in embedded_data.series.items()
    }
    features = build_features(MarketData(shocked, embedded_data.origin), project_settings)
    before = features.index < shock_from
    pd.testing.assert_frame_equal(features.loc[before], full_features.loc[before])
    assert not features.loc["2010-06-04"].equals(full_features.loc["2010-06-04"])


def test_the_jobs_report_reaches_the_row_of_its_release_friday_not_before(full_features):
    # April 2020's unemployment rate (14.8%) was published on Friday 8 May 2020.
    gap = full_features["unemployment_sahm_gap"]
    assert gap.loc["2020-05-01"] < 1.0
    assert gap.loc["2020-05-08"] > 3.0


def test_weekly_claims_arrive_the_thursday_after_their_week(full_features, embedded_data):
    # Claims for the week ending Saturday 21 March 2020 (2.9 million) came out Thursday 26 March.
    change = full_features["claims_change"]
    assert change.loc["2020-03-20"] < 0.5
    assert change.loc["2020-03-27"] > 1.0


def test_a_feed_that_stopped_is_missing_on_later_rows_not_frozen(full_features, project_settings):
    # DGS3MO ends on 2026-07-22 in the snapshot.
    assert np.isnan(full_features["three_month_change_13w"].loc["2026-08-21"])
    assert not np.isnan(full_features["three_month_change_13w"].loc["2026-07-24"])


def test_credit_stress_switches_from_baa_to_high_yield_without_a_gap(full_features):
    credit = full_features["credit_spread_zscore"].loc["1991":"2026"]
    assert credit.notna().all()
    assert credit.loc["2008-10-10"] > 2 and credit.loc["2020-03-20"] > 2


def test_rows_are_fridays_and_features_are_finite_or_missing(full_features):
    assert (full_features.index.day_of_week == 4).all()
    values = full_features.to_numpy(dtype=float)
    assert not np.isinf(values).any()
