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

from regime.evaluation.peers.mapping import label_proba, regime_given_state


class FilteredGaussianHMM:
    """Unsupervised regimes from features, mapped softly to the regimes (see mapping.py).

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
        trained = np.asarray(X.index.isin(y.index))
        self.regime_given_state_ = regime_given_state(
            self.filtered_state_proba(X)[trained], y.reindex(X.index[trained]).to_numpy()
        )
        return self

    def _standardise(self, X: pd.DataFrame) -> np.ndarray:
        values = X.to_numpy(dtype=float)
        return (np.where(np.isnan(values), self.medians_, values) - self.mean_) / self.scale_

    def filtered_state_proba(self, X: pd.DataFrame) -> np.ndarray:
        """P(state at row t | rows 0..t), by the forward recursion."""
        loglik = self.hmm_._compute_log_likelihood(self._standardise(X))
        return forward_filter(self.hmm_.startprob_, self.hmm_.transmat_, loglik)

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        return self.proba_of_states(pd.DataFrame(self.filtered_state_proba(X), index=X.index))

    def proba_of_states(self, states: pd.DataFrame) -> pd.DataFrame:
        """Regime probabilities from filtered state probabilities (rows of `states`)."""
        proba = label_proba(states.to_numpy(), self.regime_given_state_, self.min_proba)
        return proba.set_axis(states.index)


def forward_filter(start: np.ndarray, transition: np.ndarray, loglik: np.ndarray) -> np.ndarray:
    """Filtered state probabilities P(state_t | rows 0..t) of an HMM, row by row.

    Normalised probabilities with each row's likelihoods scaled by their maximum (fast); a row
    where that underflows (every state's weight rounds to 0) is redone in log space (exact).
    """
    emission = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    log_trans = np.log(np.maximum(transition, 1e-300))
    out = np.empty_like(loglik)
    previous: np.ndarray | None = None
    for t in range(len(loglik)):
        prior = start if previous is None else previous @ transition
        alpha = prior * emission[t]
        total = alpha.sum()
        if total > 1e-250 and np.isfinite(total):
            out[t] = alpha / total
        else:
            log_prior = (
                np.log(np.maximum(start, 1e-300))
                if previous is None
                else logsumexp(np.log(np.maximum(previous, 1e-300))[:, None] + log_trans, axis=0)
            )
            log_alpha = log_prior + loglik[t]
            out[t] = np.exp(log_alpha - logsumexp(log_alpha))
        previous = out[t]
    return out
