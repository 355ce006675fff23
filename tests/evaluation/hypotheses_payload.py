"""A hand-built run of the hypotheses in `benchmarks/hypotheses.py --save`'s layout: H1 passes,
H2-H4 fail, with made-up figures (they test how a run is read and shown, not what it found)."""

from __future__ import annotations

from typing import Any

from regime.config import Settings, bundled_root
from regime.evaluation.recession.fingerprint import SCRIPT, code_digest
from regime.model.reuse import data_fingerprint
from regime.model.training_rows import Dataset

MODULES = ["regime", "regime.config", "regime.macro.nowcast"]


def interval(estimate: float, low: float, high: float) -> dict[str, float]:
    return {"estimate": estimate, "low": low, "high": high, "confidence": 0.95}


def gap(estimate: float, low: float, high: float) -> dict[str, Any]:
    return {
        "estimate": estimate,
        "episode_bootstrap": interval(estimate, low, high),
        "block_bootstrap": interval(estimate, low + 0.001, high - 0.001),
    }


def fingerprint(dataset: Dataset, settings: Settings) -> dict[str, Any]:
    """The fingerprint of this checkout, as the script would save it."""
    return {
        "data": data_fingerprint(dataset),
        "config": settings.fingerprint(),
        "code": code_digest(MODULES, bundled_root() / SCRIPT),
        "modules": MODULES,
    }


def payload(found: dict[str, Any]) -> dict[str, Any]:
    span = ["1985-01-04", "2026-08-14"]
    return {
        "fingerprint": found,
        "results": {
            "H1": {
                "pass": True,
                "span": span,
                "with_minus_without": {"balanced_accuracy": gap(0.0213, 0.0042, 0.0391)},
                "with_minus_shipped": {"balanced_accuracy": gap(0.0102, -0.008, 0.027)},
                "chosen_with": {"entry": {"recession": 7}, "exit": {"credit": 2}},
            },
            "H2": {
                "pass": False,
                "span": span,
                "periods": [
                    {"period": ["1985-01-04", "1999-12-31"], "difference": gap(0.0, 0.0, 0.0)},
                    {
                        "period": ["2000-01-07", "2012-12-28"],
                        "difference": gap(-0.011, -0.03, 0.01),
                    },
                ],
                "with_minus_without": {"balanced_accuracy": gap(-0.004, -0.012, 0.003)},
            },
            "H3": {
                "pass": False,
                "13w": {
                    "skill": {
                        "with vs without": interval(-0.0032, -0.0441, 0.0322),
                        "with vs climatology": interval(-0.2043, -0.3699, -0.0642),
                    }
                },
                "26w": {"skill": {"with vs without": interval(0.0818, 0.0201, 0.1534)}},
            },
            "H4": {
                "pass": False,
                "skill": {
                    "nested_with_macro vs climatology": interval(0.0049, -0.0818, 0.0953),
                    "nested_with_macro vs state_only": interval(0.0330, -0.0155, 0.0872),
                },
            },
        },
    }
