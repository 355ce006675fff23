"""What every command shares: --config, --format, --quiet and the progress bar, the check for
an optional extra, warnings as lines, and turning errors into one line with an exit code.

Every module of this package imports only click and light foundation modules at its top; a
command imports what it needs (pandas, scikit-learn, ...) inside its function, so `regime
--help` and `regime <command> --help` start fast and a command loads only its own stack.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regime.cli._progress import ProgressLine
from regime.errors import EXIT_BUG, MissingExtraError, RegimeError

if TYPE_CHECKING:
    from regime.config import Settings

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file (default: the project's config.yaml).",
)

model_option = click.option(
    "--model",
    "model_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A model version folder (default: the one models/LATEST names).",
)


def settings_from(config_path: Path | None) -> Settings:
    from regime.config import load_settings

    return load_settings(config_path)


# Older spellings of --format values, still accepted but not shown in --help.
FORMAT_ALIASES = {"table": "text"}


class FormatChoice(click.Choice):  # type: ignore[type-arg]
    """`text`/`json`/`csv` (those that apply), also accepting the old spellings as aliases."""

    def __init__(self, choices: Sequence[str], aliases: Mapping[str, str] = FORMAT_ALIASES):
        super().__init__(list(choices))
        self.aliases = {old: new for old, new in aliases.items() if new in choices}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value in self.aliases:
            value = self.aliases[value]
        return super().convert(value, param, ctx)


def format_option(*choices: str, default: str | None = "text", help: str | None = None) -> Any:
    """`--format` with the shared vocabulary; the value reaches the command as `fmt`."""
    return click.option(
        "--format",
        "fmt",
        type=FormatChoice(choices),
        default=default,
        show_default=default is not None,
        help=help,
    )


quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="No progress output; results and errors still print."
)


@contextmanager
def progress_reporter(label: str, enabled: bool = True) -> Iterator[ProgressLine | None]:
    """A `progress(done, total)` callback drawing a bar on stderr, or None.

    None (no bar) when `enabled` is false or stderr is not a terminal: logs and CI output stay
    free of carriage-return noise. `reporter.note(message)` prints a line above the bar.
    """
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    bar = ProgressLine(label, sys.stderr)
    try:
        yield bar
    finally:
        bar.close()


# What the optional extras in pyproject.toml bring, by import name.
EVAL_MODULES = ("statsmodels", "hmmlearn")
REPORT_MODULES = ("matplotlib",)


def require_extra(command: str, extra: str, modules: Sequence[str]) -> None:
    """Stop with one line naming the install that brings `modules`, before anything imports
    them (a missing one would otherwise surface as a traceback deep in the command)."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtraError(
            f"`regime {command}` needs {', '.join(missing)}: pip install 'regime[{extra}]' "
            f"(in a checkout: pip install -e '.[{extra}]')"
        )


def show_warnings_as_lines() -> None:
    """Print Python warnings as `warning: <message>` lines, without a file name or source line.

    Installed by the console entry point only: the library never changes how its host
    application shows warnings. `logging.captureWarnings` (used by `regime run`) formats
    through `warnings.formatwarning`, so its log lines are the bare message too.
    """
    import warnings

    def formatwarning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        line: str | None = None,
    ) -> str:
        text = " ".join(str(message).split())  # one line, whatever the library wrote
        own = category is UserWarning  # regime's warnings; name anybody else's category
        return text if own else f"{category.__name__}: {text}"

    def showwarning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        stream = file if file is not None else sys.stderr
        if stream is None:  # pythonw: no console to warn on
            return
        try:
            stream.write(f"warning: {formatwarning(message, category, filename, lineno)}\n")
        except OSError:
            pass  # like warnings' own: a closed stderr must not turn a warning into a crash

    warnings.formatwarning = formatwarning
    warnings.showwarning = showwarning


# Where a bug is reported: the line says what happened, the traceback says where.
TRACEBACK_ENV = "REGIME_TRACEBACK"
BUG_REPORT = (
    "this is a bug in regime: please report it on the project's issue tracker with the command "
    f"you ran and this line ({TRACEBACK_ENV}=1 shows the traceback)"
)


def run_guarded(command: click.Command) -> int:
    """Run a click command; a RegimeError becomes one line on stderr and its exit code.

    Anything else is a bug: one line naming the exception and where to report it, exit 70
    (with $REGIME_TRACEBACK=1, the traceback too). No input gives a bare traceback.
    """
    try:
        # Without standalone mode, click returns (not raises) the code of a `ctx.exit(code)`.
        code = command.main(standalone_mode=False)
    except RegimeError as exc:
        click.echo(f"error: {one_line(str(exc))}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"error: {one_line(click_message(exc))}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:
        # stdout closed early (e.g. piped into `head`): not an error worth a traceback.
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
        return report_bug(exc)
    return code if isinstance(code, int) else 0


def click_message(exc: click.ClickException) -> str:
    """click's message for a usage error, with the help to read (click's own display takes four
    lines: usage, hint, a blank line, the error)."""
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return message


def report_bug(exc: BaseException) -> int:
    """Print the one line of an unexpected exception (and its traceback if asked); EXIT_BUG."""
    import os

    if os.environ.get(TRACEBACK_ENV, "").strip() not in ("", "0"):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    try:
        click.echo(
            f"error: unexpected {type(exc).__name__}: {one_line(str(exc))}; {BUG_REPORT}", err=True
        )
    except OSError:
        pass  # stderr itself is gone: the exit code still tells
    return EXIT_BUG


def one_line(text: str, limit: int = 2000) -> str:
    """`text` on one line, at most `limit` characters (an error quoting a huge input stays
    readable)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
