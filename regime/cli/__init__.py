"""The `regime` command line: one module per command, errors as one line and an exit code.

Command modules import only click and light foundation modules at their top (pandas,
scikit-learn and the rest are imported inside each command), so registering them all here
costs milliseconds: `regime --help` lists every command with its help line without loading
any command's dependencies, and a command loads only its own. tests/cli/test_startup.py
checks both.
"""

from __future__ import annotations

import gc
import sys

import click

from regime.cli._common import run_guarded, show_warnings_as_lines
from regime.cli.evaluate import evaluate_command
from regime.cli.fetch import fetch_command
from regime.cli.history import history_command
from regime.cli.label import label_command
from regime.cli.models import models_group
from regime.cli.predict import predict_command
from regime.cli.report import report_command
from regime.cli.run import run_command
from regime.cli.train import train_command
from regime.logging_setup import show_records_as_lines


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="regime")
def cli() -> None:
    """Classify the US small-cap versus large-cap market regime from macro signals."""


cli.add_command(evaluate_command)
cli.add_command(fetch_command)
cli.add_command(history_command)
cli.add_command(label_command)
cli.add_command(models_group)
cli.add_command(predict_command)
cli.add_command(report_command)
cli.add_command(run_command)
cli.add_command(train_command)


def main() -> None:
    """Console-script entry point."""
    # Importing pandas and scikit-learn allocates some hundred thousand long-lived objects, and
    # with the default youngest-generation threshold (700) the cyclic collector walks them
    # again and again: about a tenth of a second of a `regime predict`. A larger threshold
    # keeps the same collections, fewer of them; the memory it lets wait is a few MB at most.
    gc.set_threshold(10_000, *gc.get_threshold()[1:])
    show_warnings_as_lines()
    show_records_as_lines()
    sys.exit(run_guarded(cli))
