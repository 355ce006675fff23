"""Old import paths of the modules that moved into evaluation's sub-packages (one release).

`import regime.evaluation.outlook_scores` still works: it warns (DeprecationWarning) and gives a
module holding the new module's own names (the same classes and functions), so nothing is
loaded twice and `isinstance` checks hold across the two paths.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

# old name -> new name, under regime.evaluation
MOVED = {
    "ablation": "calls.ablation",
    "compare": "calls.compare",
    "episodes": "calls.episodes",
    "periods": "calls.periods",
    "tables": "calls.tables",
    "peer_refits": "peers.refits",
    "outlook_evaluation": "outlook.evaluation",
    "outlook_peers": "outlook.peers",
    "outlook_scores": "outlook.scores",
    "outlook_tables": "outlook.tables",
    "allocation_tables": "allocation.tables",
    "backtest": "allocation.backtest",
    "performance": "allocation.performance",
    "simulation": "allocation.simulation",
    "recession_tables": "recession.tables",
    "hypotheses": "recession.hypotheses",
    "hypotheses_fingerprint": "recession.fingerprint",
}
# `allocation` and `recession` were modules and are now packages of the same name: their old
# contents live in `allocation.signals` and `recession.evaluation` (imported from there).
PACKAGE = "regime.evaluation"


class MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old names, loads them as the new modules, with a DeprecationWarning."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        old = fullname.removeprefix(f"{PACKAGE}.")
        if fullname.startswith(f"{PACKAGE}.") and old in MOVED:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # a plain module, filled in by exec_module

    def exec_module(self, module: ModuleType) -> None:
        old = module.__name__.removeprefix(f"{PACKAGE}.")
        new = f"{PACKAGE}.{MOVED[old]}"
        warnings.warn(
            f"{module.__name__} moved to {new}; the old path goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        target = importlib.import_module(new)
        # The same objects under the old name: classes and functions are the new module's own.
        module.__dict__.update({k: v for k, v in vars(target).items() if not k.startswith("__")})


def install() -> None:
    if not any(isinstance(finder, MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(MovedModules())
