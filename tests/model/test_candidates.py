"""Candidates whose gates are the same fits are walked forward once, and each still gets exactly
the series its own refits would give it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from regime.config import ParallelSettings
from regime.learning.logistic import fit_gate, gate_probability
from regime.model.candidates import (
    Candidate,
    GateRows,
    calibrated_series,
    candidates,
    raw_series,
    run_candidates,
)
from regime.model.schedule import refit_schedule

POOLS = (date(1950, 1, 1), date(1928, 1, 1))


@pytest.fixture(scope="module")
def settings(project_settings):
    """Credit (on the pooled indices from 1963 on) and volatility (on the S&P 500 from 1929),
    both pooling starts, one C, refits every two years, run in this process."""
    model = project_settings.model.model_copy(
        update={
            "families": {k: project_settings.model.families[k] for k in ("credit", "volatility")},
            "regularisation": (0.3,),
            "pool_from": POOLS,
        }
    )
    walk = project_settings.walk_forward.model_copy(update={"refit_weeks": 104})
    return project_settings.model_copy(
        update={
            "model": model,
            "walk_forward": walk,
            "parallel": ParallelSettings(backend="sequential"),
        }
    )


@pytest.fixture(scope="module")
def schedule(embedded_dataset, settings):
    return refit_schedule(embedded_dataset, settings)


@pytest.fixture(scope="module")
def rows(embedded_dataset, settings, schedule) -> GateRows:
    return GateRows.build(embedded_dataset, settings, [r.date for r in schedule])


def both_pools(gate: str, families: tuple[str, ...]) -> list[Candidate]:
    return [Candidate(gate, families, 0.3, "none", pool) for pool in POOLS]  # type: ignore[arg-type]


@pytest.mark.parametrize("gate", ["entry", "exit"])
def test_pooling_from_1928_or_1950_is_one_fit_when_no_row_between_has_the_features(
    rows, settings, gate
):
    # The pooled indices' credit spreads begin in 1963 and 1971: no row before 1950 trains.
    later, earlier = both_pools(gate, ("credit",))
    assert rows.same_fits(later, settings) == rows.same_fits(earlier, settings)
    # The S&P 500's own rulebook state and its volatility exist from 1928 and 1929.
    for families in [(), ("volatility",)]:
        later, earlier = both_pools(gate, families)
        assert rows.same_fits(later, settings) != rows.same_fits(earlier, settings)


def test_the_same_fits_differ_by_side_features_and_c(rows, settings):
    entry = Candidate("entry", ("credit",), 0.3, "none", POOLS[0])
    others = [
        Candidate("exit", ("credit",), 0.3, "none", POOLS[0]),
        Candidate("entry", ("credit", "volatility"), 0.3, "none", POOLS[0]),
        Candidate("entry", ("credit",), 0.03, "none", POOLS[0]),
        Candidate("entry", ("credit",), 0.3, "none", None),
    ]
    for other in others:
        assert rows.same_fits(entry, settings) != rows.same_fits(other, settings), other.key


def test_every_candidate_gets_the_series_its_own_refits_give(rows, settings, schedule):
    offered = candidates(settings)
    runs = run_candidates(rows, offered, settings, schedule)
    assert list(runs.series) == offered
    for candidate in offered:
        own = raw_series(rows, candidate.raw, settings, schedule)
        if candidate.calibration == "none":
            pd.testing.assert_series_equal(runs.series[candidate], own, check_exact=True)
            continue
        calibrated, sigmoids = calibrated_series(own, rows, settings, schedule)
        pd.testing.assert_series_equal(runs.series[candidate], calibrated, check_exact=True)
        assert runs.sigmoids[candidate] == sigmoids
    shared = {rows.same_fits(c.raw, settings) for c in offered}
    assert len(shared) < len({c.raw for c in offered})  # some were fitted once for two


def test_a_refit_on_unchanged_rows_predicts_like_a_fresh_fit(rows, settings, schedule):
    # Between bear markets the exit gate's training rows do not change: its gate is kept.
    candidate = Candidate("exit", ("credit",), 0.3, "none", POOLS[0])
    cols = rows.positions(candidate, settings)
    trained = [rows.training(r.date, "exit", cols, candidate.pool_from) for r in schedule]
    unchanged = [
        np.array_equal(a[0], b[0], equal_nan=True) and np.array_equal(a[1], b[1])
        for a, b in zip(trained, trained[1:], strict=False)
    ]
    assert any(unchanged)
    series = raw_series(rows, candidate, settings, schedule)
    own = rows.own
    for refit, (X, y) in zip(schedule, trained, strict=True):
        where = own.dates.get_indexer(refit.block)
        where = where[own.in_bear[where]]
        if len(where):
            gate = fit_gate(X, y.astype(int), candidate.C, settings.model.max_iter)
            expected = gate_probability(gate, own.X[where][:, cols])
            np.testing.assert_array_equal(series.to_numpy()[where], expected)
