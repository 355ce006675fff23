"""The small family of errors `regime` raises.

Every message says what went wrong and what the user can do about it; the CLI prints the message
as one line on stderr and exits with the error's `exit_code`.
"""

from __future__ import annotations

import os


class RegimeError(Exception):
    """Base class: anything the user can act on."""

    exit_code = 1


class ConfigError(RegimeError):
    """The configuration file is missing, unreadable or has a bad value."""

    exit_code = 2


class MissingExtraError(RegimeError):
    """A command needs an optional dependency (a `pip install 'regime[...]'` extra)."""

    exit_code = 2


class DataSourceError(RegimeError):
    """A data source (snapshot, cache, FRED, Yahoo) could not give valid data."""

    exit_code = 3


class InvalidDataError(DataSourceError):
    """A series holds an impossible row (or, under --strict, an implausible value): see
    regime/sources/validate.py."""


class StaleDataError(DataSourceError):
    """The data needed for a date is not available (yet)."""


class StaleWeekError(DataSourceError):
    """The latest week is older than `max_staleness_days.week` (an error only under --strict)."""

    exit_code = 6


class ModelArtifactError(RegimeError):
    """A saved model is missing, tampered with, or from an incompatible version."""

    exit_code = 4


class SettingsMismatchError(ModelArtifactError):
    """The config's learning settings differ from the model's (an error only under --strict)."""

    exit_code = 7


class HistoryError(RegimeError):
    """The prediction history cannot be opened, read or written (or is held locked too long)."""

    exit_code = 5


class UsageError(RegimeError):
    """A value given on the command line (or to the API) that can never be answered: a value
    click does not check itself, or a date before the data begins."""

    exit_code = 2


# A bug: an exception that is not a RegimeError (EX_SOFTWARE, as sysexits.h has it).
EXIT_BUG = 70


def shown_path(path: str | os.PathLike[str], limit: int = 120) -> str:
    """`path` for a one-line message: whole when short, else its start and end around "...".

    A 6,000-character path in an error would bury the reason; its two ends still say which
    path it was.
    """
    text = os.fspath(path)
    if len(text) <= limit:
        return text
    keep = (limit - 3) // 2
    return f"{text[:keep]}...{text[-keep:]}"
