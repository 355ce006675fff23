"""What the outlook forecasts, and how a fitted outlook model's probabilities are read.

The prediction side of the outlook: no labels are needed here (model/outlook.py trains).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES

# "recession": the recession nowcast, an event of the week itself (scored like the outlook's).
Kind = Literal["regime", "leadership", "bear_start", "recession"]
EVENT_CLASSES = (0, 1)


@dataclass(frozen=True)
class Target:
    """One thing the outlook forecasts, `weeks` ahead."""

    kind: Kind
    weeks: int

    @property
    def name(self) -> str:
        return {
            "regime": f"regime_{self.weeks}w",
            "leadership": f"small_caps_lead_{self.weeks}w",
            "bear_start": f"bear_start_{self.weeks}w",
            "recession": "recession",
        }[self.kind]

    @property
    def classes(self) -> tuple[Any, ...]:
        return REGIMES if self.kind == "regime" else EVENT_CLASSES


def outlook_targets(settings: Settings) -> list[Target]:
    o = settings.outlook
    return [
        *(Target("regime", h) for h in o.horizons),
        Target("leadership", o.leadership_weeks),
        Target("bear_start", o.bear_start_weeks),
    ]


def outlook_proba(model: Any, X: pd.DataFrame, target: Target, floor: float) -> pd.DataFrame:
    """Probabilities of every class of `target` (floored and renormalised), indexed like X."""
    raw = np.asarray(model.predict_proba(X.to_numpy(dtype=float)), dtype=float)
    learned = list(getattr(model, "classes_", EVENT_CLASSES))
    out = np.zeros((len(X), len(target.classes)))
    for j, label in enumerate(target.classes):
        if label in learned:
            out[:, j] = raw[:, learned.index(label)]
    out = np.maximum(out, floor)
    return pd.DataFrame(out / out.sum(axis=1, keepdims=True), index=X.index, columns=target.classes)
