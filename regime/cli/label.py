"""`regime label`: the hindsight labels, with the inputs that decided them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from regime.cli._common import config_option, format_option, settings_from

if TYPE_CHECKING:
    import pandas as pd


@click.command("label")
@click.option(
    "--start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First week (ISO date)."
)
@click.option(
    "--end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last week (ISO date)."
)
@format_option("text", "csv", "json")
@config_option
def label_command(
    start: datetime | None, end: datetime | None, fmt: str, config_path: Path | None
) -> None:
    """Print each week's hindsight regime label; provisional weeks may still change."""
    from regime.features.table import weekly_index_closes, weekly_rows
    from regime.labels.hindsight import label_weeks
    from regime.sources.market_data import load_market_data

    settings = settings_from(config_path)
    data = load_market_data(settings)
    closes = weekly_index_closes(data, settings, weekly_rows(data, settings))
    labels = label_weeks(closes, settings.labels)
    table = labels.loc[start:end]
    if table.empty:
        raise click.BadParameter(
            f"no labelled weeks between {_day(start, 'the start')} and {_day(end, 'the end')}; "
            f"labels cover "
            f"{labels.index[0].date()} to {labels.index[-1].date()}",
            param_hint="--start/--end",
        )
    click.echo(render_labels(table, fmt), nl=fmt != "csv")


def _day(value: datetime | None, open_end: str) -> str:
    return open_end if value is None else value.date().isoformat()


def render_labels(table: pd.DataFrame, fmt: str) -> str:
    shown = table.copy()
    for column in ("last_peak", "last_trough"):
        shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    shown.index = shown.index.strftime("%Y-%m-%d")
    shown.index.name = "date"
    if fmt == "csv":
        return shown.to_csv(float_format="%.6g")
    if fmt == "json":
        records = shown.reset_index().astype(object).where(shown.reset_index().notna(), None)
        return json.dumps(records.to_dict(orient="records"))
    return shown.to_string(float_format=lambda v: f"{v:.4f}")
