"""`regime evaluate`: our model and its outlook against their peers, walk-forward, and the
allocation backtest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regime.atomic import write_text_atomic
from regime.cli._common import (
    EVAL_MODULES,
    config_option,
    format_option,
    progress_reporter,
    quiet_option,
    require_extra,
    settings_from,
)
from regime.errors import RegimeError

if TYPE_CHECKING:
    import pandas as pd

    from regime.config import Settings
    from regime.evaluation.evaluate import Evaluation
    from regime.sources.market_data import MarketData


@click.command("evaluate")
@format_option("text", "json")
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
@click.option(
    "--backtest-returns",
    "returns_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the allocation's and the benchmarks' weekly returns, cash and the "
    "allocation's weights to this CSV file.",
)
@quiet_option
@config_option
def evaluate_command(
    fmt: str,
    predictions_path: Path | None,
    save_path: Path | None,
    returns_path: Path | None,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Compare the model and its outlook with their peers out of sample (walk-forward), and
    backtest an allocation driven by their probabilities."""
    require_extra("evaluate", "eval", EVAL_MODULES)
    from regime.sources.market_data import load_market_data

    settings = settings_from(config_path)
    data = load_market_data(settings)
    evaluation = run_with_progress(settings, data, "evaluating", enabled=not quiet)
    if predictions_path is not None:
        write_predictions(evaluation.predictions(), predictions_path)
    if returns_path is not None:
        write_backtest_returns(evaluation.backtest.weekly_frame(), returns_path)
    if save_path is not None:
        save_evaluation(evaluation, settings, save_path)
    result = evaluation.to_dict()
    click.echo(json.dumps(result) if fmt == "json" else render_table(result))


def run_with_progress(
    settings: Settings, data: MarketData, label: str, enabled: bool = True
) -> Evaluation:
    """`evaluate`, with a progress bar on stderr when it is a terminal and `enabled`."""
    from regime.evaluation.evaluate import evaluate

    with progress_reporter(label, enabled) as progress:
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


def write_backtest_returns(frame: pd.DataFrame, path: Path) -> None:
    """CSV with header date,strategy,spx,rut,fifty_fifty,cash,<asset>_weight...,turnover,cost;
    written to a temp file, then renamed."""
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%d")
    text = out.to_csv(float_format="%.8f", lineterminator="\n")
    try:
        write_text_atomic(path.resolve(), text)
    except OSError as exc:
        raise RegimeError(
            f"cannot write the backtest returns to {path}: {exc.strerror or exc}"
        ) from None


def save_evaluation(evaluation: Evaluation, settings: Settings, path: Path) -> None:
    from regime.evaluation.saved import write_saved

    try:
        write_saved(evaluation, settings, path.resolve())
    except OSError as exc:
        raise RegimeError(f"cannot save the evaluation to {path}: {exc.strerror or exc}") from None


def render_table(result: dict[str, Any]) -> str:
    from regime.evaluation.allocation.tables import allocation_lines
    from regime.evaluation.calls.tables import ablation_lines, bear_table, period_tables
    from regime.evaluation.outlook.tables import outlook_lines
    from regime.evaluation.recession.tables import recession_lines
    from regime.evaluation.summary import (
        COMPARISON_HEADERS,
        comparison_lines,
        comparison_rows,
        text_table,
    )

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
        *recession_lines(result),
        "",
        *outlook_lines(result),
        "",
        *allocation_lines(result),
    ]
    return "\n".join(lines)
