"""The final model's fitted estimator as a file, for tools that load scikit-learn models so.

A joblib file is a pickle: loading one runs whatever code it names, so load only files you
wrote yourself. `regime` itself never loads one: its own artifact stays the JSON `model.json`
(serialize.py), read as data.
"""

from __future__ import annotations

import io
from pathlib import Path

import joblib

from regime.atomic import write_bytes_atomic
from regime.errors import RegimeError, UsageError
from regime.model.predict import RegimeModel

EXPORT_FORMATS = ("joblib",)


def export_estimator(model: RegimeModel, path: Path, fmt: str = "joblib") -> Path:
    """Write `model.estimator` to `path` in `fmt` (`joblib.dump`), atomically; returns `path`.

    UsageError for a format not in `EXPORT_FORMATS`; RegimeError when `path` cannot be written.
    """
    if fmt not in EXPORT_FORMATS:
        raise UsageError(
            f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}"
        )
    buffer = io.BytesIO()
    joblib.dump(model.estimator, buffer)
    try:
        return write_bytes_atomic(path, buffer.getvalue())
    except OSError as exc:
        raise RegimeError(f"cannot write the estimator to {path}: {exc.strerror or exc}") from None
