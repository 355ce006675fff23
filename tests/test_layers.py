"""The package layout is the pipeline: a stage imports only the foundation and earlier stages.

Read from the source with `ast`, so every import counts: top-level, inside a function, or only
for type checkers. The package's own `__init__.py` is the public facade and may name any stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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
