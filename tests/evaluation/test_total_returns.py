"""The allocation's total returns: FRED's Russell total-return indices until 2019-01-10, then the
ETFs' adjusted closes, spliced so that every return before the switch is the index's and every
level from it on is the ETF's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regime.evaluation.allocation.simulation import asset_returns
from regime.sources.snapshot import read_series_csv

DATA = Path(__file__).resolve().parents[2] / "data" / "market"
LAST_INDEX_DAY = pd.Timestamp("2019-01-10")
FIRST_ETF_DAY = pd.Timestamp("2019-01-11")
PAIRS = [("IWM", "RU2000TR", "small_cap"), ("SPY", "RU1000TR", "large_cap")]


@pytest.mark.parametrize(("etf", "index", "role"), PAIRS, ids=[p[0] for p in PAIRS])
def test_the_splice_has_the_indexs_returns_before_the_switch_and_the_etfs_levels_after(
    etf, index, role, embedded_data
):
    spliced = embedded_data[etf]
    older = read_series_csv(DATA / f"{index}.csv", "close")
    newer = read_series_csv(DATA / f"{etf}.csv", "close")
    assert spliced.index[0] == older.index[0] == pd.Timestamp("1978-12-29")
    before = spliced.loc[:LAST_INDEX_DAY]
    assert before.index.equals(older.index)
    np.testing.assert_allclose(
        before.pct_change().dropna(), older.pct_change().dropna(), rtol=0, atol=1e-12
    )
    after = spliced.loc[FIRST_ETF_DAY:]
    pd.testing.assert_series_equal(after, newer.loc[FIRST_ETF_DAY:], check_names=False)


@pytest.mark.parametrize(("etf", "index", "role"), PAIRS, ids=[p[0] for p in PAIRS])
def test_weekly_total_returns_are_the_spliced_closes_known_each_friday(
    etf, index, role, embedded_dataset
):
    weekly = embedded_dataset.total_returns[role]
    older = read_series_csv(DATA / f"{index}.csv", "close")
    newer = read_series_csv(DATA / f"{etf}.csv", "close")
    # A week before the switch moves as the index did; a week after it is the ETF's close.
    early = weekly.loc["2008-10-03"] / weekly.loc["2008-09-26"]
    assert early == pytest.approx(older.loc["2008-10-03"] / older.loc["2008-09-26"], abs=1e-12)
    assert weekly.loc["2019-01-18"] == newer.loc["2019-01-18"]
    assert weekly.loc["2026-08-21"] == newer.loc["2026-08-21"]
    assert weekly.loc["1980-01-04":].notna().all()


def test_the_backtest_returns_come_from_the_total_return_levels(embedded_dataset):
    cash = pd.Series(5.2, index=embedded_dataset.total_returns.index)
    returns = asset_returns(embedded_dataset.total_returns, cash)
    levels = embedded_dataset.total_returns
    week = pd.Timestamp("2020-03-20")
    previous = week - pd.Timedelta(days=7)
    assert returns.loc[week, "small_cap"] == pytest.approx(
        levels.loc[week, "small_cap"] / levels.loc[previous, "small_cap"] - 1
    )
    assert returns.loc[week, "cash"] == pytest.approx(0.052 / 52)
    # Dividends: the small caps' total return beats their price index over the decades.
    closes = embedded_dataset.closes.loc["1990-01-05":"2018-12-28", "small_cap"]
    price = closes.iloc[-1] / closes.iloc[0]
    total = levels.loc["2018-12-28", "small_cap"] / levels.loc["1990-01-05", "small_cap"]
    assert total > price * 1.3
