"""The allocation policy: weights from the probabilities, and its parameters chosen walk-forward.

Each week t, from the out-of-sample probabilities known at its close:

- risk = 1 - (1 - P(risk_off now)) x (1 - P(a small-cap bear market begins within the outlook's
  window)): the chance that a bear market is under way or about to begin, taking the two as
  independent;
- equities = clip(1 - sensitivity x risk, 0, 1), the rest in cash;
- small caps' share of the equities = clip(0.5 + tilt x (P(small caps lead) - 0.5), 0, 1).

The holdings trade towards these targets only when a weight strays further than `band` from its
target, and then only as far as the band's edge (simulation.hold). At every refit date,
(sensitivity, tilt, band) is chosen from the grids of `backtest` by the Sharpe ratio, net of
costs, that each policy (run on every out-of-sample week since the walk-forward began) earned on
the weeks whose returns were known by then; a policy that traded more than `max_turnover` a year
on those weeks is passed over. The block that follows the refit uses the choice. No choice sees
a return after its refit date.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from regime.config import BacktestSettings, Settings
from regime.constants import WEEKS_PER_YEAR
from regime.evaluation.allocation.performance import sharpe
from regime.evaluation.allocation.simulation import ASSETS, held_weights, simulate
from regime.model.horizons import Target
from regime.model.schedule import Refit
from regime.model.walk_forward import WalkForward

# The probabilities the policy reads, one column each.
SIGNALS = ("p_risk_off", "p_bear_start", "p_lead")


def allocation_signals(run: WalkForward, settings: Settings) -> pd.DataFrame:
    """`SIGNALS` for every week the walk-forward predicted out of sample: the nowcast's
    P(risk_off), the outlook's P(a bear market begins) and P(small caps lead)."""
    outlook = settings.outlook
    bear = Target("bear_start", outlook.bear_start_weeks).name
    lead = Target("leadership", outlook.leadership_weeks).name
    frame = pd.DataFrame(
        {
            "p_risk_off": run.nested.predictions["p_risk_off"],
            "p_bear_start": run.outlook[bear].predictions[1],
            "p_lead": run.outlook[lead].predictions[1],
        }
    )
    return frame.dropna().astype(float)


@dataclass(frozen=True, order=True)
class Policy:
    """One point of the grid."""

    sensitivity: float
    tilt: float
    band: float

    def targets(self, signals: pd.DataFrame) -> pd.DataFrame:
        """Target weights (columns `ASSETS`) for each week of `signals` (columns `SIGNALS`)."""
        risk = 1 - (1 - signals["p_risk_off"]) * (1 - signals["p_bear_start"])
        equity = (1 - self.sensitivity * risk).clip(0.0, 1.0)
        small = (0.5 + self.tilt * (signals["p_lead"] - 0.5)).clip(0.0, 1.0)
        return pd.DataFrame(
            {"small_cap": equity * small, "large_cap": equity * (1 - small), "cash": 1 - equity},
            index=signals.index,
        )[list(ASSETS)]

    def to_dict(self) -> dict[str, float]:
        return {"sensitivity": self.sensitivity, "tilt": self.tilt, "band": self.band}


def policy_grid(settings: BacktestSettings) -> list[Policy]:
    return [
        Policy(float(s), float(t), float(b))
        for s, t, b in itertools.product(settings.risk_sensitivity, settings.tilt, settings.band)
    ]


def least_active(settings: BacktestSettings) -> Policy:
    """The policy used before enough weeks exist to choose one."""
    return Policy(min(settings.risk_sensitivity), min(settings.tilt), max(settings.band))


@dataclass(frozen=True)
class PolicyChoice:
    """The policy chosen at a refit, and what it was judged on (weeks 0: the fallback)."""

    refit: pd.Timestamp
    policy: Policy
    weeks: int
    sharpe: float | None
    turnover: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "refit": self.refit.date().isoformat(),
            **self.policy.to_dict(),
            "judged_weeks": self.weeks,
            "sharpe": self.sharpe,
            "turnover": self.turnover,
        }


def policy_path(
    policy: Policy, signals: pd.DataFrame, returns: pd.DataFrame, settings: BacktestSettings
) -> pd.DataFrame:
    """The policy run alone on every week of `signals` (see simulation.simulate)."""
    held = held_weights(policy.targets(signals), returns.index, settings.trade_delay_weeks)
    return simulate(held, returns, settings.cost_bps, policy.band)


def choose_policies(
    signals: pd.DataFrame,
    returns: pd.DataFrame,
    refits: list[pd.Timestamp],
    settings: BacktestSettings,
) -> list[PolicyChoice]:
    """The policy chosen at each refit date from the weeks held up to it (module docstring)."""
    grid = policy_grid(settings)
    paths = [policy_path(p, signals, returns, settings) for p in grid]
    excess = [(path["return"] - returns.loc[path.index, "cash"]) for path in paths]
    choices = []
    for refit in refits:
        judged = [e.loc[:refit].to_numpy(dtype=float) for e in excess]
        weeks = min(len(values) for values in judged)
        if weeks < settings.choice_min_weeks:
            choices.append(PolicyChoice(refit, least_active(settings), 0, None, None))
            continue
        ratios = [float(sharpe(values[None, :])[0]) for values in judged]
        turnover = [
            float(path["turnover"].loc[:refit].sum()) * WEEKS_PER_YEAR / len(values)
            for path, values in zip(paths, judged, strict=True)
        ]
        allowed = [i for i, t in enumerate(turnover) if t <= settings.max_turnover]
        if allowed:
            best = max(allowed, key=lambda i: (ratios[i], -i))
        else:
            best = int(np.argmin(turnover))
        choices.append(
            PolicyChoice(refit, grid[best], weeks, round(ratios[best], 6), round(turnover[best], 6))
        )
    return choices


def chosen_targets(
    signals: pd.DataFrame, schedule: list[Refit], choices: list[PolicyChoice]
) -> tuple[pd.DataFrame, pd.Series]:
    """Each decision week's target weights and band, from the policy chosen at its refit.

    `choices` follow `schedule` (one per refit); the weeks are those of `signals`.
    """
    targets, bands = [], []
    for refit, choice in zip(schedule, choices, strict=True):
        weeks = refit.block.intersection(signals.index)
        if len(weeks):
            targets.append(choice.policy.targets(signals.loc[weeks]))
            bands.append(pd.Series(choice.policy.band, index=weeks))
    return pd.concat(targets), pd.concat(bands)
