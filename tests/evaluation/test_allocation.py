"""The allocation policy on hand-built probabilities and returns: its weights, the walk-forward
choice of its parameters, and that nothing later reaches an earlier week."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.config import BacktestSettings
from regime.evaluation.allocation.backtest import STRATEGY, run_backtest
from regime.evaluation.allocation.signals import (
    Policy,
    choose_policies,
    least_active,
    policy_grid,
)
from regime.model.schedule import Refit

N = 120
WEEKS = pd.date_range("2001-01-05", periods=N, freq="W-FRI")


def _signals(p_off=0.1, p_bear=0.1, p_lead=None) -> pd.DataFrame:
    lead = np.where(np.arange(N) % 2 == 0, 0.9, 0.1) if p_lead is None else p_lead
    return pd.DataFrame(
        {"p_risk_off": p_off, "p_bear_start": p_bear, "p_lead": lead}, index=WEEKS, dtype=float
    )


def _returns() -> pd.DataFrame:
    # Small caps win in even weeks and lose in odd ones: a decision on week t is held over
    # week t+2, so following the alternating P(lead) picks the winner every week.
    even = np.arange(N) % 2 == 0
    return pd.DataFrame(
        {"small_cap": np.where(even, 0.02, -0.01), "large_cap": 0.005, "cash": 0.0005},
        index=WEEKS,
    )


def _schedule(size: int = 20) -> list[Refit]:
    blocks = [WEEKS[i : i + size] for i in range(0, N, size)]
    return [Refit(block[0] - pd.Timedelta(days=7), block) for block in blocks]


def test_the_policy_turns_probabilities_into_weights():
    signals = pd.DataFrame(
        {"p_risk_off": [0.2, 0.9], "p_bear_start": [0.1, 0.0], "p_lead": [0.6, 0.0]},
        index=WEEKS[:2],
    )
    weights = Policy(sensitivity=2.0, tilt=2.0, band=0.1).targets(signals)
    # risk = 1 - 0.8 x 0.9 = 0.28: equities 1 - 2 x 0.28 = 0.44, small caps 0.5 + 2 x 0.1 = 0.7.
    assert weights.iloc[0].tolist() == pytest.approx([0.44 * 0.7, 0.44 * 0.3, 0.56])
    assert weights.iloc[1].tolist() == pytest.approx([0.0, 0.0, 1.0])  # clipped: all in cash
    calm = Policy(0.0, 0.0, 0.1).targets(signals)
    assert calm.to_numpy().tolist() == [[0.5, 0.5, 0.0]] * 2


def test_the_grid_is_every_combination_and_the_fallback_the_least_active():
    settings = BacktestSettings()
    assert len(policy_grid(settings)) == 27
    assert least_active(settings) == Policy(0.0, 0.0, 0.3)


def test_the_choice_takes_the_best_sharpe_among_policies_that_traded_little_enough():
    grid = {"risk_sensitivity": (0.0,), "tilt": (0.0, 4.0), "band": (0.0,), "choice_min_weeks": 10}
    refits = [r.date for r in _schedule()]
    free = choose_policies(
        _signals(), _returns(), refits, BacktestSettings(**grid, max_turnover=1000.0)
    )
    assert [c.policy.tilt for c in free] == [0.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    assert free[0].weeks == 0  # nothing held yet: the least active policy
    assert free[1].turnover > 50  # the winner flips between small and large caps every week
    capped = BacktestSettings(**grid, max_turnover=2.0)
    assert {c.policy.tilt for c in choose_policies(_signals(), _returns(), refits, capped)} == {0}


def test_a_choice_sees_no_return_after_its_refit():
    grid = BacktestSettings(tilt=(0.0, 4.0), max_turnover=100.0, choice_min_weeks=10)
    refits = [r.date for r in _schedule()]
    honest = choose_policies(_signals(), _returns(), refits, grid)
    later = _returns()
    later.loc[refits[3] + pd.Timedelta(days=1) :, "small_cap"] = -0.05
    altered = choose_policies(_signals(), later, refits, grid)
    assert [c.to_dict() for c in honest[:4]] == [c.to_dict() for c in altered[:4]]
    assert honest[4:] != altered[4:]


def test_each_weeks_weights_use_only_probabilities_known_up_to_it():
    grid = BacktestSettings(tilt=(0.0, 4.0), max_turnover=100.0, choice_min_weeks=10)
    cut = WEEKS[70]
    honest = _signals()
    altered = honest.copy()
    altered.loc[altered.index > cut] = [0.9, 0.5, 0.0]
    weights = [_allocation_weights(signals, grid) for signals in (honest, altered)]
    # Decided on week t, traded at the close of t+1, held over t+2.
    held_through = WEEKS[72]
    pd.testing.assert_frame_equal(weights[0].loc[:held_through], weights[1].loc[:held_through])
    assert not weights[0].loc[WEEKS[73] :].equals(weights[1].loc[WEEKS[73] :])


def _allocation_weights(signals: pd.DataFrame, backtest: BacktestSettings) -> pd.DataFrame:
    from regime.config import Settings, WalkForwardSettings, load_settings

    base: Settings = load_settings()
    settings = base.model_copy(
        update={
            "backtest": backtest,
            "walk_forward": WalkForwardSettings(
                first_refit=WEEKS[0].date(), first_test=WEEKS[0].date()
            ),
        }
    )
    result = run_backtest(signals, _returns(), _schedule(), settings)
    return result.paths[STRATEGY][["small_cap_weight", "large_cap_weight", "cash_weight"]]
