"""The saved run of the hypotheses (H1-H4) as the Markdown the results page quotes.

docs/macro/results.md holds this rendering between `BEGIN` and `END`; a test re-renders it from
the committed run and fails when the page no longer matches, so no figure on the page is typed
by hand. `python -m regime.evaluation.recession.hypotheses_markdown` prints it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from regime.config import bundled_root
from regime.evaluation.recession.hypotheses import (
    HYPOTHESES_FILE,
    Difference,
    HypothesesRun,
    read_hypotheses,
)

BEGIN = "<!-- hypotheses: begin (rendered from docs/macro/hypotheses.json; do not edit) -->"
END = "<!-- hypotheses: end -->"


def hypotheses_markdown(run: HypothesesRun, saved: Mapping[str, Any]) -> str:
    """The verdict table, then for H1 and H2 the difference in each sub-period and each bear
    market. `saved` is the run's JSON, for the tables `HypothesesRun` does not keep."""
    lines = [
        "| test | question | pass mark | verdict | what the verdict rests on (95% intervals) |",
        "|---|---|---|---|---|",
    ]
    for result in run.results:
        rests = "; ".join(_difference(d) for d in result.differences)
        notes = "".join(f"<br>{note}" for note in result.notes)
        verdict = "**pass**" if result.passed else "**fail**"
        lines.append(
            f"| {result.name} | {result.question} | {result.pass_mark} | {verdict} "
            f"| {rests}{notes} |"
        )
    results = saved.get("results", {})
    for name in ("H1", "H2"):
        if name in results:
            lines += ["", *_episodes(name, results[name])]
    return "\n".join(lines) + "\n"


def _difference(d: Difference) -> str:
    scale, unit = (100.0, " points") if d.points else (1.0, "")
    intervals = ", ".join(
        f"{kind} [{low * scale:+.{_digits(d)}f}, {high * scale:+.{_digits(d)}f}]"
        for kind, (low, high) in d.intervals.items()
    )
    return f"{d.what}: {d.estimate * scale:+.{_digits(d)}f}{unit} ({intervals})"


def _digits(d: Difference) -> int:
    return 1 if d.points else 3


def _episodes(name: str, result: Mapping[str, Any]) -> list[str]:
    """Balanced accuracy with and without the family per sub-period, and each bear market's
    first risk_off call."""
    out = [
        f"{name}, balanced accuracy by sub-period (with minus without, in points, with its "
        "episode- and block-bootstrap 95% intervals):",
        "",
        "| period | bear markets | with | without | difference | episode | block |",
        "|---|---|---|---|---|---|---|",
    ]
    for period in result.get("periods", []):
        d = period["difference"]
        out.append(
            f"| {period['period'][0][:4]}-{period['period'][1][:4]} | {period['bear_markets']} "
            f"| {period['with']:.3f} | {period['without']:.3f} | {d['estimate'] * 100:+.1f} "
            f"| {_points(d['episode_bootstrap'])} | {_points(d['block_bootstrap'])} |"
        )
    bears = result.get("per_bear", [])
    if bears:
        out += [
            "",
            f"{name}, each bear market: weeks from its peak to the first risk_off call "
            "(with / without / shipped; - when never called), and weeks called risk_off "
            "(with / without):",
            "",
            "| bear market | weeks | lag | weeks called |",
            "|---|---|---|---|",
        ]
        out += [_bear_row(bear) for bear in bears]
    return out


def _points(interval: Mapping[str, Any]) -> str:
    return f"[{interval['low'] * 100:+.1f}, {interval['high'] * 100:+.1f}]"


def _bear_row(bear: Mapping[str, Any]) -> str:
    models = bear["models"]
    arms = ("with", "without", "shipped")
    lags = " / ".join(_count(models[arm].get("lag_weeks")) for arm in arms)
    flagged = " / ".join(_count(models[arm].get("weeks_flagged")) for arm in ("with", "without"))
    return f"| {bear['peak']} to {bear['trough']} | {bear['weeks']} | {lags} | {flagged} |"


def _count(value: Any) -> str:
    return "-" if value is None else str(value)


def main() -> None:
    path = bundled_root() / HYPOTHESES_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    sys.stdout.write(hypotheses_markdown(read_hypotheses(path), saved))


if __name__ == "__main__":
    main()
