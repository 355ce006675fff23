"""Peers: point in time (appending later weeks never changes a week's answer) and mapped by vote."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime.constants import REGIMES
from regime.evaluation.evaluate import peer_probabilities
from regime.evaluation.peers import FilteredGaussianHMM, FilteredMarkovSwitching, majority_proba
from regime.evaluation.peers.mapping import label_proba, states_to_labels
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
    assert sorted(model.state_labels_.values()) == ["neutral", "risk_off"]


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


def test_peers_on_real_data_ignore_data_after_the_block(
    embedded_dataset: Dataset, project_settings
):
    block = pd.date_range("2008-01-04", periods=8, freq="W-FRI")
    refit_on = block[0] - pd.Timedelta(days=7)
    end = block[-1]
    cut = Dataset(
        embedded_dataset.features.loc[:end],
        embedded_dataset.closes.loc[:end],
        embedded_dataset.labels.loc[:end],
    )
    full, full_maps = peer_probabilities(embedded_dataset, project_settings, block, refit_on)
    short, short_maps = peer_probabilities(cut, project_settings, block, refit_on)
    assert full_maps == short_maps
    for name in full:
        pd.testing.assert_frame_equal(full[name], short[name])


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


def test_states_take_the_majority_training_label_and_empty_states_the_overall_majority():
    states = np.array([0, 0, 0, 1, 1])
    labels = np.array(["risk_off", "risk_off", "neutral", "neutral", "neutral"])
    assert states_to_labels(states, labels, 3) == {0: "risk_off", 1: "neutral", 2: "neutral"}


def test_label_probabilities_sum_state_probabilities_and_respect_the_floor():
    proba = label_proba(np.array([[0.7, 0.3]]), {0: "neutral", 1: "neutral"}, floor=0.01)
    assert proba.iloc[0].sum() == pytest.approx(1.0)
    assert proba.iloc[0]["neutral"] == pytest.approx(1 / 1.03)
    assert proba.iloc[0]["risk_off"] == pytest.approx(0.01 / 1.03)
