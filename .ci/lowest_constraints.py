"""Print pip constraints pinning every dependency pyproject.toml declares to its lower bound.

`.ci/run` installs the project with these into a second virtual environment and runs the fast
tests there, so a `>=` bound that no longer works fails CI instead of a user's install. Run
with any Python 3.11+ (only the standard library): `python .ci/lowest_constraints.py`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# The static checks run in CI's first step with the versions it resolves; pinning the
# checkers' oldest releases would test the checkers, not regime.
NOT_PINNED = {"mypy", "ruff", "types-pyyaml"}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def lower_bounds(pyproject: dict) -> dict[str, str]:
    """{distribution name: its `>=` bound} over the dependencies and every extra."""
    project = pyproject["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    bounds: dict[str, str] = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement.split(";")[0])
        if match is None:
            raise SystemExit(f"cannot read the requirement {requirement!r}")
        name, _extras, spec = match.groups()
        key = name.lower().replace("_", "-")
        if key == project["name"] or key in NOT_PINNED:
            continue  # the project's own extras, or a checker
        lowest = re.search(r">=\s*([^,\s]+)", spec)
        if lowest is None:
            raise SystemExit(f"{requirement!r} has no >= lower bound to test")
        bounds[key] = lowest[1]
    return bounds


def main() -> None:
    bounds = lower_bounds(tomllib.loads(PYPROJECT.read_text(encoding="utf-8")))
    sys.stdout.write("".join(f"{name}=={version}\n" for name, version in sorted(bounds.items())))


if __name__ == "__main__":
    main()
