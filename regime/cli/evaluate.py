"""`regime evaluate`: our model against its peers, walk-forward, plus the allocation backtest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regime.atomic import write_text_atomic
from regime.cli._common import config_option, progress_reporter, settings_from
from regime.errors import RegimeError

if TYPE_CHECKING:
    import pandas as pd

    from regime.config import Settings
    from regime.evaluation.evaluate import Evaluation
    from regime.sources.market_data import MarketData


@click.command("evaluate")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--predictions",
    "predictions_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write our weekly out-of-sample predictions to this CSV file.",
)
@click.option(
    "--save",
    "save_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the whole evaluation (scores, tables, every model's weekly calls and "
    "probabilities) to this JSON file.",
)
@config_option
def evaluate_command(
    fmt: str, predictions_path: Path | None, save_path: Path | None, config_path: Path | None
) -> None:
    """Compare the model with its peers out of sample (walk-forward) and backtest its calls."""
    from regime.sources.market_data import load_market_data

    settings = settings_from(config_path)
    evaluation = run_with_progress(settings, load_market_data(settings), "evaluating")
    if predictions_path is not None:
        write_predictions(evaluation.predictions(), predictions_path)
    if save_path is not None:
        save_evaluation(evaluation, settings, save_path)
    result = evaluation.to_dict()
    click.echo(json.dumps(result) if fmt == "json" else render_table(result))


def run_with_progress(settings: Settings, data: MarketData, label: str) -> Evaluation:
    """`evaluate`, with a progress bar on stderr when it is a terminal."""
    from regime.evaluation.evaluate import evaluate

    with progress_reporter(label) as progress:
        return evaluate(data, settings, progress=progress)


def write_predictions(frame: pd.DataFrame, path: Path) -> None:
    """CSV with header date,label,predicted,p_<regime>...; written to a temp file, then renamed."""
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%d")
    text = out.to_csv(float_format="%.6f", lineterminator="\n")
    try:
        write_text_atomic(path.resolve(), text)
    except OSError as exc:
        raise RegimeError(f"cannot write predictions to {path}: {exc.strerror or exc}") from None


def save_evaluation(evaluation: Evaluation, settings: Settings, path: Path) -> None:
    from regime.evaluation.saved import write_saved

    try:
        write_saved(evaluation, settings, path.resolve())
    except OSError as exc:
        raise RegimeError(f"cannot save the evaluation to {path}: {exc.strerror or exc}") from None


def render_table(result: dict[str, Any]) -> str:
    from regime.evaluation.summary import (
        BACKTEST_HEADERS,
        COMPARISON_HEADERS,
        backtest_rows,
        comparison_lines,
        comparison_rows,
        text_table,
    )
    from regime.evaluation.tables import ablation_lines, bear_table, period_tables

    backtest = result["backtest"]
    lines = [
        f"walk-forward {result['period'][0]} .. {result['period'][1]}: {result['n_weeks']} weeks, "
        f"{result['refits']} refits, {result['bear_markets']['count']} bear markets",
        "",
        text_table(COMPARISON_HEADERS, comparison_rows(result)),
        "no probabilities (probability metrics left empty): "
        + ", ".join(n for n, m in result["models"].items() if not m["has_probabilities"]),
        *(f"  {name}: {m['note']}" for name, m in result["models"].items()),
        "",
        "the whole span and each sub-period (columns: weeks, bear markets in them)",
        "",
        *period_tables(result),
        "",
        *bear_table(result),
        "",
        *comparison_lines(result),
        "",
        *ablation_lines(result),
        "",
        f"allocation backtest {backtest['period'][0]} .. {backtest['period'][1]} "
        f"({backtest['n_weeks']} weeks): {backtest['description']}",
        text_table(BACKTEST_HEADERS, backtest_rows(result)),
        *(f"note: {note}" for note in backtest["notes"]),
    ]
    return "\n".join(lines)
