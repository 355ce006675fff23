"""Does a saved run of the hypotheses describe this checkout? Its fingerprint, recomputed.

`benchmarks/hypotheses.py --save` stores `fingerprint`: `data` (regime.model.reuse.
data_fingerprint of the dataset), `config` (the settings' fingerprint) and `code` (sha256, first
24 hex digits, over benchmarks/hypotheses.py and then the source of every listed `modules`
entry, in that order: the script's `code_fingerprint`). `hypotheses_fingerprint_status`
recomputes each and names the parts that differ; tests and docs use it as the report does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regime.config import PACKAGE_DIR, Settings, bundled_root
from regime.model.reuse import data_fingerprint
from regime.model.training_rows import Dataset

# Both relative to the checkout (config.bundled_root()).
HYPOTHESES_FILE = Path("docs/macro/hypotheses.json")
SCRIPT = Path("benchmarks/hypotheses.py")
RERUN = f"python {SCRIPT} --save {HYPOTHESES_FILE}"
PARTS = ("data", "config", "code")


@dataclass(frozen=True)
class FingerprintStatus:
    """Which parts of a saved run's fingerprint differ from this checkout's (`differs`), and
    which could not be recomputed here (`unchecked`: e.g. the code, where the checkout's
    benchmarks/ is not installed)."""

    differs: tuple[str, ...]
    unchecked: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        return not self.differs and not self.unchecked

    def note(self) -> str | None:
        """One sentence for a reader when the results may not describe this checkout."""
        if self.differs:
            parts = " and ".join(self.differs)
            which = "fingerprints differ" if len(self.differs) > 1 else "fingerprint differs"
            return (
                f"these results are from an older run: its {parts} {which} from this "
                f"checkout's; re-run `{RERUN}`"
            )
        if self.unchecked:
            return (
                f"the run's {' and '.join(self.unchecked)} fingerprint could not be checked "
                f"here ({SCRIPT} is not installed); the results may be from an older run"
            )
        return None


def code_digest(modules: Sequence[str], script: Path) -> str | None:
    """The `code` fingerprint over `script` and `modules` (None: a file is missing)."""
    paths = [script, *(module_path(name) for name in modules)]
    digest = hashlib.sha256()
    for path in paths:
        if path is None or not path.is_file():
            return None
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def module_path(name: str) -> Path | None:
    """The source file of a `regime` module, found without importing it."""
    parts = name.split(".")
    if parts[0] != "regime":
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def hypotheses_fingerprint_status(
    fingerprint: Mapping[str, Any],
    dataset: Dataset,
    settings: Settings,
    root: Path | None = None,
) -> FingerprintStatus:
    """Compare a saved run's `fingerprint` with `dataset`, `settings` and the code in `root`
    (the checkout: config.bundled_root() by default)."""
    root = bundled_root() if root is None else root
    differs, unchecked = [], []
    if fingerprint.get("data") != data_fingerprint(dataset):
        differs.append("data")
    if fingerprint.get("config") != settings.fingerprint():
        differs.append("config")
    script = root / SCRIPT
    modules = fingerprint.get("modules")
    if not script.is_file():
        unchecked.append("code")
    elif not isinstance(modules, list) or fingerprint.get("code") != code_digest(modules, script):
        differs.append("code")
    return FingerprintStatus(tuple(differs), tuple(unchecked))
