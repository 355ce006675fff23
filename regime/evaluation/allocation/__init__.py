"""The allocation backtest: weights from the probabilities, total returns, costs, and the
policy chosen walk-forward; its performance figures and tables."""
