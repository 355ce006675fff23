"""`regime train`: retrain from the current data, evaluate walk-forward, save a new version.

The new version becomes active only when its walk-forward scores are not worse than the active
model's (or with --force); the summary says which happened.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regime.cli._common import config_option, progress_reporter, quiet_option, settings_from

if TYPE_CHECKING:
    from regime.model.registry import Registration


@click.command("train")
@config_option
@quiet_option
@click.option("--force", is_flag=True, help="Make the new version active even if it scores worse.")
def train_command(config_path: Path | None, quiet: bool, force: bool) -> None:
    """Retrain the model from the current data; promote it if it is not worse than the active one.

    "Not worse": walk-forward balanced accuracy not lower and log loss not higher.
    """
    from regime.model.registry import check_writable, register
    from regime.model.train import train_model
    from regime.sources.market_data import load_market_data

    settings = settings_from(config_path)
    check_writable(settings.models_dir)  # before minutes of training, not after
    data = load_market_data(settings)

    with progress_reporter("  refits", enabled=not quiet) as bar:

        def stage(message: str) -> None:
            if bar is not None:
                bar.note(f"- {message}")  # above the bar, never on its line
            elif not quiet:
                click.echo(f"- {message}", err=True)

        trained = train_model(data, settings, progress=bar, stage=stage)
    outcome = register(trained.payload(), trained.card, settings.models_dir, force=force)
    click.echo(render_summary(trained.card, outcome.path, outcome))


def render_summary(
    card: dict[str, Any], target: Path | None, outcome: Registration | None = None
) -> str:
    wf = card["walk_forward"]
    ours, rules = wf["models"]["regime"], wf["models"]["rulebook_realtime"]
    if outcome is None:
        headline = f"saved model {card['version']} to {target} (now active)"
    elif outcome.saved:
        state = "active" if outcome.active else "not active"
        headline = f"saved model {card['version']} to {target} ({state}): {outcome.reason}"
    else:
        headline = f"model {card['version']} {outcome.reason}"
    lines = [
        headline,
        f"trained on {card['training_weeks']} weeks "
        f"{card['training_span'][0]} .. {card['training_span'][1]}"
        f"; labels final through {card['labels_final_through']}",
        f"walk-forward {wf['period'][0]} .. {wf['period'][1]} ({wf['n_weeks']} weeks):",
        f"  {'':<20}{'bal.acc':>8}{'logloss':>9}{'ECE':>7}"
        f"{'risk_off recall':>17}{'mean lag (wk)':>15}",
    ]
    for name, m in (("regime", ours), ("rulebook_realtime", rules)):
        ll = "-" if m["log_loss"] is None else f"{m['log_loss']:.3f}"
        ece = "-" if m["ece"] is None else f"{m['ece']:.3f}"
        lag = m["detection"]["mean_lag_weeks"]
        lines.append(
            f"  {name:<20}{m['balanced_accuracy']:>8.3f}{ll:>9}{ece:>7}"
            f"{m['recall']['risk_off']:>17.3f}{'-' if lag is None else f'{lag:.1f}':>15}"
        )
    return "\n".join(lines)
