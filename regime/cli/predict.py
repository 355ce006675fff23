"""`regime predict`: the current regime, its confidence and what drove it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from regime.cli._common import config_option, format_option, model_option, settings_from
from regime.cli._predict_text import render_text
from regime.clock import today

__all__ = ["predict_command", "render_text"]


@click.command("predict")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Answer for the latest complete week on or before this date (the Friday on or before "
    "it: a week is complete only with its Friday's close), using only data published by that "
    "Friday, never any published after DATE.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 3) on an implausible value in the data (an index close far from the "
    "week before, a yield out of range) instead of warning about it.",
)
@format_option("text", "json")
@model_option
@config_option
def predict_command(
    as_of: datetime | None,
    strict: bool,
    fmt: str,
    model_path: Path | None,
    config_path: Path | None,
) -> None:
    """Print the market regime of the latest week (or of --as-of) with its confidence.

    Warns on stderr when the week predicted is older than max_staleness_days.week today, and
    names every impossible or implausible value in the data (see docs/data/validation.md).
    """
    from regime.model.predict import load_model

    settings = settings_from(config_path)
    now = today()
    model = load_model(model_path, settings)
    if model.config_differences:
        from regime.model.card_settings import mismatch_message

        found, where = model.config_differences, settings.source_path
        click.echo(f"warning: {mismatch_message(model.version, found, where)}", err=True)
    asked = as_of.date() if as_of else None
    prediction = model.predict_current(asked, today=now, strict=strict)
    if as_of is None:  # a week asked for by date is old on purpose
        warning = model.freshness(prediction, now).warning()
        if warning is not None:
            click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(prediction.to_dict()))
    else:
        click.echo(render_text(prediction, asked))
