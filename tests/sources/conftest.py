"""Fixtures for the data-source tests: see fakes_fred.py (fake_fred and fake_download come
from the root conftest)."""

from tests.sources.fakes_fred import settings  # noqa: F401
