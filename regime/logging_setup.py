"""Logging for the scheduled job: stderr, with levels, as text lines or JSON lines.

Only the command line calls `configure`; the library itself only creates loggers, so a tool that
imports `regime` keeps its own logging setup.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "regime-stderr"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and any extras
    passed as `extra={"fields": {...}}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class LineFormatter(logging.Formatter):
    """`warning: <message>` (the level in lower case), on one line: how every command but
    `regime run` shows the library's log records, like its warnings and errors."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {' '.join(record.getMessage().split())}"


def show_records_as_lines(stream: TextIO | None = None) -> None:
    """Print the `regime` loggers' warnings and errors as `warning: ...` lines on stderr.

    Without it Python's last-resort handler prints them bare, unlike every other warning.
    `configure` (for `regime run`) replaces it.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(LineFormatter())
    logger = logging.getLogger("regime")
    for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False


def configure(fmt: str = "text", level: str | int = "INFO", stream: TextIO | None = None) -> None:
    """Send the `regime` loggers (and Python warnings) to stderr; calling again replaces it."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    for name in ("regime", "py.warnings"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    logging.captureWarnings(True)
