"""Evaluation: our model against its peers on the same walk-forward weeks, over the whole span,
each sub-period and each bear market; the comparison with the best peer (block and episode
bootstraps), the ablation of the macro families; the outlook against its own peers and its
ablation; the allocation backtest driven by the probabilities; and the tables, saved file and
report that show them.

Reads models and predictions; never changes a model.
"""
