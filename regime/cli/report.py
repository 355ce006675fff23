"""`regime report`: the current call, then charts and tables of the walk-forward evaluation,
as PNGs and one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from regime.cli._common import (
    EVAL_MODULES,
    REPORT_MODULES,
    config_option,
    model_option,
    quiet_option,
    require_extra,
    settings_from,
)
from regime.cli.evaluate import run_with_progress
from regime.clock import today


@click.command("report")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the PNG charts and report.html (created if missing).",
)
@click.option(
    "--evaluation",
    "evaluation_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A saved evaluation (`regime evaluate --save PATH`) to draw instead of running one; "
    "refused if it was made with other settings or on other data.",
)
@click.option(
    "--hypotheses",
    "hypotheses_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The saved run of the pre-registered hypotheses (`python benchmarks/hypotheses.py "
    "--save PATH`) for the macro panel; default: the checkout's docs/macro/hypotheses.json.",
)
@model_option
@quiet_option
@config_option
def report_command(
    out_dir: Path,
    evaluation_path: Path | None,
    hypotheses_path: Path | None,
    model_path: Path | None,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Write report.html: this week's call first, then how far to trust it.

    The call comes from the active model (or --model). The evaluation below it is read from
    --evaluation PATH when given (seconds, charts only: needs the [report] extra); without it,
    the whole walk-forward evaluation runs first, as `regime evaluate` does (minutes; needs
    [eval] too). The macro panel's hypotheses come from --hypotheses PATH, else the checkout's
    docs/macro/hypotheses.json; a run made on other data, settings or code is marked as older.
    """
    needed = REPORT_MODULES if evaluation_path is not None else (*EVAL_MODULES, *REPORT_MODULES)
    require_extra("report", "report", needed)
    from datetime import UTC, datetime

    from regime.config import bundled_root
    from regime.evaluation.recession.hypotheses import HYPOTHESES_FILE, read_hypotheses
    from regime.evaluation.report import (
        build_report,
        now_of,
        read_record,
        record_of,
        write_report,
    )
    from regime.model.predict import load_model
    from regime.model.training_rows import Dataset
    from regime.sources.market_data import load_market_data

    settings = settings_from(config_path)
    if hypotheses_path is None and (bundled_root() / HYPOTHESES_FILE).is_file():
        hypotheses_path = bundled_root() / HYPOTHESES_FILE
    # Read first: a file that is not a run fails before minutes of evaluation.
    hypotheses = read_hypotheses(hypotheses_path) if hypotheses_path is not None else None
    data = load_market_data(settings)
    generated = datetime.now(UTC)
    model = load_model(model_path, settings)
    if evaluation_path is not None:
        dataset = Dataset.build(data, settings)
        record = read_record(evaluation_path, settings, dataset.closes.index[-1])
    else:
        evaluation = run_with_progress(settings, data, "evaluating", enabled=not quiet)
        dataset, record = evaluation.dataset, record_of(evaluation, settings)
    now = now_of(settings, data, generated, dataset=dataset, model=model)
    if hypotheses is not None:
        hypotheses = hypotheses.checked(dataset, settings)
    report = build_report(record, now, settings, hypotheses)
    warning = now.model.freshness(now.prediction, today()).warning()
    if warning is not None:  # as `regime predict` warns
        click.echo(f"warning: {warning}", err=True)
    if report.note:
        click.echo(f"warning: {report.note}", err=True)
    written = write_report(report, out_dir)
    click.echo(f"wrote {len(written)} files to {out_dir}; open {out_dir / 'report.html'}")
