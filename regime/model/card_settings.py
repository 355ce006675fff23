"""The settings a saved model was trained with, and how they differ from today's config.

A model keeps the learning settings of its card (features, labels, model, walk-forward, ...):
features must be rebuilt exactly as at training. When config.yaml has been edited since, the
model still answers with its own settings, and `differences` names every key that changed, so
`predict` and `run` can say that a retrain would use the new ones.
"""

from __future__ import annotations

import json
from typing import Any

from regime.config import LEARNING_SECTIONS, Settings
from regime.errors import ModelArtifactError

SHOWN_KEYS = 6  # a one-line warning names this many keys, then counts the rest


def settings_of_card(card: dict[str, Any], current: Settings) -> Settings:
    """The settings a model was trained with, reading data from where `current` says."""
    try:
        carried = current.model_dump(exclude=set(LEARNING_SECTIONS) | {"source_path"})
        trained = Settings.model_validate(
            {**carried, **card["config"], "source_path": current.source_path}
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelArtifactError(f"model card settings are unreadable ({exc}); retrain") from None
    # How old a predicted week may be is the user's call, not the model's: it is not in cards.
    limits = trained.max_staleness_days.model_copy(update={"week": current.max_staleness_days.week})
    return trained.model_copy(update={"max_staleness_days": limits})


def differences(trained: Settings, current: Settings) -> tuple[str, ...]:
    """`key: model <value>, config <value>` for every learning setting that differs, in the
    order of the settings (dotted keys; a list is one value)."""
    model_side = _leaves(trained.learning_settings())
    config_side = _leaves(current.learning_settings())
    keys = list(dict.fromkeys([*model_side, *config_side]))
    return tuple(
        f"{key}: model {_shown(model_side.get(key, _ABSENT))}, "
        f"config {_shown(config_side.get(key, _ABSENT))}"
        for key in keys
        if model_side.get(key, _ABSENT) != config_side.get(key, _ABSENT)
    )


def mismatch_message(version: str, found: tuple[str, ...], config: object) -> str:
    """One line: the model, what differs (the first keys), and what to do."""
    shown = "; ".join(found[:SHOWN_KEYS])
    more = f"; and {len(found) - SHOWN_KEYS} more" if len(found) > SHOWN_KEYS else ""
    where = config if config is not None else "config.yaml"
    return (
        f"model {version} was trained with other settings than {where} ({shown}{more}); it "
        "answers with its own: run `regime train` to use the new ones"
    )


_ABSENT = object()


def _leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(tree, dict):
        return {prefix: tree}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _shown(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
