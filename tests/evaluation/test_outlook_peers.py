"""The outlook's peers on hand-built outcomes, conditions and HMM states."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.evaluation.outlook.peers import conditions, outlook_peer_proba
from regime.model.horizons import Target
from regime.model.training_rows import Dataset

WEEKS = pd.date_range("2001-01-05", periods=8, freq="W-FRI")
EVENT = Target("bear_start", 2)
TRAIN, BLOCK = WEEKS[:6], WEEKS[6:]


def _peers(states: np.ndarray, transition: np.ndarray, condition: list[str]) -> dict:
    settled = pd.Series([1, 1, 0, 0, 0, 0], index=TRAIN)
    return outlook_peer_proba(
        EVENT,
        settled,
        BLOCK,
        pd.Series(condition, index=WEEKS),
        pd.DataFrame(states, index=WEEKS),
        transition,
        floor=0.0,
    )


ONE_HOT = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0, 1], [1, 0], [0, 1]], dtype=float)


def test_climatology_is_the_training_frequency_every_week():
    found = _peers(ONE_HOT, np.eye(2), ["bull"] * 8)["climatology"]
    assert found.index.equals(BLOCK) and list(found.columns) == [0, 1]
    assert found[1].tolist() == pytest.approx([2 / 6, 2 / 6])


def test_persistence_is_the_training_frequency_given_todays_condition_plus_one():
    condition = ["bear", "bear", "bull", "bull", "bull", "bull", "bear", "other"]
    found = _peers(ONE_HOT, np.eye(2), condition)["persistence"]
    # bear: 2 events in 2 weeks -> (2 + 1) / (2 + 2); a condition never seen: (0 + 1) / (0 + 2).
    assert found[1].tolist() == pytest.approx([3 / 4, 1 / 2])


def test_the_hmm_peer_moves_the_state_h_weeks_ahead_before_mapping_it():
    stay = _peers(ONE_HOT, np.eye(2), ["bull"] * 8)["hmm_transition"]
    # State 0 held both events (2 of 2 weeks), state 1 none of 4: add-one gives 3/4 and 1/6.
    assert stay[1].tolist() == pytest.approx([3 / 4, 1 / 6])
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    # Two steps of a swap come back to the same state: the map and the forecast are unchanged.
    assert _peers(ONE_HOT, swap, ["bull"] * 8)["hmm_transition"].equals(stay)
    half = np.full((2, 2), 0.5)
    flat = _peers(ONE_HOT, half, ["bull"] * 8)["hmm_transition"]
    assert flat[1].tolist() == pytest.approx([0.4, 0.4])  # (2 x 0.5 + 1) / (6 x 0.5 + 2)


def test_leadership_persistence_reads_trailing_total_returns_and_bear_start_the_rulebook():
    weeks = pd.date_range("2001-01-05", periods=16, freq="W-FRI")
    small = np.r_[np.full(14, 100.0), 130.0, 90.0]
    total = pd.DataFrame({"small_cap": small, "large_cap": 100.0}, index=weeks)
    features = pd.DataFrame({"rulebook_risk_off": [0.0] * 15 + [1.0]}, index=weeks)
    dataset = Dataset(features, pd.DataFrame(), pd.DataFrame(), total_returns=total)
    from regime.config import load_settings

    settings = load_settings()
    lead = conditions(Target("leadership", 13), dataset, settings)
    assert lead.tolist() == ["unknown"] * 13 + ["lagged", "led", "lagged"]
    assert conditions(EVENT, dataset, settings).tolist() == ["bull"] * 15 + ["bear"]
