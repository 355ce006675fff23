"""`regime fetch`: refresh the local cache from FRED and Yahoo Finance."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from regime.cli._common import config_option, progress_reporter, settings_from
from regime.errors import DataSourceError

if TYPE_CHECKING:
    from regime.sources.fetch import FetchReport


@click.command("fetch")
@click.option(
    "--series",
    "series",
    multiple=True,
    metavar="ID",
    help="Only this FRED id or index symbol (repeatable). Default: every configured series.",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Download from this date (ISO) instead of the cache's last date minus the overlap.",
)
@click.option("--full", is_flag=True, help="Download the whole history and replace the cache.")
@click.option(
    "--vintages", is_flag=True, help="Also fetch first releases (ALFRED) of fetch.vintage_series."
)
@click.option(
    "--strict",
    is_flag=True,
    help="A series with an implausible value (an index close far from the week before, a "
    "yield out of range) fails and is not cached, instead of being cached with a warning.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress bar and no per-series summary (errors print)."
)
@config_option
def fetch_command(
    series: tuple[str, ...],
    since: datetime | None,
    full: bool,
    vintages: bool,
    strict: bool,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Download new FRED and Yahoo observations into the local cache.

    Prints one line per series (rows added, rows revised, last date); failures go to stderr
    (one line when one series failed) and make the exit code non-zero, but never stop the
    other series.
    """
    from regime.sources.fetch import fetch, plan

    settings = settings_from(config_path)
    start = since.date() if since is not None else None
    total = len(plan(settings, series or None))
    total += len(settings.fetch.vintage_series) if vintages else 0
    done: list[str] = []
    with progress_reporter("fetching", enabled=not quiet) as bar:

        def advance(key: str) -> None:
            done.append(key)
            if bar is not None:
                bar(len(done), total)

        report = fetch(
            settings,
            series=series or None,
            since=start,
            full=full,
            vintages=vintages,
            on_progress=advance,
            strict=strict,
        )
    _show(report, quiet)
    if not report.ok:
        raise DataSourceError(_failure_line(report))


def _failure_line(report: FetchReport) -> str:
    """What the exit line says: one failure in its own words, several by name (each has its
    own line above)."""
    failed = report.failed
    if len(failed) == 1:
        return str(failed[0].error)
    names = ", ".join(s.key for s in failed)
    return f"{len(failed)} series failed ({names}); the cache kept the rest"


def _show(report: FetchReport, quiet: bool) -> None:
    # A note (a corrupt cache file moved aside) was logged where it happened: a warning line.
    several_failed = len(report.failed) > 1
    for item in report.series:
        if item.ok and not quiet:
            click.echo(item.summary())
        elif not item.ok and not item.skipped and several_failed:
            click.echo(f"error: {item.error}", err=True)
    skipped = [item.key for item in report.series if item.skipped]
    if skipped:
        click.echo(f"error: skipped {', '.join(skipped)}: FRED unreachable", err=True)
