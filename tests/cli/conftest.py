"""Fixtures for the CLI tests that need the fake FRED server (see tests/sources/fakes_fred.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load_fakes():
    if "fakes_fred" not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "sources" / "fakes_fred.py"
        spec = importlib.util.spec_from_file_location("fakes_fred", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["fakes_fred"] = module
        spec.loader.exec_module(module)
    return sys.modules["fakes_fred"]


fake_fred = _load_fakes().fake_fred
