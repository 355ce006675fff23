"""Shared fixtures: the project's own settings and the embedded real data, loaded once."""

from __future__ import annotations

import pandas as pd
import pytest

from regime.config import Settings, load_settings
from regime.dataset import Dataset
from regime.sources import MarketData, load_market_data


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
