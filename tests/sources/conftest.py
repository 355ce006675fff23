"""Fixtures for the data-source tests: see fakes_fred.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def load_fakes():
    """Import tests/sources/fakes_fred.py once, as the module `fakes_fred`."""
    if "fakes_fred" not in sys.modules:
        path = Path(__file__).resolve().parent / "fakes_fred.py"
        spec = importlib.util.spec_from_file_location("fakes_fred", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["fakes_fred"] = module
        spec.loader.exec_module(module)
    return sys.modules["fakes_fred"]


_fakes = load_fakes()
fake_fred = _fakes.fake_fred
fake_download = _fakes.fake_download
settings = _fakes.settings
