"""`regime models`: list the saved versions, show one's card, promote one to active, export the
active one's fitted estimator for other tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regime.cli._common import config_option, format_option, model_option, settings_from

if TYPE_CHECKING:
    from regime.model.registry import VersionInfo


@click.group("models")
def models_group() -> None:
    """The model registry: the version folders under models/ and the active one (LATEST)."""


@models_group.command("list")
@format_option("text", "json")
@config_option
def list_command(fmt: str, config_path: Path | None) -> None:
    """Every saved version, its walk-forward scores, and whether it is active or unusable."""
    from regime.model.registry import list_versions

    settings = settings_from(config_path)
    versions = list_versions(settings.models_dir)
    if fmt == "json":
        click.echo(json.dumps([_as_dict(v) for v in versions], indent=2))
        return
    if not versions:
        click.echo(f"no models in {settings.models_dir}; run `regime train`")
        return
    click.echo(f"  {'version':<20}{'trained through':<17}{'bal.acc':>8}{'logloss':>9}  status")
    for v in versions:
        mark = "*" if v.active else " "
        ba = "-" if v.balanced_accuracy is None else f"{v.balanced_accuracy:.3f}"
        ll = "-" if v.log_loss is None else f"{v.log_loss:.3f}"
        status = f"REFUSED: {v.problem}" if v.problem else ("active" if v.active else "")
        line = f"{mark} {v.version:<20}{v.trained_through or '-':<17}{ba:>8}{ll:>9}  {status}"
        click.echo(line.rstrip())


@models_group.command("show")
@click.argument("version")
@format_option("text", "json")
@config_option
def show_command(version: str, fmt: str, config_path: Path | None) -> None:
    """A version's card (json: the whole card) and whether its artifact passes the sha256 check."""
    from regime.model.registry import show

    settings = settings_from(config_path)
    info, card = show(settings.models_dir, version)
    if fmt == "json":
        click.echo(json.dumps({**card, "active": info.active, "problem": info.problem}, indent=2))
        return
    libraries = ", ".join(f"{k} {v}" for k, v in card.get("libraries", {}).items())
    lines = [
        f"version          {card.get('version')}{'  (active)' if info.active else ''}",
        f"folder           {info.path}",
        f"data through     {card.get('data_through', '-')}",
        f"trained on       {card.get('training_weeks')} weeks "
        f"{' .. '.join(card.get('training_span', []))}",
        f"labels through   {card.get('labels_final_through')}",
        f"config hash      {card.get('config_hash')}",
        f"libraries        {libraries}",
        f"sha256           {card.get('sha256')}",
        f"artifact check   {'ok' if info.problem is None else 'REFUSED: ' + info.problem}",
    ]
    if info.balanced_accuracy is not None:
        ll = "-" if info.log_loss is None else f"{info.log_loss:.4f}"
        ba = info.balanced_accuracy
        lines.append(f"walk-forward     balanced accuracy {ba:.4f}, log loss {ll}")
    click.echo("\n".join(lines))


@models_group.command("promote")
@click.argument("version")
@config_option
def promote_command(version: str, config_path: Path | None) -> None:
    """Make VERSION the active model (after checking its card and sha256), whatever its scores."""
    from regime.model.registry import promote

    settings = settings_from(config_path)
    info = promote(settings.models_dir, version)
    click.echo(f"{info.version} is now the active model in {settings.models_dir}")


@models_group.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "file_format",  # the file's format, not the output vocabulary (text|json|csv) of `fmt`
    metavar="[joblib]",
    default="joblib",
    show_default=True,
    help="joblib: `joblib.dump` of the fitted scikit-learn estimator (a pickle: it runs code "
    "when loaded, so load only your own).",
)
@model_option
@config_option
def export_command(
    path: Path, file_format: str, model_path: Path | None, config_path: Path | None
) -> None:
    """Write the active model's fitted scikit-learn estimator to PATH, for other tools.

    regime itself never loads such a file: its own artifact stays the JSON model.json."""
    from regime.model.export import export_estimator
    from regime.model.predict import load_model

    settings = settings_from(config_path)
    model = load_model(model_path, settings)
    written = export_estimator(model, path.resolve(), file_format)
    click.echo(f"wrote the estimator of model {model.version} to {written} ({file_format})")


def _as_dict(v: VersionInfo) -> dict[str, Any]:
    return {
        "version": v.version,
        "path": str(v.path),
        "active": v.active,
        "data_through": v.data_through,
        "trained_through": v.trained_through,
        "balanced_accuracy": v.balanced_accuracy,
        "log_loss": v.log_loss,
        "problem": v.problem,
    }
