"""The prediction side of the macro stage: the nowcast's stored models, the answer they give,
and the macro backdrop a prediction carries.

A saved model carries the nowcast's final model (the choice made with everything dated on the
training's last week) and each walk-forward refit's model, as plain data. A week is answered
by the refit whose block holds it, so `--as-of` reads the nowcast a user had that week; the
training's last week and every later one by the final model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from regime.learning.calibration import Sigmoid
from regime.learning.logistic import gate_from_dict, gate_to_dict
from regime.macro.readings import FamilyReading


@dataclass(frozen=True)
class StoredNowcast:
    """One fitted nowcast and the weeks it answers: those after `start` (exclusive), or, for
    the final model, from `start` on."""

    start: pd.Timestamp
    families: tuple[str, ...]
    columns: tuple[str, ...]
    model: Any
    sigmoid: Sigmoid
    floor: float
    name: str

    def probability(self, features: pd.DataFrame) -> float:
        """P(recession) of the last row of `features` (missing inputs take training medians)."""
        X = features[list(self.columns)].to_numpy(dtype=float)[-1:]
        raw = np.clip(self.model.predict_proba(X)[:, -1], self.floor, 1 - self.floor)
        return float(self.sigmoid(raw)[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.date().isoformat(),
            "families": list(self.families),
            "columns": list(self.columns),
            "model": gate_to_dict(self.model),
            "sigmoid": list(self.sigmoid.as_tuple()),
            "floor": self.floor,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], name: str) -> StoredNowcast:
        """KeyError/ValueError/TypeError if `data` is malformed."""
        slope, intercept = (float(v) for v in data["sigmoid"])
        return cls(
            start=pd.Timestamp(data["start"]),
            families=tuple(str(f) for f in data["families"]),
            columns=tuple(str(c) for c in data["columns"]),
            model=gate_from_dict(data["model"]),
            sigmoid=Sigmoid(slope, intercept),
            floor=float(data["floor"]),
            name=name,
        )


@dataclass(frozen=True)
class StoredNowcasts:
    """The final nowcast and the walk-forward's, as a saved model holds them."""

    final: StoredNowcast
    walk_forward: tuple[StoredNowcast, ...]

    def for_week(self, week: pd.Timestamp) -> StoredNowcast | None:
        """The model that answers `week`; None before the walk-forward's first block."""
        if week >= self.final.start:
            return self.final
        for stored in reversed(self.walk_forward):
            if week > stored.start:
                return stored
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "final": self.final.to_dict(),
            "walk_forward": [m.to_dict() for m in self.walk_forward],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoredNowcasts:
        return cls(
            final=StoredNowcast.from_dict(data["final"], "final model"),
            walk_forward=tuple(
                StoredNowcast.from_dict(m, f"walk-forward refit {m['start']}")
                for m in data["walk_forward"]
            ),
        )


@dataclass(frozen=True)
class RecessionNowcast:
    """The week's P(recession), whether it is a recession call, and the nowcast's record.

    `record`: its out-of-sample AUROC, Brier score and Brier skill against climatology with a
    bootstrap interval, and `skill_shown` (see macro/record.py), from the model card.
    """

    probability: float
    call: bool
    threshold: float
    families: tuple[str, ...]
    fitted: str
    record: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MacroBackdrop:
    """The macro side of a prediction: the recession nowcast and each family's reading."""

    recession: RecessionNowcast | None
    families: tuple[FamilyReading, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only."""
        return {
            "recession": None if self.recession is None else _plain(asdict(self.recession)),
            "families": [reading.to_dict() for reading in self.families],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def recession_nowcast(
    stored: StoredNowcasts,
    features: pd.DataFrame,
    week: pd.Timestamp,
    threshold: float,
    record: dict[str, Any] | None = None,
) -> RecessionNowcast | None:
    """The week's P(recession) from the model that answers it (None before the nowcast's
    walk-forward, or when the week has no row of inputs)."""
    model = stored.for_week(week)
    if model is None or week not in features.index:
        return None
    probability = model.probability(features.loc[:week])
    return RecessionNowcast(
        probability=probability,
        call=probability >= threshold,
        threshold=threshold,
        families=model.families,
        fitted=model.name,
        record=dict(record or {}),
    )
