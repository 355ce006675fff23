"""`regime predict`: the current regime, its confidence and what drove it."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from regime.cli._common import config_option, format_option, model_option, settings_from
from regime.cli._macro_text import macro_lines
from regime.clock import today

if TYPE_CHECKING:
    from regime.model.predict import Outlook, RegimePrediction


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
    if model.config_differences:
        from regime.model.card_settings import mismatch_message

        found, where = model.config_differences, settings.source_path
        click.echo(f"warning: {mismatch_message(model.version, found, where)}", err=True)
    asked = as_of.date() if as_of else None
    prediction = model.predict_current(asked, today=now)
    if as_of is None:  # a week asked for by date is old on purpose
        warning = model.freshness(prediction, now).warning()
        if warning is not None:
            click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(prediction.to_dict()))
    else:
        click.echo(render_text(prediction, asked))


def render_text(p: RegimePrediction, asked: date | None = None) -> str:
    """The prediction for a person. `asked`, the --as-of date, is named when it is not the
    Friday of the week answered; the series stale today are listed only without it."""
    week = f"Week ending {p.as_of}"
    if asked is not None and asked.isoformat() != p.as_of:
        week += f" (the latest complete week on or before {asked})"
    lines = [
        f"{week}: {p.regime} (confidence {p.confidence:.0%})",
        "  probabilities: "
        + ", ".join(
            f"{r} {v:.1%}" for r, v in sorted(p.probabilities.items(), key=lambda kv: -kv[1])
        ),
    ]
    if p.drivers:
        lines.append(f"  drivers (change in P({p.regime}) if the feature sat at its usual level):")
        for d in p.drivers:
            value = "n/a" if d.value is None else f"{d.value:.3g}"
            effect = f"{d.effect:+.1%}" if abs(d.effect) >= 0.0005 else f"{d.effect:+.2%}"
            lines.append(f"    {d.feature:<36} {value:>9}  {effect}")
    if p.stale_at_week:
        lines.append("  stale at the week (treated as missing): " + ", ".join(p.stale_at_week))
    if p.stale and asked is None:  # a week asked for by date is old on purpose
        every = len(p.data_through) > 1 and set(p.stale) >= set(p.data_through)
        names = f"all {len(p.stale)} input series" if every else ", ".join(p.stale)
        lines.append(f"  stale today (older than their cadence allows): {names}")
    lines += macro_lines(p.macro)
    if p.outlook is not None:
        lines += render_outlook(p.outlook)
    fitted = p.model.get("fitted", "final model")
    lines.append(
        f"  model {p.model['version']} ({fitted}), labels final through "
        f"{p.model['trained_through']}"
    )
    return "\n".join(lines)


def render_outlook(outlook: Outlook) -> list[str]:
    """Two lines: the most likely regime at each horizon; the two event probabilities."""
    ahead = ", ".join(
        f"in {horizon[:-1]} weeks {max(p, key=p.__getitem__)} {max(p.values()):.0%}"
        for horizon, p in outlook.regime.items()
    )
    events = []
    if outlook.small_caps_lead is not None:
        lead = outlook.small_caps_lead
        events.append(f"small caps lead over {lead.weeks} weeks {lead.probability:.0%}")
    if outlook.bear_market_starts is not None:
        bear = outlook.bear_market_starts
        events.append(f"a bear market starts within {bear.weeks} weeks {bear.probability:.0%}")
    return [f"  outlook: {ahead}", f"  odds: {'; '.join(events)}"]
