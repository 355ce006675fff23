"""Opt-in: a real fetch from FRED and Yahoo (REGIME_NETWORK_TESTS=1 and FRED_API_KEY set)."""

from __future__ import annotations

import os

import pytest

from regime.config import load_settings
from regime.sources.fetch import fetch
from tests.sources import fakes_fred

pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(
        os.environ.get("REGIME_NETWORK_TESTS") != "1" or not os.environ.get("FRED_API_KEY"),
        reason="needs REGIME_NETWORK_TESTS=1 and FRED_API_KEY",
    ),
]


def test_a_real_fetch_of_one_fred_series_and_one_index(tmp_path):
    settings = load_settings(
        fakes_fred.write_config(
            tmp_path, timeout_seconds=30, fred_requests_per_second=2, history_start="2024-01-01"
        )
    )

    report = fetch(settings, series=["DGS10", "^GSPC"])

    assert report.ok, [s.error for s in report.failed]
    assert all(s.added > 100 for s in report.series)
