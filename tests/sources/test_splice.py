"""^RUT's history before September 1987 is FRED's RU2000PR, chained by returns; where the two
overlap they must tell the same story."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regime.sources.snapshot import read_series_csv
from regime.sources.splice import chain_before

DATA = Path(__file__).resolve().parents[2] / "data" / "market"


@pytest.fixture(scope="module")
def rut() -> pd.Series:
    return read_series_csv(DATA / "RUT.csv", "close")


@pytest.fixture(scope="module")
def ru2000pr() -> pd.Series:
    return read_series_csv(DATA / "RU2000PR.csv", "close")


def test_chaining_keeps_the_successor_and_the_predecessors_returns():
    older = pd.Series([100.0, 110.0, 99.0, 120.0], index=pd.date_range("2000-01-03", periods=4))
    newer = pd.Series([12.0, 13.2], index=pd.date_range("2000-01-05", periods=2))
    spliced = chain_before(newer, older)
    assert spliced.loc["2000-01-05":].equals(newer)
    np.testing.assert_allclose(spliced.loc[:"2000-01-05"].pct_change().dropna(), [0.1, -0.1])
    assert spliced.iloc[0] == pytest.approx(12.0 / 99.0 * 100.0)


def test_a_predecessor_that_starts_later_changes_nothing():
    older = pd.Series([1.0], index=pd.DatetimeIndex(["2001-01-01"]))
    newer = pd.Series([5.0], index=pd.DatetimeIndex(["2000-01-01"]))
    assert chain_before(newer, older).equals(newer)


def test_the_two_russell_series_move_together_week_by_week(rut, ru2000pr):
    weekly = pd.concat(
        {"fred": ru2000pr.resample("W-FRI").last(), "yahoo": rut.resample("W-FRI").last()},
        axis=1,
    ).loc["1987-09-18":"2019-01-04"]
    gap = (weekly["fred"].pct_change() - weekly["yahoo"].pct_change()).abs().dropna()
    assert len(gap) > 1500
    assert gap.mean() < 0.0005 and gap.max() < 0.005  # 0.43% at worst, in July 1991


def test_the_level_ratio_is_constant_since_2002(rut, ru2000pr):
    both = pd.concat({"fred": ru2000pr, "yahoo": rut}, axis=1).dropna()
    since_2002 = both.loc["2002":, "fred"] / both.loc["2002":, "yahoo"]
    assert since_2002.max() / since_2002.min() - 1 < 0.002  # SOURCES.md: within 0.14% of 2.485
    # Before 2002 Yahoo's early ^RUT drifts by up to 1.6%: why the splice chains returns rather
    # than levels, and only before ^RUT's first day.
    early = both.loc[:"2001", "fred"] / both.loc[:"2001", "yahoo"]
    assert early.max() / early.min() - 1 < 0.02


def test_the_product_reads_rut_from_1978_with_yahoos_levels_from_1987(embedded_data, rut):
    spliced = embedded_data["^RUT"]
    assert spliced.index[0] == pd.Timestamp("1978-12-29")
    assert spliced.loc["1987-09-10":].equals(rut.loc[: spliced.index[-1]].rename("^RUT"))
    assert "RU2000PR" not in embedded_data


def test_total_returns_switch_to_the_etf_after_the_index_ends_without_losing_a_day():
    index_tr = pd.Series([100.0, 101.0, 102.0], index=pd.date_range("2019-01-08", periods=3))
    etf = pd.Series([50.0, 50.4, 51.0, 51.5], index=pd.date_range("2019-01-08", periods=4))
    spliced = chain_before(etf, index_tr, until=pd.Timestamp("2019-01-10").date())
    returns = spliced.pct_change().dropna()
    np.testing.assert_allclose(returns.loc[:"2019-01-10"], [0.01, 102 / 101 - 1])
    assert returns.loc["2019-01-11"] == pytest.approx(51.5 / 51.0 - 1)  # the ETF's own day
    assert spliced.loc["2019-01-10":].equals(etf.loc["2019-01-10":])
