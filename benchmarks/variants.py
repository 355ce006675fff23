"""The nowcast walk-forward under other settings: what the headline model was chosen over.

    python benchmarks/variants.py [NAME ...]

Each variant changes the settings the nested selection works with (never the judged weeks) and
runs the whole walk-forward on the embedded data; printed are balanced accuracy over the judged
weeks and each sub-period of `evaluation.periods`, next to the real-time rulebook, and the
nowcast gate's log loss and ECE. Without names, every variant runs (several minutes each on two
cores). These are the figures the README quotes under "What lost".
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

import pandas as pd

from regime.config import Settings, load_settings
from regime.constants import REGIMES
from regime.metrics import classification_scores
from regime.model.training_rows import Dataset
from regime.model.walk_forward import rulebook_realtime, walk_forward
from regime.sources.market_data import load_market_data


def model_with(**changes: object) -> Callable[[Settings], Settings]:
    def apply(settings: Settings) -> Settings:
        return settings.model_copy(update={"model": settings.model.model_copy(update=changes)})

    return apply


VARIANTS: dict[str, tuple[str, Callable[[Settings], Settings]]] = {
    "headline": ("the default config: every choice nested", lambda s: s),
    "no_pooling": ("gates learn from the Russell 2000 alone", model_with(pool_from=())),
    "pool_1950": ("pooled indices from 1950 only", model_with(pool_from=(date(1950, 1, 1),))),
    "pool_1928": ("pooled indices from 1928 only", model_with(pool_from=(date(1928, 1, 1),))),
    "balanced_only": ("the balanced rule, never chosen", model_with(decision=("balanced",))),
    "argmax_only": ("the most probable regime, never chosen", model_with(decision=("argmax",))),
    "hysteresis_only": (
        "balanced with hysteresis 1.5, never chosen",
        model_with(decision=("balanced_hysteresis",)),
    ),
    "sigmoid_always": ("every gate recalibrated (Platt)", model_with(calibration=("sigmoid",))),
    "fixed_state_only": (
        "no selection: state features, C 0.3, balanced, pooled from 1950",
        model_with(selection="fixed"),
    ),
    "fixed_all_macro": (
        "no selection: state + all four macro families",
        lambda s: model_with(
            selection="fixed",
            fixed=s.model.fixed.model_copy(update={"families": tuple(s.model.families)}),
        )(s),
    ),
}


def scores(dataset: Dataset, settings: Settings) -> list[str]:
    run = walk_forward(dataset, settings)
    predictions = run.predictions(dataset, settings)
    cells = []
    spans = [(None, None), *settings.evaluation.periods]
    for i, (first, last) in enumerate(spans):
        part = predictions.loc[pd.Timestamp(first or "1900") : pd.Timestamp(last or "2200")]
        ours = classification_scores(
            part["label"], part["predicted"], part[[f"p_{r}" for r in REGIMES]]
        )
        rules = classification_scores(part["label"], rulebook_realtime(dataset, part.index))
        cells.append(f"{ours['balanced_accuracy']:.3f}/{rules['balanced_accuracy']:.3f}")
        if i == 0:
            cells.append(f"{ours['log_loss']:.3f}")
            cells.append(f"{ours['ece']:.3f}")
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *VARIANTS], help="variants to run")
    names = parser.parse_args().names or list(VARIANTS)
    base = load_settings()
    data = load_market_data(base)
    header = ["variant", "bal.acc/rulebook", "log loss", "ECE", "to 1999", "2000-12", "2013-"]
    print(" | ".join(header))
    for name in names:
        note, change = VARIANTS[name]
        settings = change(base)
        started = time.perf_counter()
        cells = scores(Dataset.build(data, settings), settings)
        took = time.perf_counter() - started
        print(" | ".join([name, *cells]) + f"   ({note}; {took:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
