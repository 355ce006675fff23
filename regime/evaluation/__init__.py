"""Evaluation: our model against its peers on the same walk-forward weeks, the block-bootstrap
comparison, the regime-timed allocation backtest, and the tables and report that show them.

Reads models and predictions; never changes a model.
"""
