"""The nested walk-forward is point in time: nothing after a date changes what was chosen and
predicted up to it, and no bear market trains on an imputed feature."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from regime.config import ParallelSettings
from regime.model.schedule import judged_weeks, refit_schedule
from regime.model.training_rows import Dataset
from regime.model.walk_forward import walk_forward
from regime.sources.market_data import MarketData

CUT = pd.Timestamp("1992-06-26")
IN_PROCESS = ParallelSettings(backend="sequential")


@pytest.fixture(scope="module")
def small_settings(project_settings):
    """The project's settings with fewer candidates, so the walk-forward takes seconds, run in
    this process."""
    model = project_settings.model.model_copy(
        update={
            "families": {k: project_settings.model.families[k] for k in ("credit", "volatility")},
            "regularisation": (0.3,),
            "pool_from": (date(1950, 1, 1),),
        }
    )
    return project_settings.model_copy(update={"model": model, "parallel": IN_PROCESS})


def altered_after(data: MarketData, cut: pd.Timestamp) -> MarketData:
    """Every observation after `cut` multiplied by 3 (prices, yields, spreads alike)."""
    return MarketData(
        series={k: s.where(s.index <= cut, s * 3.0) for k, s in data.series.items()},
        origin=dict(data.origin),
    )


def test_choices_and_calls_up_to_a_date_ignore_everything_after_it(embedded_data, small_settings):
    honest = Dataset.build(embedded_data, small_settings)
    rewritten = Dataset.build(altered_after(embedded_data, CUT), small_settings)
    first = walk_forward(honest, small_settings, through=CUT)
    second = walk_forward(rewritten, small_settings, through=CUT)

    assert [c.to_dict() for c in first.nested.choices] == [
        c.to_dict() for c in second.nested.choices
    ]
    a = first.nested.predictions.loc[:CUT]
    b = second.nested.predictions.loc[:CUT]
    pd.testing.assert_frame_equal(a, b)
    assert len(a) > 500 and a["predicted"].isin(["risk_off"]).any()


def test_refits_cover_every_week_from_the_first_refit_and_judged_weeks_have_final_labels(
    embedded_dataset, project_settings
):
    schedule = refit_schedule(embedded_dataset, project_settings)
    weeks = pd.DatetimeIndex(np.concatenate([r.block for r in schedule]))
    assert weeks.is_monotonic_increasing and weeks.is_unique
    assert weeks[0] == pd.Timestamp(project_settings.walk_forward.first_refit)
    assert weeks[-1] == embedded_dataset.features.index[-1]
    assert all(r.date == r.block[0] - pd.Timedelta(days=7) for r in schedule)
    judged = judged_weeks(embedded_dataset, project_settings)
    assert judged[0] == pd.Timestamp(project_settings.walk_forward.first_test)
    assert not embedded_dataset.labels.loc[judged, "provisional"].any()


def test_before_1990_the_macro_features_exist_so_no_bear_trains_on_an_imputed_value(
    embedded_dataset, project_settings
):
    # The 1980, 1981-82, 1983-84 and 1987 bear markets: every gate feature is a real value.
    columns = [c for f in project_settings.model.families.values() for c in f]
    columns += [*project_settings.model.state_features.entry]
    columns += [*project_settings.model.state_features.exit]
    weeks = embedded_dataset.labels.loc["1980-02-01":"1988-12-30"]
    bears = weeks.index[weeks["label"] == "risk_off"]
    assert len(bears) > 100
    assert embedded_dataset.features.loc[bears, list(dict.fromkeys(columns))].notna().all().all()


def test_a_calibrated_final_choice_fits_its_sigmoid_on_every_earlier_week(
    embedded_data, small_settings
):
    model = small_settings.model.model_copy(
        update={
            "selection": "fixed",
            "fixed": small_settings.model.fixed.model_copy(update={"calibration": "sigmoid"}),
        }
    )
    settings = small_settings.model_copy(update={"model": model})
    dataset = Dataset.build(embedded_data, settings)
    run = walk_forward(dataset, settings, through=CUT)
    assert run.final.entry.calibration == "sigmoid"
    assert run.final.entry_calibration.as_tuple() != (1.0, 0.0)
    judged = [c for c in run.nested.choices if c.entry_calibration.as_tuple() != (1.0, 0.0)]
    assert judged  # refits with two years of out-of-sample weeks behind them recalibrate
