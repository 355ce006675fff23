"""The saved run of the pre-registered hypotheses (`benchmarks/hypotheses.py --save PATH`,
docs/macro/preregistration.md) read into each hypothesis's question, pass mark, verdict and
the differences the verdict rests on, with their intervals; `HypothesesRun.checked` adds
whether its fingerprint is this checkout's (hypotheses_fingerprint.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from regime.config import Settings
from regime.errors import ConfigError
from regime.evaluation.recession.fingerprint import (
    HYPOTHESES_FILE,
    PARTS,
    RERUN,
    SCRIPT,
    FingerprintStatus,
    hypotheses_fingerprint_status,
)
from regime.model.training_rows import Dataset

__all__ = [
    "HYPOTHESES_FILE",
    "PARTS",
    "RERUN",
    "SCRIPT",
    "Difference",
    "FingerprintStatus",
    "HypothesesRun",
    "HypothesisResult",
    "read_hypotheses",
]


@dataclass(frozen=True)
class Difference:
    """A headline difference: its point estimate and 95% intervals ({resampling: (low, high)});
    `points` when it is a difference of shares, shown in percentage points."""

    what: str
    estimate: float
    intervals: dict[str, tuple[float, float]]
    points: bool = False


@dataclass(frozen=True)
class HypothesisResult:
    """One hypothesis: what it tests, its pre-registered pass mark, the verdict the run gave,
    and the differences the verdict rests on (the first is the headline)."""

    name: str
    question: str
    pass_mark: str
    passed: bool
    differences: tuple[Difference, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HypothesesRun:
    """A saved run of the hypotheses; `status` once checked against a checkout (`checked`)."""

    path: Path
    results: tuple[HypothesisResult, ...]
    missing: tuple[str, ...]  # hypotheses the run did not hold
    fingerprint: dict[str, Any]
    status: FingerprintStatus | None = None

    def checked(
        self, dataset: Dataset, settings: Settings, root: Path | None = None
    ) -> HypothesesRun:
        """This run with its fingerprint compared to `dataset`, `settings` and `root`'s code."""
        status = hypotheses_fingerprint_status(self.fingerprint, dataset, settings, root)
        return replace(self, status=status)


QUESTIONS = {
    "H1": "P(recession) offered to the entry and exit gates as one family",
    "H2": "recession-aware exits: the exit gate told whether the bear is a recession bear",
    "H3": "leadership after lows: small caps beat large caps over the next 13 weeks, within "
    "52 weeks of a confirmed bear low",
    "H4": "near-term drawdown risk: P(the Russell 2000 closes 10% or more below this week's "
    "close within 13 weeks)",
}
PASS_MARKS = {
    "H1": "balanced accuracy, with minus without: episode-bootstrap lower bound above 0",
    "H2": "balanced accuracy in 2000-2012, with minus without: episode-bootstrap lower bound "
    "above 0, and the whole span's estimate not below 0",
    "H3": "Brier skill of with against without at 13 weeks: block-bootstrap lower bound above "
    "0, and with's Brier skill against climatology above 0",
    "H4": "Brier skill against climatology: lower bound above 0 (skill shown), and with macro "
    "against the state features alone: lower bound above 0 (macro helps)",
}


def read_hypotheses(path: Path) -> HypothesesRun:
    """The run saved at `path` (not yet checked against a checkout: see `checked`).

    ConfigError (one line: what is wrong and what to run) for a file that cannot be read or
    is not a run of benchmarks/hypotheses.py.
    """
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read the hypotheses' run {path}: {exc.strerror or exc}"
        ) from None
    except ValueError:
        raise ConfigError(f"{path} is not JSON; write it with `{RERUN}`") from None
    if not isinstance(saved, dict) or not isinstance(saved.get("fingerprint"), dict):
        raise ConfigError(f"{path} is not a saved run of {SCRIPT}; write one with `{RERUN}`")
    results = saved.get("results")
    results = results if isinstance(results, dict) else {}
    try:
        found = tuple(_RESULTS[name](results[name]) for name in _RESULTS if name in results)
    except (KeyError, TypeError, ValueError, StopIteration) as exc:
        raise ConfigError(
            f"{path} is not a run of this {SCRIPT} (no {exc}); re-run `{RERUN}`"
        ) from None
    missing = tuple(name for name in _RESULTS if name not in results)
    return HypothesesRun(path, found, missing, dict(saved["fingerprint"]))


