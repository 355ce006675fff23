"""Peers our model is judged against: simple, well-known alternatives scored on the same weeks.

Each peer is refitted at the same refit dates as our model, learns only from what was known
then, and produces probabilities for a week from data up to that week only.
"""

from regime.evaluation.peers.drawdown import DrawdownRebound, drawdown_rebound
from regime.evaluation.peers.hmm import FilteredGaussianHMM
from regime.evaluation.peers.majority import majority_proba
from regime.evaluation.peers.markov import FilteredMarkovSwitching
from regime.evaluation.peers.probit import TermSpreadProbit

__all__ = [
    "DrawdownRebound",
    "FilteredGaussianHMM",
    "FilteredMarkovSwitching",
    "TermSpreadProbit",
    "drawdown_rebound",
    "majority_proba",
]
