"""A Gaussian hidden Markov model on the features, read with the forward filter only.

hmmlearn's `predict_proba` runs forward-backward: the probability it gives a week depends on
later weeks. Here the state probabilities of row t come from the forward recursion over rows up
to t, so appending rows never changes earlier answers.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from hmmlearn.hmm import GaussianHMM
from scipy.special import logsumexp

from regime.evaluation.peers.mapping import label_proba, states_to_labels


class FilteredGaussianHMM:
    """Unsupervised regimes from features; states named after training labels by majority vote.

    `fit(X, y)`: X is the feature history up to the refit date (NaN allowed: imputed with the
    training medians, then standardised with training statistics); y holds the training labels
    of some of those weeks. `predict_proba(X)` gives filtered regime probabilities per row of X,
    which must start on the same week as the X given to `fit`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"f": np.r_[rng.normal(-2, 1, 60), rng.normal(2, 1, 60)]})
    >>> y = pd.Series(["neutral"] * 60 + ["risk_off"] * 60)
    >>> model = FilteredGaussianHMM(n_states=2).fit(X, y)
    >>> model.predict_proba(X).idxmax(axis=1).iloc[[0, -1]].tolist()
    ['neutral', 'risk_off']
    """

    def __init__(
        self, n_states: int = 4, n_iter: int = 100, random_state: int = 0, min_proba: float = 0.0
    ) -> None:
        self.n_states = n_states
        self.n_iter = n_iter
        self.random_state = random_state
        self.min_proba = min_proba

    def fit(self, X: pd.DataFrame, y: pd.Series) -> FilteredGaussianHMM:
        values = X.to_numpy(dtype=float)
        medians = np.nanmedian(values, axis=0)
        self.medians_ = np.where(np.isnan(medians), 0.0, medians)
        filled = np.where(np.isnan(values), self.medians_, values)
        self.mean_ = filled.mean(axis=0)
        std = filled.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        self.hmm_ = GaussianHMM(
            n_components=self.n_states,
            covariance_type="diag",
            n_iter=self.n_iter,
            random_state=self.random_state,
        )
        # hmmlearn reports slow convergence through logging; a peer's EM is not worth a warning.
        logger = logging.getLogger("hmmlearn")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            self.hmm_.fit(self._standardise(X))
        finally:
            logger.setLevel(level)
        states = self.filtered_state_proba(X).argmax(axis=1)
        trained = np.asarray(X.index.isin(y.index))
        self.state_labels_ = states_to_labels(
            states[trained], y.reindex(X.index[trained]).to_numpy(), self.n_states
        )
        return self

    def _standardise(self, X: pd.DataFrame) -> np.ndarray:
        values = X.to_numpy(dtype=float)
        return (np.where(np.isnan(values), self.medians_, values) - self.mean_) / self.scale_

    def filtered_state_proba(self, X: pd.DataFrame) -> np.ndarray:
        """P(state at row t | rows 0..t), by the forward recursion in log space."""
        loglik = self.hmm_._compute_log_likelihood(self._standardise(X))
        log_trans = np.log(np.maximum(self.hmm_.transmat_, 1e-300))
        out = np.empty_like(loglik)
        log_alpha = np.log(np.maximum(self.hmm_.startprob_, 1e-300)) + loglik[0]
        out[0] = log_alpha - logsumexp(log_alpha)
        for t in range(1, len(loglik)):
            log_alpha = logsumexp(out[t - 1][:, None] + log_trans, axis=0) + loglik[t]
            out[t] = log_alpha - logsumexp(log_alpha)
        return np.exp(out)

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        proba = label_proba(self.filtered_state_proba(X), self.state_labels_, self.min_proba)
        return proba.set_axis(X.index)
