"""Evaluation: our model against its peers on the same walk-forward weeks, over the whole span,
each sub-period and each bear market; the comparison with the best peer (block and episode
bootstraps), the ablation of the macro families; the outlook against its own peers and its
ablation; the allocation backtest driven by the probabilities; and the tables, saved file and
report that show them.

Laid out by question: `calls/` (the regime call), `recession/` (the nowcast and macro's place
in the call), `outlook/`, `allocation/`, `peers/` (the peers' models and refits), `report/`;
`evaluate.py` runs them all, `saved.py` writes the result, `summary.py` holds shared tables.
Modules that lived at this folder's root keep their old import path for one release
(_moved.py).

Reads models and predictions; never changes a model.
"""

from regime.evaluation._moved import install as _keep_old_import_paths

_keep_old_import_paths()
