"""`regime predict`: the current regime, its confidence and what drove it."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from regime.cli._common import config_option, format_option, model_option, settings_from, today

if TYPE_CHECKING:
    from regime.config import Settings
    from regime.freshness import Freshness
    from regime.model.predict import RegimePrediction


@click.command("predict")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Answer for the week of this date, using only data published by its Friday.",
)
@format_option("text", "json")
@model_option
@config_option
def predict_command(
    as_of: datetime | None, fmt: str, model_path: Path | None, config_path: Path | None
) -> None:
    """Print the market regime of the latest week (or of --as-of) with its confidence.

    Warns on stderr when the week predicted is older than max_staleness_days.week today.
    """
    from regime.model.predict import load_model

    settings = settings_from(config_path)
    now = today()
    model = load_model(model_path, settings)
    prediction = model.predict_current(as_of.date() if as_of else None)
    if as_of is None:  # a week asked for by date is old on purpose
        warning = freshness_of(prediction, model.settings, settings, now).warning()
        if warning is not None:
            click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(prediction.to_dict()))
    else:
        click.echo(render_text(prediction))


def freshness_of(
    prediction: RegimePrediction, model_settings: Settings, settings: Settings, now: date
) -> Freshness:
    """The prediction's freshness: series allowances as the model's features used them, the
    week's allowance from the config in use (it is not part of a model's settings)."""
    from regime.features.table import cadence
    from regime.freshness import freshness

    keys = (*model_settings.fred_series, *model_settings.index_symbols)
    limits = model_settings.max_staleness_days.model_copy(
        update={"week": settings.max_staleness_days.week}
    )
    return freshness(
        date.fromisoformat(prediction.as_of),
        {k: date.fromisoformat(s.last_observation) for k, s in prediction.data_through.items()},
        {k: cadence(model_settings, k) for k in keys},
        limits,
        now,
    )


def render_text(p: RegimePrediction) -> str:
    lines = [
        f"Week ending {p.as_of}: {p.regime} (confidence {p.confidence:.0%})",
        "  probabilities: "
        + ", ".join(
            f"{r} {v:.1%}" for r, v in sorted(p.probabilities.items(), key=lambda kv: -kv[1])
        ),
    ]
    if p.drivers:
        lines.append(f"  drivers (change in P({p.regime}) if the feature sat at its usual level):")
        for d in p.drivers:
            value = "n/a" if d.value is None else f"{d.value:.3g}"
            lines.append(f"    {d.feature:<36} {value:>9}  {d.effect:+.1%}")
    if p.stale:
        lines.append("  stale series (treated as missing): " + ", ".join(p.stale))
    lines.append(f"  model {p.model['version']}, labels final through {p.model['trained_through']}")
    return "\n".join(lines)
