"""The package layout is the pipeline: a stage imports only the foundation and earlier stages.

Read from the source with `ast`, so every import counts: top-level, inside a function, or only
for type checkers. The package's own `__init__.py` is the public facade and may name any stage.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

from regime.evaluation._moved import MOVED

PACKAGE = Path(__file__).resolve().parents[1] / "regime"

# In data-flow order; a module may import from its own stage and the ones before it.
STAGES = (
    "sources",
    "rulebook",
    "features",
    "learning",
    "labels",
    "macro",
    "model",
    "evaluation",
    "job",
    "cli",
)
# Modules at the root that every stage may use and that import no stage.
FOUNDATION = (
    "atomic",
    "bootstrap",
    "clock",
    "config",
    "constants",
    "errors",
    "freshness",
    "logging_setup",
    "metrics",
    "workers",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if path != PACKAGE / "__init__.py"
}


def imported_modules(name: str) -> set[str]:
    """Every `regime` module `name` imports, anywhere in its source."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    is_package = MODULES[name].name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    # Importing a module runs its packages' __init__ first.
    found |= {".".join(m.split(".")[:i]) for m in found for i in range(2, m.count(".") + 1)}
    return {m for m in found if m in MODULES or m == "regime"} - {name}


def layer(module: str) -> int:
    """0 for the foundation, 1.. for the stages in order; the facade `regime` comes last."""
    parts = module.split(".")
    if len(parts) == 1:
        return len(STAGES) + 1
    top = parts[1]
    if top in FOUNDATION:
        return 0
    return STAGES.index(top) + 1


def test_every_module_is_in_a_stage_or_the_foundation():
    unplaced = [m for m in MODULES if m.split(".")[1] not in (*STAGES, *FOUNDATION)]
    assert unplaced == [], "add new modules to a stage folder, or to FOUNDATION if they are one"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_later_stage(module):
    upward = sorted(m for m in imported_modules(module) if layer(m) > layer(module))
    assert upward == [], f"{module} imports from a later stage"


def test_prediction_never_imports_the_labels():
    seen, todo = set(), ["regime.model.predict"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(imported_modules(module) - {"regime"})
    assert "regime.model.predict" in seen and "regime.features.table" in seen
    assert sorted(m for m in seen if m.startswith("regime.labels")) == []


# Inside evaluation, by question, each part importing only the ones before it: the shared tables,
# the peers, the regime call, the outlook, the recession nowcast, the allocation, then what runs
# and saves them all (with what a saved evaluation was computed from), then the report that
# shows them.
EVALUATION_PARTS = (
    "_moved",
    "summary",
    "peers",
    "calls",
    "outlook",
    "recession",
    "allocation",
    "evaluate",
    "provenance",
    "saved",
    "report",
)
EVALUATION = sorted(m for m in MODULES if m.startswith("regime.evaluation."))


def evaluation_part(module: str) -> int:
    return EVALUATION_PARTS.index(module.split(".")[2])


def test_evaluation_is_laid_out_by_question():
    folders = {p.name for p in (PACKAGE / "evaluation").iterdir() if p.is_dir()} - {"__pycache__"}
    assert folders == {"calls", "recession", "outlook", "allocation", "peers", "report"}
    assert {m.split(".")[2] for m in EVALUATION} <= set(EVALUATION_PARTS)


@pytest.mark.parametrize("module", EVALUATION)
def test_no_part_of_evaluation_imports_a_later_one(module):
    inner = [m for m in imported_modules(module) if m.startswith("regime.evaluation.")]
    later = sorted(m for m in inner if evaluation_part(m) > evaluation_part(module))
    assert later == [], f"{module} imports a later part of evaluation"


@pytest.mark.parametrize(
    "old", sorted(__import__("regime.evaluation._moved").evaluation._moved.MOVED)
)
def test_a_moved_modules_old_path_still_imports_with_a_deprecation_warning(old):

    sys.modules.pop(f"regime.evaluation.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"regime.evaluation.{old} moved to"):
        alias = importlib.import_module(f"regime.evaluation.{old}")
    target = importlib.import_module(f"regime.evaluation.{MOVED[old]}")
    public = [name for name in vars(target) if not name.startswith("_")]
    assert public and all(getattr(alias, name) is getattr(target, name) for name in public)
