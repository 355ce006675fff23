"""The recession nowcast is walked forward point in time: each refit learns only from months
the NBER had dated by then, chooses from earlier out-of-sample weeks only, and nothing after a
week changes that week's probability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import ParallelSettings, Settings
from regime.features.table import weekly_rows
from regime.learning.choice import UNKNOWN
from regime.macro.nowcast import (
    NowcastCandidate,
    NowcastInputs,
    fit_choice,
    nowcast_candidates,
    offered_families,
    raw_series,
    run_nowcast,
)


def small(settings: Settings) -> Settings:
    """Two families, one C, refits every two years: the same mechanics, a tenth of the fits."""
    recession = settings.recession.model_copy(
        update={
            "families": {k: settings.recession.families[k] for k in ("labour", "curve")},
            "regularisation": (0.1,),
        }
    )
    walk = settings.walk_forward.model_copy(update={"refit_weeks": 104})
    return settings.model_copy(update={"recession": recession, "walk_forward": walk})


@pytest.fixture(scope="module")
def settings(project_settings) -> Settings:
    return small(project_settings)


@pytest.fixture(scope="module")
def last_week(embedded_data, project_settings) -> pd.Timestamp:
    return weekly_rows(embedded_data, project_settings)[-1]


@pytest.fixture(scope="module")
def inputs(embedded_data, settings, last_week) -> NowcastInputs:
    return NowcastInputs.build(embedded_data, settings, last_week)


@pytest.fixture(scope="module")
def run(inputs, settings):
    return run_nowcast(inputs, settings)


def test_candidates_are_every_family_subset_with_each_c_and_calibration(project_settings):
    families = offered_families(project_settings)
    offered = nowcast_candidates(project_settings, families)
    assert len(offered) == 2 ** len(families) * 2 * 2
    assert NowcastCandidate((), 0.1, "none") in offered  # the base rate


def test_the_real_time_variant_leaves_out_revised_inputs(project_settings):
    families = offered_families(project_settings, project_settings.recession.revised_inputs)
    assert families["labour"] == ("sahm_realtime_change_13w",)
    assert "conditions" not in families  # the NFCI is re-estimated every week
    assert set(families) == {"labour", "curve", "credit"}


def test_a_refits_targets_hold_only_weeks_dated_by_its_day(inputs):
    weeks = inputs.features.index
    for day in ("1979-06-29", "2008-10-10", "2010-09-24"):
        target = inputs.targets(pd.Timestamp(day))
        assert (weeks[target != UNKNOWN] <= pd.Timestamp(day)).all()
    # Inside the 2007-09 recession, none of its months is known: its trough came later.
    during = pd.Series(inputs.targets(pd.Timestamp("2009-06-26")), index=weeks)
    assert (during.loc["2008-01":"2009-06"] == UNKNOWN).all()
    after = pd.Series(inputs.targets(pd.Timestamp("2010-09-24")), index=weeks)
    assert (after.loc["2008-01":"2009-06"] == 1).all()


def test_every_week_from_the_first_refit_has_one_out_of_sample_probability(run, inputs):
    p = run.probability
    assert p.index[0] > pd.Timestamp("1973-01-05") - pd.Timedelta(days=7)
    assert p.index.is_unique and p.index[-1] == inputs.features.index[-1]
    assert p.between(0, 1).all() and p.notna().all()
    assert (run.predictions["refit"] < run.predictions.index).all()


def test_the_base_rate_candidate_is_the_share_of_recession_weeks_dated_so_far(
    run, inputs, settings
):
    base = run.series[NowcastCandidate((), 0.1, "none")]
    refit = run.schedule[10]
    target = inputs.targets(refit.date)
    share = float(np.mean(target[target != UNKNOWN]))
    assert base.loc[refit.block].to_numpy() == pytest.approx(share)


@pytest.mark.parametrize("cut", ["1990-06-29", "2007-11-30"])
def test_data_after_a_week_never_changes_the_nowcast_of_that_week(
    embedded_data, settings, run, cut
):
    cut = pd.Timestamp(cut)
    truncated = NowcastInputs.build(embedded_data.truncated(cut), settings, cut)
    early = run_nowcast(truncated, settings)
    pd.testing.assert_series_equal(early.probability, run.probability.loc[:cut])
    same = [c.candidate for c in early.choices]
    assert same == [c.candidate for c in run.choices[: len(same)]]


def test_the_final_model_answers_the_last_week_like_its_series(run, inputs, settings):
    model = fit_choice(inputs, run, run.final, settings)
    columns = run.final.candidate.columns(run.families)
    last = inputs.features[columns].to_numpy(dtype=float)[-1:]
    p = run.final.sigmoid(model.predict_proba(last)[:, 1])
    assert 0 <= p[0] <= 1
    if run.final.candidate == run.choices[-1].candidate:
        # The same candidate refitted on a few more dated months moves little.
        assert p[0] == pytest.approx(run.probability.iloc[-1], abs=0.15)


def test_the_real_time_variant_reuses_the_shared_families_walk_forward_and_gets_its_own(
    inputs, settings, run, monkeypatch
):
    walked: list[str] = []

    def counted(inputs, families, candidate, *rest):
        walked.append(candidate.key)
        return raw_series(inputs, families, candidate, *rest)

    in_process = settings.model_copy(update={"parallel": ParallelSettings(backend="sequential")})
    leave_out = settings.recession.revised_inputs
    alone = run_nowcast(inputs, in_process, leave_out)
    monkeypatch.setattr("regime.macro.nowcast.raw_series", counted)
    shared = run_nowcast(inputs, in_process, leave_out, reuse=run)
    # The curve has no revised input: its candidates are the headline run's, not refitted.
    assert walked and not any(key.startswith("curve") for key in walked)
    assert list(shared.series) == list(alone.series)
    for candidate, series in alone.series.items():
        pd.testing.assert_series_equal(shared.series[candidate], series, check_exact=True)
    pd.testing.assert_frame_equal(shared.predictions, alone.predictions, check_exact=True)
    assert shared.choices == alone.choices and shared.final == alone.final
