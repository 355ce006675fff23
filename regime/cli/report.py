"""`regime report`: charts and a self-contained HTML page of the walk-forward evaluation."""

from __future__ import annotations

from pathlib import Path

import click

from regime.cli._common import (
    EVAL_MODULES,
    REPORT_MODULES,
    config_option,
    quiet_option,
    require_extra,
    settings_from,
)
from regime.cli.evaluate import run_with_progress


@click.command("report")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the PNG charts and report.html (created if missing).",
)
@quiet_option
@config_option
def report_command(out_dir: Path, quiet: bool, config_path: Path | None) -> None:
    """Evaluate walk-forward, then write PNG charts and one HTML page that embeds them."""
    require_extra("report", "report", (*EVAL_MODULES, *REPORT_MODULES))
    from regime.evaluation.report import build_report, feature_importances, write_report
    from regime.sources.market_data import load_market_data

    settings = settings_from(config_path)
    data = load_market_data(settings)
    evaluation = run_with_progress(settings, data, "evaluating", enabled=not quiet)
    report = build_report(evaluation, feature_importances(evaluation, settings))
    written = write_report(report, out_dir)
    click.echo(f"wrote {len(written)} files to {out_dir}; open {out_dir / 'report.html'}")