def _interval(found: Mapping[str, Any]) -> tuple[float, float]:
    return (float(found["low"]), float(found["high"]))


def _gap(what: str, found: Mapping[str, Any]) -> Difference:
    """A with-minus-without difference of balanced accuracy (episode and block intervals)."""
    return Difference(
        what,
        float(found["estimate"]),
        {
            "episode": _interval(found["episode_bootstrap"]),
            "block": _interval(found["block_bootstrap"]),
        },
        points=True,
    )


def _skill(what: str, found: Mapping[str, Any]) -> Difference:
    return Difference(what, float(found["estimate"]), {"block": _interval(found)})


def _span(found: Mapping[str, Any]) -> str:
    return f"{found['span'][0][:4]}-{found['span'][1][:4]}"


def _h1(r: Mapping[str, Any]) -> HypothesisResult:
    whole = r["with_minus_without"]["balanced_accuracy"]
    shipped = r["with_minus_shipped"]["balanced_accuracy"]
    return HypothesisResult(
        "H1",
        QUESTIONS["H1"],
        PASS_MARKS["H1"],
        bool(r["pass"]),
        (
            _gap(f"balanced accuracy, with minus without, {_span(r)}", whole),
            _gap("balanced accuracy, with minus the shipped configuration", shipped),
        ),
        _chosen(r, "recession"),
    )


def _h2(r: Mapping[str, Any]) -> HypothesisResult:
    middle = next(p for p in r["periods"] if p["period"][0].startswith("2000"))
    return HypothesisResult(
        "H2",
        QUESTIONS["H2"],
        PASS_MARKS["H2"],
        bool(r["pass"]),
        (
            _gap("balanced accuracy, with minus without, 2000-2012", middle["difference"]),
            _gap(
                f"balanced accuracy, with minus without, {_span(r)}",
                r["with_minus_without"]["balanced_accuracy"],
            ),
            *_forced(r),
        ),
        _chosen(r, "recession_exit"),
    )


def _chosen(r: Mapping[str, Any], family: str) -> tuple[str, ...]:
    """How often the nested selection chose the family, per gate (runs that counted it)."""
    chosen = r.get("chosen_with")
    if not isinstance(chosen, dict):
        return ()
    counts = ", ".join(
        f"{gate} gate {int(chosen[gate].get(family, 0))}" for gate in ("entry", "exit")
    )
    return (f"refits at which the nested selection chose `{family}`: {counts}",)


def _forced(r: Mapping[str, Any]) -> tuple[Difference, ...]:
    """The exploratory arm (not pre-registered): the exit gate always given the family."""
    forced = r.get("exploratory_forced")
    if not isinstance(forced, dict):
        return ()
    found = forced["with_minus_without"]["balanced_accuracy"]
    what = "exploratory, not pre-registered: the exit gate always given it, whole span"
    return (_gap(what, found),)


def _h3(r: Mapping[str, Any]) -> HypothesisResult:
    primary, beside = r["13w"]["skill"], r["26w"]["skill"]
    return HypothesisResult(
        "H3",
        QUESTIONS["H3"],
        PASS_MARKS["H3"],
        bool(r["pass"]),
        (
            _skill("Brier skill, with against without, 13 weeks", primary["with vs without"]),
            _skill(
                "Brier skill, with against climatology, 13 weeks", primary["with vs climatology"]
            ),
            _skill("Brier skill, with against without, 26 weeks", beside["with vs without"]),
        ),
    )


def _h4(r: Mapping[str, Any]) -> HypothesisResult:
    skill = r["skill"]
    return HypothesisResult(
        "H4",
        QUESTIONS["H4"],
        PASS_MARKS["H4"],
        bool(r["pass"]),
        (
            _skill(
                "Brier skill, with macro against climatology",
                skill["nested_with_macro vs climatology"],
            ),
            _skill(
                "Brier skill, with macro against the state features alone",
                skill["nested_with_macro vs state_only"],
            ),
        ),
    )


_RESULTS = {"H1": _h1, "H2": _h2, "H3": _h3, "H4": _h4}
