"""The nested choice at a refit sees only the out-of-sample weeks before it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import ParallelSettings
from regime.learning.choice import LogTerms, binary_log_loss_weekly
from regime.model.candidates import UNKNOWN, Candidate, CandidateRuns, GateRows
from regime.model.selection import choose

REFIT = pd.Timestamp("2001-06-29")


@pytest.fixture(scope="module")
def rows(embedded_dataset, project_settings) -> GateRows:
    return GateRows.build(embedded_dataset, project_settings, [REFIT])


def truth_series(rows: GateRows) -> pd.Series:
    """Each week's hindsight risk_off flag as known at REFIT (NaN where unknown)."""
    target = rows.own.targets[REFIT].astype(float)
    target[target == UNKNOWN] = np.nan
    return pd.Series(target, index=rows.own.dates)


def runs_where(rows: GateRows, good_until: pd.Timestamp, good_after: pd.Timestamp) -> CandidateRuns:
    """Per gate, candidate `A` is right before REFIT and wrong after; `B` the other way round."""
    known = truth_series(rows).fillna(0.0)
    right, wrong = 0.1 + 0.8 * known, 0.9 - 0.8 * known
    before = rows.own.dates <= good_until
    after = rows.own.dates > good_after
    series = {}
    for gate in ("entry", "exit"):
        side = rows.own.in_bear == (gate == "exit")
        first = Candidate(gate, (), 0.3)
        second = Candidate(gate, ("credit",), 0.3)
        a = right.where(before, wrong).where(side)
        b = wrong.where(~after, right).where(side)
        series[first], series[second] = a.rename(first.key), b.rename(second.key)
    return CandidateRuns(series, {}, dict(series))


def test_the_candidate_that_was_better_before_the_refit_is_chosen(
    rows, embedded_dataset, project_settings
):
    runs = runs_where(rows, good_until=REFIT, good_after=REFIT)
    choice = choose(REFIT, embedded_dataset, project_settings, runs, rows, list(runs.series))
    assert choice.entry.families == () and choice.exit.families == ()
    assert choice.judged_weeks["entry"] > 0 and choice.judged_weeks["exit"] > 0


def test_rewriting_every_week_after_the_refit_does_not_change_the_choice(
    rows, embedded_dataset, project_settings
):
    honest = runs_where(rows, good_until=REFIT, good_after=REFIT)
    rewritten = runs_where(rows, good_until=REFIT, good_after=REFIT + pd.Timedelta(days=3650))
    first = choose(REFIT, embedded_dataset, project_settings, honest, rows, list(honest.series))
    second = choose(
        REFIT, embedded_dataset, project_settings, rewritten, rows, list(rewritten.series)
    )
    assert first == second


def test_labels_still_provisional_at_the_refit_are_not_judged(rows, embedded_dataset):
    # In June 2001 the 2000-01 bear's trough (September 2001) was not yet known: the weeks after
    # the lowest close so far have no target at the refit, though they have a final label today.
    target = pd.Series(rows.own.targets[REFIT], index=rows.own.dates)
    assert (target.loc["2001-04-13":REFIT] == UNKNOWN).all()
    assert (target.loc["2000-06-02":"2001-04-06"] == 1).all()
    assert not embedded_dataset.labels.loc["2001-04-13":REFIT, "provisional"].any()


def test_each_weeks_threshold_is_where_its_call_flips(embedded_dataset, project_settings):
    from regime.model.walk_forward import walk_forward

    small = project_settings.model.model_copy(
        update={
            "selection": "fixed",
            "fixed": project_settings.model.fixed.model_copy(
                update={"decision": "balanced_hysteresis"}
            ),
        }
    )
    in_process = ParallelSettings(backend="sequential")
    settings = project_settings.model_copy(update={"model": small, "parallel": in_process})
    run = walk_forward(embedded_dataset, settings, through=pd.Timestamp("1995-06-30"))
    weeks = run.nested.predictions.loc["1985":"1995-06-30"]
    called = weeks["predicted"] == "risk_off"
    above = weeks["p_risk_off"] > weeks["threshold"]
    # Up to the probability floor's rounding, risk_off is called exactly above the threshold.
    clear = (weeks["p_risk_off"] - weeks["threshold"]).abs() > 0.005
    assert (called[clear] == above[clear]).all()
    assert weeks["threshold"].nunique() > 2  # it moves with the rest label and the week before


def test_log_terms_kept_for_many_refits_give_the_binary_log_loss_bit_for_bit():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=500)
    p[[3, 7]] = [0.0, 1.0]  # clipped
    p[::50] = np.nan  # no prediction that week
    terms = LogTerms.of(p)
    for seed in range(3):
        y = np.random.default_rng(seed).integers(-1, 2, size=500).astype(np.int8)
        q = np.clip(p, 1e-6, 1 - 1e-6)
        expected = -(y * np.log(q) + (1 - y) * np.log(1 - q))
        np.testing.assert_array_equal(terms.weekly_loss(y), expected)
        np.testing.assert_array_equal(binary_log_loss_weekly(p, y), expected)
