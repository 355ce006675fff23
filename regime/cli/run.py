"""`regime run`: the scheduled job (cron, systemd timer, CI): fetch, predict, record.

Logs go to stderr with levels (text or JSON lines); a failure is one ERROR line and a non-zero
exit code (the error's own, 70 for a bug). Nothing is printed on stdout unless `--format`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from regime.cli._common import config_option, format_option, model_option, settings_from
from regime.clock import today
from regime.errors import EXIT_BUG, RegimeError
from regime.logging_setup import FORMATS, configure

log = logging.getLogger("regime.run")


@click.command("run")
@click.option("--offline", is_flag=True, help="Do not fetch, even when FRED_API_KEY is set.")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 3) when a series fails to fetch or the data holds an implausible value; "
    "after recording, fail when the model was trained with other learning settings than the "
    "config's (exit 7) or the week predicted is older than max_staleness_days.week (exit 6).",
)
@model_option
@format_option(
    "text",
    "json",
    default=None,
    help='Also print the prediction on stdout (json adds "recorded", "changed" and "alerted"). '
    "Default: nothing.",
)
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="json: one JSON object per line, for log collectors.",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="INFO",
    show_default=True,
)
@click.option(
    "--on-change",
    "on_change",
    metavar="CMD",
    default=None,
    help="Run CMD when the call or the recession call changed since last week and this run "
    "recorded the week: the change as JSON on stdin and in REGIME_* variables. CMD is split "
    "into words like a shell would but not run by one (no pipes or redirections: point it at "
    "a script). A failing hook is a warning, not a failed run.",
)
@config_option
def run_command(
    offline: bool,
    strict: bool,
    model_path: Path | None,
    fmt: str | None,
    as_json: bool,
    log_format: str,
    log_level: str,
    on_change: str | None,
    config_path: Path | None,
) -> None:
    """Fetch new data (FRED only with FRED_API_KEY), predict the latest week, record it.

    Idempotent: a second run for the same week and model adds nothing. The prediction history
    is the SQLite file of history.path in config.yaml; `regime history` prints it.
    """
    configure(log_format, log_level.upper())
    try:
        from regime.job.run import run_job

        settings = settings_from(config_path)
        result = run_job(
            settings,
            offline=offline,
            strict=strict,
            model_path=model_path,
            today=today(),
            on_change=on_change,
        )
    except RegimeError as exc:
        fields = {"error": type(exc).__name__, "exit_code": exc.exit_code}
        log.error("%s", exc, extra={"fields": fields})
        raise click.exceptions.Exit(exc.exit_code) from None
    except Exception as exc:  # noqa: BLE001 - a scheduled job reports one line, not a traceback
        log.error(
            "unexpected %s: %s (rerun with --log-level DEBUG for the traceback)",
            type(exc).__name__,
            exc,
            extra={"fields": {"error": type(exc).__name__, "exit_code": EXIT_BUG}},
        )
        log.debug("traceback", exc_info=True)
        raise click.exceptions.Exit(EXIT_BUG) from None
    if fmt == "json" or as_json:
        extra = {"recorded": result.added, "changed": result.changed, "alerted": result.alerted}
        click.echo(json.dumps({**result.prediction.to_dict(), **extra}))
    elif fmt == "text":
        from regime.cli.predict import render_text

        click.echo(render_text(result.prediction))
