"""`regime history`: the predictions `regime run` recorded, with regime changes marked."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from regime.cli._common import config_option, format_option, settings_from
from regime.constants import REGIMES

if TYPE_CHECKING:
    from regime.job.history import HistoryRow


@click.command("history")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Only weeks from this date."
)
@format_option("text", "csv", "json")
@config_option
def history_command(since: datetime | None, fmt: str, config_path: Path | None) -> None:
    """Print the recorded predictions; a regime change is marked with the regime it left."""
    from regime.job.history import read_history

    settings = settings_from(config_path)
    rows = read_history(settings.history_path, since.date() if since else None)
    if fmt == "json":
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2))
    elif fmt == "csv":
        click.echo(render_csv(rows), nl=False)
    else:
        click.echo(render_table(rows))


def render_table(rows: list[HistoryRow]) -> str:
    if not rows:
        return "no predictions recorded"
    header = f"{'week':<12}{'regime':<16}{'conf.':>6}{'lead':>6}{'bear':>6}{'rec.':>6}"
    lines = [f"{header}  {'model':<20}change"]
    for row in rows:
        change = f"<- from {row.changed_from}" if row.changed_from else ""
        lines.append(
            f"{row.as_of:<12}{row.regime:<16}{row.confidence:>6.0%}"
            f"{_percent(row.small_caps_lead):>6}{_percent(row.bear_market_starts):>6}"
            f"{_percent(row.p_recession):>6}  "
            f"{row.model_version:<20}{change}".rstrip()
        )
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def render_csv(rows: list[HistoryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "as_of",
            "model_version",
            "regime",
            "confidence",
            *(f"p_{r}" for r in REGIMES),
            "regime_change",
            "changed_from",
            "stale",
            "recorded_at",
            "small_caps_lead",
            "bear_market_starts",
            "p_recession",
            "macro_states",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.as_of,
                row.model_version,
                row.regime,
                f"{row.confidence:.6f}",
                *(f"{row.probabilities.get(r, 0.0):.6f}" for r in REGIMES),
                int(row.changed_from is not None),
                row.changed_from or "",
                " ".join(row.stale),
                row.recorded_at,
                "" if row.small_caps_lead is None else f"{row.small_caps_lead:.6f}",
                "" if row.bear_market_starts is None else f"{row.bear_market_starts:.6f}",
                "" if row.p_recession is None else f"{row.p_recession:.6f}",
                " ".join(f"{k}={v}" for k, v in (row.macro_states or {}).items()),
            ]
        )
    return out.getvalue()
