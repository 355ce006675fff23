"""Shared fixtures: the project's own settings and the embedded real data, loaded once."""

from __future__ import annotations

import pandas as pd
import pytest

from regime.config import Settings, load_settings
from regime.model.training_rows import Dataset
from regime.sources import MarketData, load_market_data
from regime.workers import ENVIRONMENT as PARALLEL_ENVIRONMENT
from tests.clock_ahead import (  # noqa: F401 (the --clock-ahead option, see its docstring)
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
)
from tests.deployment import (  # noqa: F401 (fixtures for all folders)
    _restore_logging,
    deployment,
    fast_training,
    guarded,
    invoke,
    settings_of,
)
from tests.sources.fakes_fred import fake_download, fake_fred  # noqa: F401 (fixtures for all folders)


@pytest.fixture(scope="session", autouse=True)
def isolated_user_dirs(tmp_path_factory) -> None:
    """Keep every test, and every CLI subprocess it starts, away from the real user cache.

    platformdirs reads XDG_*_HOME, so the project config's default cache (and data) folders
    land in a fresh temporary folder: a developer's own `regime fetch` cache cannot change
    what the tests see.
    """
    root = tmp_path_factory.mktemp("user-dirs")
    patch = pytest.MonkeyPatch()
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        patch.setenv(name, str(root / name.lower()))
    patch.delenv("FRED_API_KEY", raising=False)
    for name in PARALLEL_ENVIRONMENT:  # where the refits run is each test's own choice
        patch.delenv(name, raising=False)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def project_settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def embedded_data(project_settings: Settings) -> MarketData:
    return load_market_data(project_settings)


@pytest.fixture(scope="session")
def embedded_dataset(embedded_data: MarketData, project_settings: Settings) -> Dataset:
    return Dataset.build(embedded_data, project_settings)


def weekly_closes(small: list[float], large: list[float] | None = None) -> pd.DataFrame:
    """A hand-built weekly price path (Fridays from 2000-01-07); large caps flat by default."""
    large = large if large is not None else [100.0] * len(small)
    index = pd.date_range("2000-01-07", periods=len(small), freq="W-FRI")
    return pd.DataFrame({"small_cap": small, "large_cap": large}, index=index, dtype=float)
