"""A two-regime (by default) Markov-switching model of weekly RUT-minus-SPX returns.

statsmodels' MarkovRegression is fitted on training returns; for later weeks the Hamilton filter
is re-run with those fixed parameters, so a week's probabilities use returns up to it only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from regime.evaluation.peers.mapping import label_proba, regime_given_state

# Weekly returns in percent: the optimiser is better conditioned than on fractions.
_SCALE = 100.0


class FilteredMarkovSwitching:
    """Regimes of relative returns with switching mean and variance, read with the filter only.

    `fit(returns, y)`: weekly relative returns up to the refit date and the training labels of
    some of those weeks. `predict_proba(returns)` must start on the same week as the returns
    given to `fit`.
    """

    def __init__(self, k_regimes: int = 2, min_proba: float = 0.0) -> None:
        self.k_regimes = k_regimes
        self.min_proba = min_proba

    def fit(self, returns: pd.Series, y: pd.Series) -> FilteredMarkovSwitching:
        model = self._model(returns)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            # Only the parameters: their covariance (a numerical Hessian) is never used.
            self.params_ = np.asarray(model.fit(disp=False, return_params=True))
        trained = np.asarray(returns.index.isin(y.index))
        self.regime_given_state_ = regime_given_state(
            self.filtered_state_proba(returns)[trained],
            y.reindex(returns.index[trained]).to_numpy(),
        )
        return self

    def _model(self, returns: pd.Series) -> MarkovRegression:
        # A plain array: a dated index only earns statsmodels' frequency warnings here.
        endog = returns.to_numpy(dtype=float) * _SCALE
        return MarkovRegression(endog, k_regimes=self.k_regimes, switching_variance=True)

    def filtered_state_proba(self, returns: pd.Series) -> np.ndarray:
        """P(regime at week t | returns up to t), with the fitted parameters held fixed."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = self._model(returns).filter(self.params_)
        return np.asarray(result.filtered_marginal_probabilities)

    def predict_proba(self, returns: pd.Series) -> pd.DataFrame:
        state_proba = self.filtered_state_proba(returns)
        proba = label_proba(state_proba, self.regime_given_state_, self.min_proba)
        return proba.set_axis(returns.index)
