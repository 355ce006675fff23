"""Peers: point in time (later data never changes a week's answer), soft state maps, the rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.constants import REGIMES
from regime.evaluation.peers import (
    DrawdownRebound,
    FilteredGaussianHMM,
    FilteredMarkovSwitching,
    drawdown_rebound,
    majority_proba,
)
from regime.evaluation.peers.hmm import forward_filter
from regime.evaluation.peers.mapping import label_proba, regime_given_state
from regime.evaluation.peers.refits import PeerInputs, block_peers, drawdown_rebound_run
from regime.model.training_rows import Dataset

SEED = 20240607


def _two_regime_path(n: int = 400, seed: int = SEED):
    """Calm weeks, a volatile falling stretch, calm again; labels say which is which."""
    print(f"seed {seed}")  # shown on failure, to replay it
    rng = np.random.default_rng(seed)
    index = pd.date_range("1995-01-06", periods=n, freq="W-FRI")
    calm = slice(0, n // 2)
    stress = slice(n // 2, n // 2 + n // 4)
    values = rng.normal(0.0, 1.0, size=(n, 2))
    values[stress] = rng.normal(3.0, 2.0, size=(n // 4, 2))
    labels = np.array(["neutral"] * n, dtype=object)
    labels[stress] = "risk_off"
    features = pd.DataFrame(values, index=index, columns=["a", "b"])
    returns = pd.Series(
        np.where(labels == "risk_off", 0.04, 0.01) * rng.normal(size=n), index=index
    )
    del calm
    return features, returns, pd.Series(labels, index=index)


def test_hmm_probability_of_a_week_does_not_change_when_later_weeks_are_appended():
    features, _, labels = _two_regime_path()
    model = FilteredGaussianHMM(n_states=2, random_state=0).fit(
        features.iloc[:250], labels.iloc[:250]
    )
    week = features.index[300]
    short = model.predict_proba(features.loc[:week]).loc[week]
    longer = model.predict_proba(features).loc[week]
    pd.testing.assert_series_equal(short, longer)


def test_hmm_recovers_the_stress_regime_it_was_trained_on():
    features, _, labels = _two_regime_path()
    model = FilteredGaussianHMM(n_states=2, random_state=0).fit(
        features.iloc[:320], labels.iloc[:320]
    )
    called = model.predict_proba(features).idxmax(axis=1)
    assert (called == labels).mean() > 0.9
    # Each state is mostly one regime: one mostly neutral, the other mostly risk_off.
    top = np.asarray(REGIMES)[model.regime_given_state_.argmax(axis=1)]
    assert sorted(top) == ["neutral", "risk_off"]


def test_hmm_filter_differs_from_hmmlearn_smoothed_probabilities():
    # Guards against silently using forward-backward (which looks at later weeks).
    features, _, labels = _two_regime_path()
    model = FilteredGaussianHMM(n_states=2, random_state=0).fit(features, labels)
    filtered = model.filtered_state_proba(features)
    smoothed = model.hmm_.predict_proba(model._standardise(features))
    assert np.allclose(filtered[-1], smoothed[-1])  # the last week has no future: equal
    assert not np.allclose(filtered[:-1], smoothed[:-1])


def test_markov_switching_probability_of_a_week_does_not_change_when_later_weeks_are_appended():
    _, returns, labels = _two_regime_path()
    model = FilteredMarkovSwitching(k_regimes=2).fit(returns.iloc[:260], labels.iloc[:260])
    week = returns.index[280]
    short = model.predict_proba(returns.loc[:week]).loc[week]
    longer = model.predict_proba(returns).loc[week]
    pd.testing.assert_series_equal(short, longer)


def _altered_after(dataset: Dataset, day: pd.Timestamp) -> Dataset:
    """`dataset` with every feature and close after `day` changed (tripled, flags inverted)."""
    features = dataset.features.copy()
    later = features.index > day
    features.loc[later] = 3 * features.loc[later] + 1
    closes = dataset.closes.copy()
    closes.loc[closes.index > day] *= 3
    return Dataset(features, closes, dataset.labels, dataset.pooled)


def test_peers_on_real_data_ignore_everything_after_the_block(
    embedded_dataset: Dataset, project_settings
):
    block = pd.date_range("2008-01-04", periods=26, freq="W-FRI")
    refit_on = block[0] - pd.Timedelta(days=7)
    full = block_peers(
        PeerInputs.build(embedded_dataset, project_settings), project_settings, block, refit_on
    )
    changed = _altered_after(embedded_dataset, block[-1])
    short = block_peers(
        PeerInputs.build(changed, project_settings), project_settings, block, refit_on
    )
    assert full.details == short.details
    for name in full.proba:
        pd.testing.assert_frame_equal(full.proba[name], short.proba[name])
        pd.testing.assert_series_equal(full.calls[name], short.calls[name])


def test_probit_probabilities_of_a_block_ignore_every_observation_after_it(
    embedded_dataset: Dataset, project_settings
):
    block = pd.date_range("2007-01-05", periods=26, freq="W-FRI")
    refit_on = block[0] - pd.Timedelta(days=7)
    inputs = PeerInputs.build(embedded_dataset, project_settings)
    found = block_peers(inputs, project_settings, block, refit_on)
    changed = PeerInputs.build(_altered_after(embedded_dataset, block[-1]), project_settings)
    again = block_peers(changed, project_settings, block, refit_on)
    # The spread a year before each week of the block is in the altered span's past: the
    # block's probabilities, and the fit, must not move.
    pd.testing.assert_frame_equal(
        found.proba["term_spread_probit"], again.proba["term_spread_probit"]
    )
    assert found.details["term_spread_probit"] == again.details["term_spread_probit"]
    slope = found.details["term_spread_probit"]["slope"]
    assert slope < 0  # a flat or inverted curve a year earlier raises P(risk_off)
    risk_off = found.proba["term_spread_probit"]["risk_off"]
    spread = inputs.lagged_spread.loc[block]
    assert risk_off.loc[spread.idxmin()] == risk_off.max()


def test_drawdown_rebound_calls_a_bear_from_the_fall_until_the_rebound():
    # Up to 120, down 10% to 108 (bear), lower to 100, up 10% to 110 (bull), new high 125.
    closes = np.array([100, 110, 120, 115, 108, 104, 100, 105, 109, 110, 118, 125.0])
    calls = drawdown_rebound(closes, entry=0.10, exit=0.10)
    assert calls.tolist() == [False] * 4 + [True] * 5 + [False] * 3
    # A 15% threshold: the fall to 100 (-16.7%) starts the bear later, 110 ends it all the same.
    later = drawdown_rebound(closes, entry=0.15, exit=0.10)
    assert later.tolist() == [False] * 6 + [True] * 3 + [False] * 3
    assert not drawdown_rebound(closes, entry=0.20, exit=0.10).any()  # never 20% down


def test_drawdown_rebound_chooses_the_thresholds_that_fit_the_known_labels_best():
    closes = pd.Series(
        [100, 110, 120, 115, 108, 104, 100, 105, 109, 110, 118, 125.0],
        index=pd.date_range("2001-01-05", periods=12, freq="W-FRI"),
    )
    rest = np.array(["neutral"] * 12)
    rule = DrawdownRebound.build(closes, rest, entry_grid=(0.05, 0.10), exit_grid=(0.05, 0.10))
    # Hindsight: the bear ran from the week after the peak (120) to the trough (100).
    known = pd.Series(["neutral"] * 3 + ["risk_off"] * 4 + ["neutral"] * 5, index=closes.index)
    assert rule.choose(known) == (0.05, 0.05)
    called = rule.predict((0.05, 0.05), closes.index[2:8])
    assert called.tolist() == ["neutral", "neutral", "risk_off", "risk_off", "risk_off", "neutral"]


def test_drawdown_rebound_on_real_data_chooses_from_the_grid_at_every_refit(
    embedded_dataset: Dataset, project_settings
):
    inputs = PeerInputs.build(embedded_dataset, project_settings)
    blocks = [
        (pd.Timestamp("2007-12-28"), pd.date_range("2008-01-04", periods=26, freq="W-FRI")),
        (pd.Timestamp("2008-06-27"), pd.date_range("2008-07-04", periods=26, freq="W-FRI")),
    ]
    calls, chosen = drawdown_rebound_run(inputs, project_settings, blocks)
    assert len(calls) == 52 and set(calls) <= set(REGIMES)
    grid = project_settings.evaluation
    for pick in chosen:
        assert pick["entry"] in grid.drawdown_entry_grid and pick["exit"] in grid.drawdown_exit_grid
    assert (calls.loc["2008-10-03":"2008-11-21"] == "risk_off").all()  # the 2008 crash


def test_majority_peer_gives_training_frequencies_every_week():
    y = pd.Series(["neutral"] * 6 + ["risk_off"] * 2 + ["early_recovery"] * 2)
    weeks = pd.date_range("2001-01-05", periods=3, freq="W-FRI")
    proba = majority_proba(y, weeks)
    assert list(proba.columns) == list(REGIMES)
    assert proba.iloc[2].to_dict() == {
        "early_recovery": 0.2,
        "narrow_rally": 0.0,
        "neutral": 0.6,
        "risk_off": 0.2,
    }


def test_a_state_seen_half_with_each_of_two_regimes_gives_them_equal_probability():
    state_proba = np.array([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 3)
    labels = np.array(["neutral", "risk_off", "neutral", "risk_off"] + ["early_recovery"] * 3)
    given = regime_given_state(state_proba, labels)
    # Add-one smoothing: state 0 counts (0, 0, 2, 2) + 1 each; state 1 (3, 0, 0, 0) + 1 each.
    assert given[0].tolist() == pytest.approx([1 / 8, 1 / 8, 3 / 8, 3 / 8])
    assert given[1].tolist() == pytest.approx([4 / 7, 1 / 7, 1 / 7, 1 / 7])
    proba = label_proba(np.array([[1.0, 0.0], [0.5, 0.5]]), given, floor=0.0)
    assert proba.iloc[0]["neutral"] == proba.iloc[0]["risk_off"]
    assert proba.iloc[1].sum() == pytest.approx(1.0)
    assert proba.iloc[1]["early_recovery"] == pytest.approx(0.5 / 8 + 0.5 * 4 / 7)


def test_soft_maps_weigh_each_week_by_its_state_probability():
    given = regime_given_state(np.array([[0.75, 0.25]]), np.array(["risk_off"]))
    assert given[:, 3].tolist() == pytest.approx([1.75 / 4.75, 1.25 / 4.25])


def test_label_probabilities_respect_the_floor():
    given = np.array([[0.0, 0.0, 1.0, 0.0]])
    proba = label_proba(np.array([[1.0]]), given, floor=0.01)
    assert proba.iloc[0].sum() == pytest.approx(1.0)
    assert proba.iloc[0]["neutral"] == pytest.approx(1 / 1.03)
    assert proba.iloc[0]["risk_off"] == pytest.approx(0.01 / 1.03)


def test_the_fast_forward_filter_matches_the_log_space_recursion():
    rng = np.random.default_rng(SEED)
    start = np.array([0.5, 0.3, 0.2])
    transition = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.0, 0.2, 0.8]])
    loglik = rng.normal(0, 5, size=(200, 3))
    loglik[50] = [-2000.0, 0.0, -2000.0]  # far from the likely states: underflows when scaled
    found = forward_filter(start, transition, loglik)
    from scipy.special import logsumexp

    log_alpha = np.log(start) + loglik[0]
    expected = [log_alpha - logsumexp(log_alpha)]
    with np.errstate(divide="ignore"):
        log_trans = np.log(transition)
    for t in range(1, len(loglik)):
        log_alpha = logsumexp(expected[-1][:, None] + log_trans, axis=0) + loglik[t]
        expected.append(log_alpha - logsumexp(log_alpha))
    assert np.allclose(found, np.exp(np.array(expected)), atol=1e-10)
