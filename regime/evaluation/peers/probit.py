"""The term-spread probit: the New York Fed's recession model, pointed at small-cap bear markets.

The NY Fed gives P(recession in 12 months) = Phi(a + b * spread), the 10-year minus 3-month
Treasury spread a year earlier. Here the event is "this week is risk_off" and the spread is the
`term_spread` feature `probit_lag_weeks` before the week, so every input of a week was public
well before it. a and b are fitted by maximum likelihood (statsmodels' Probit) at each refit on
the weeks whose labels are final then; the rest of the probability goes to the label the
rulebook already knows for a week outside a bear, as for our model.

Examples
--------
>>> import numpy as np, pandas as pd
>>> spread = pd.Series(np.r_[np.full(40, 2.0), np.full(20, -0.5)] + np.linspace(0, 0.1, 60))
>>> y = pd.Series(["neutral"] * 40 + ["risk_off"] * 15 + ["neutral"] * 5)
>>> model = TermSpreadProbit().fit(spread, y)
>>> bool(model.params_[1] < 0)  # an inverted curve warns of a bear market
True
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.discrete.discrete_model import Probit
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from regime.constants import RISK_OFF


class TermSpreadProbit:
    """P(risk_off) = Phi(a + b * x) with x the lagged spread; `fit(x, y)` on aligned weeks.

    Weeks whose x is missing are left out of the fit; their probability is the training share
    of risk_off weeks. With one outcome only in training, every probability is that share.
    """

    def __init__(self, event: Any = RISK_OFF) -> None:
        # The label that counts as the event: risk_off for the regime, 1 for a recession week.
        self.event = event

    def fit(self, lagged_spread: pd.Series, labels: pd.Series) -> TermSpreadProbit:
        x = lagged_spread.reindex(labels.index).to_numpy(dtype=float)
        y = (labels.to_numpy() == self.event).astype(float)
        known = ~np.isnan(x)
        self.base_rate_ = float(y.mean()) if len(y) else 0.0
        self.params_ = np.array([np.nan, np.nan])
        if known.sum() > 2 and 0 < y[known].mean() < 1:
            design = np.column_stack([np.ones(int(known.sum())), x[known]])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", PerfectSeparationWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                result = Probit(y[known], design).fit(disp=0)
            self.params_ = np.asarray(result.params, dtype=float)
        return self

    def risk_off_probability(self, lagged_spread: pd.Series) -> pd.Series:
        x = lagged_spread.to_numpy(dtype=float)
        if np.isnan(self.params_).any():
            p = np.full(len(x), self.base_rate_)
        else:
            p = norm.cdf(self.params_[0] + self.params_[1] * x)
            p = np.where(np.isnan(x), self.base_rate_, p)
        return pd.Series(p, index=lagged_spread.index, name=RISK_OFF)
