"""What a saved evaluation was computed from, and whether it still describes this checkout.

`regime evaluate --save` stores three fingerprints in `made_with` beside `config_hash` (the
learning settings' fingerprint):

- `data_fingerprint`: regime.model.reuse.data_fingerprint of the dataset the evaluation scored;
- `code_fingerprint`: sha256 (first 24 hex digits) over the source of every module named in
  `code_modules`, in that order;
- `code_modules`: the modules the evaluation's figures follow from: every module of the package
  but the command line, the report's page and the scheduled job, which only show or record
  figures (`PRESENTATION`).

`saved_status` recomputes each fingerprint and names those that differ. The docs quote their
figures from a committed saved evaluation (`DOCS_EVALUATION`); tests/docs fail, naming
`REGENERATE`, when it is stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regime.config import PACKAGE_DIR, Settings
from regime.evaluation.recession.fingerprint import module_path
from regime.model.reuse import data_fingerprint
from regime.model.training_rows import Dataset

# Packages that present or record figures without computing them.
PRESENTATION = ("regime.cli", "regime.evaluation.report", "regime.job")
# Relative to the checkout (config.bundled_root()).
DOCS_EVALUATION = Path("docs/evaluation.json")
# Cold (an empty cache: the walk-forward is computed, and no fetched data is laid over the
# snapshot), on the day the docs' figures were first quoted (the evaluation reads no clock;
# the day only keeps the staleness warning the same).
REGENERATE = (
    f'REGIME_TODAY=2026-12-04 XDG_CACHE_HOME="$(mktemp -d)" '
    f"regime evaluate --quiet --save {DOCS_EVALUATION}"
)
PARTS = ("config", "data", "code")


def code_modules() -> list[str]:
    """Every module of the package whose source can change a figure, sorted by name."""
    names = []
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not any(name == p or name.startswith(p + ".") for p in PRESENTATION):
            names.append(name)
    return sorted(names)


def code_digest(modules: Sequence[str]) -> str | None:
    """The code fingerprint over `modules`' sources (None: one of them no longer exists)."""
    digest = hashlib.sha256()
    for name in modules:
        path = module_path(name)
        if path is None:
            return None
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def fingerprints(dataset: Dataset) -> dict[str, Any]:
    """The `made_with` entries of an evaluation of `dataset` made by this code."""
    modules = code_modules()
    return {
        "data_fingerprint": data_fingerprint(dataset),
        "code_fingerprint": code_digest(modules),
        "code_modules": modules,
    }


@dataclass(frozen=True)
class SavedStatus:
    """The parts (`config`, `data`, `code`) whose fingerprint differs from this checkout's;
    a part a saved file does not record (an older file) counts as differing."""

    differs: tuple[str, ...]

    @property
    def current(self) -> bool:
        return not self.differs

    def note(self, path: Path | str = DOCS_EVALUATION) -> str | None:
        """One line saying what is stale and the command that makes `path` again."""
        if not self.differs:
            return None
        parts = " and ".join(self.differs)
        which = "fingerprints differ" if len(self.differs) > 1 else "fingerprint differs"
        rerun = REGENERATE.replace(str(DOCS_EVALUATION), str(path))
        return (
            f"{path} is stale: its {parts} {which} from this checkout's; regenerate it "
            f"(minutes) with `{rerun}`"
        )


def saved_status(made_with: Mapping[str, Any], dataset: Dataset, settings: Settings) -> SavedStatus:
    """Compare a saved evaluation's `made_with` with `dataset`, `settings` and this code."""
    differs = []
    if made_with.get("config_hash") != settings.fingerprint():
        differs.append("config")
    if made_with.get("data_fingerprint") != data_fingerprint(dataset):
        differs.append("data")
    modules = code_modules()  # a module added or removed since changes the code too
    code = made_with.get("code_fingerprint")
    if made_with.get("code_modules") != modules or code != code_digest(modules):
        differs.append("code")
    return SavedStatus(tuple(differs))
