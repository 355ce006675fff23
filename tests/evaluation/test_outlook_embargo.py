"""The outlook on the real data is point in time: a refit trains only on outcomes settled by its
date, and nothing after a week changes the outlook's probabilities of that week."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import ParallelSettings
from regime.model.horizons import outlook_targets
from regime.model.outlook import known_targets, run_outlook
from regime.model.schedule import ONE_WEEK, refit_schedule
from regime.model.training_rows import Dataset, final_labels
from regime.rulebook.rules import scan_closes
from regime.sources.market_data import MarketData

# Refit dates across calm years, the 1987 and 2008 crashes, and while a bear market was open.
REFITS = [pd.Timestamp(d) for d in ("1987-12-04", "1999-06-25", "2008-10-10", "2020-04-03")]
CUT = pd.Timestamp("1992-06-26")


@pytest.fixture(scope="module")
def today_targets(embedded_dataset, project_settings) -> dict[str, pd.Series]:
    return {
        t.name: known_targets(t, embedded_dataset, project_settings, None)
        for t in outlook_targets(project_settings)
    }


@pytest.mark.parametrize("refit", REFITS, ids=lambda d: d.date().isoformat())
def test_a_refit_sees_only_outcomes_settled_by_its_date_and_they_never_change(
    refit, embedded_dataset, project_settings, today_targets
):
    closes = embedded_dataset.closes.loc[:refit]
    final = final_labels(closes, project_settings, refit).index
    open_leg = scan_closes(closes, project_settings.labels).extreme[-1]
    for target in outlook_targets(project_settings):
        known = known_targets(target, embedded_dataset, project_settings, refit)
        assert len(known) > 300, target.name
        ahead = known.index + target.weeks * ONE_WEEK
        assert ahead.max() <= refit, target.name  # every outcome lies in the refit's past
        if target.kind == "regime":
            assert ahead.isin(final).all()  # and the label of week t+h was final then
        if target.kind == "bear_start":
            # No window may reach the open leg's candidate peak or trough, unconfirmed then.
            positions = closes.index.get_indexer(known.index)
            assert (positions + target.weeks < open_leg).all()
        later = today_targets[target.name].reindex(known.index)
        pd.testing.assert_series_equal(known, later, check_names=False, check_dtype=False)


def test_the_embargo_holds_back_a_bear_start_until_its_peak_is_confirmed(
    embedded_dataset, project_settings
):
    # The Russell 2000 peaked on 2007-07-13, confirmed by a 20% fall only in November 2007; until
    # then no week whose next 26 weeks hold that candidate peak is settled.
    target = next(t for t in outlook_targets(project_settings) if t.kind == "bear_start")
    before = known_targets(target, embedded_dataset, project_settings, "2007-09-28")
    after = known_targets(target, embedded_dataset, project_settings, "2009-06-26")
    assert before.index[-1] == pd.Timestamp("2007-01-05")  # 27 weeks before the peak
    assert after.loc["2007-01-12":"2007-07-06"].eq(1).all()
    assert after.loc[["2007-01-05", "2007-07-13"]].eq(0).all()


def _altered_after(data: MarketData, cut: pd.Timestamp) -> MarketData:
    """Every observation after `cut` multiplied by 3 (prices, total returns, yields alike)."""
    return MarketData(
        series={k: s.where(s.index <= cut, s * 3.0) for k, s in data.series.items()},
        origin=dict(data.origin),
    )


def test_the_outlook_of_a_week_ignores_every_observation_after_it(
    embedded_data, embedded_dataset, project_settings
):
    biennial = project_settings.model_copy(
        update={
            "walk_forward": project_settings.walk_forward.model_copy(update={"refit_weeks": 104})
        }
    )
    schedule = [r for r in refit_schedule(embedded_dataset, biennial) if r.date <= CUT]
    rewritten = Dataset.build(_altered_after(embedded_data, CUT), project_settings)
    in_process = project_settings.model_copy(
        update={"parallel": ParallelSettings(backend="sequential")}
    )
    honest = run_outlook(embedded_dataset, in_process, schedule, CUT)
    altered = run_outlook(rewritten, in_process, schedule, CUT)
    assert not rewritten.total_returns.loc[CUT + ONE_WEEK :].equals(
        embedded_dataset.total_returns.loc[CUT + ONE_WEEK :]
    )
    for name, run in honest.items():
        before = run.predictions.loc[:CUT]
        assert len(before) > 500
        pd.testing.assert_frame_equal(before, altered[name].predictions.loc[:CUT])
        assert [c.to_dict() for c in run.choices] == [c.to_dict() for c in altered[name].choices]
        assert np.isfinite(before.drop(columns="refit").to_numpy(dtype=float)).all()
