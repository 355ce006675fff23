"""Property: whatever bytes a CSV file holds, the snapshot reader and the cache reader give a
series or a DataSourceError, never another exception (hypothesis; derandomized, so every run
tries the same inputs and a failure replays)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from regime.errors import DataSourceError
from regime.sources.cache import MANIFEST, CorruptCacheError, SeriesCache, relative_path
from regime.sources.snapshot import read_series_csv

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Cells that look like what the files hold, and some that do not.
CELL = st.one_of(
    st.sampled_from(["", ".", "nan", "inf", "-inf", "1e308", "1e309", "-0", "NA", "null"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "1677-09-21", "2262-04-12"]),
    st.text(max_size=12),
)
ROW = st.lists(CELL, min_size=0, max_size=4).map(",".join)
CSV_LIKE = st.builds(
    lambda header, rows: (header + "\n" + "\n".join(rows)).encode("utf-8", "surrogatepass"),
    st.sampled_from(["date,close", "date,value", "close,date", "date", "date,close,close", ""]),
    st.lists(ROW, max_size=8),
)
ANY_BYTES = st.one_of(st.binary(max_size=300), CSV_LIKE)


def assert_clean(series: pd.Series) -> None:
    """What a reader promises when it returns: dates unique and increasing, float values."""
    assert isinstance(series.index, pd.DatetimeIndex)
    assert series.index.is_monotonic_increasing and not series.index.has_duplicates
    assert series.dtype == np.float64


@PROPERTY
@given(blob=ANY_BYTES)
@example(blob=b"date,close\n2026-01-02,1\n2026-01-02,2\n")
@example(blob=b"date,close\n2026-01-02,\xff\n")
@example(blob=b"\xef\xbb\xbfdate,close\n2026-01-02,1\n")
def test_any_snapshot_file_gives_a_series_or_a_data_source_error(blob):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "RUT.csv"
        path.write_bytes(blob)
        try:
            series = read_series_csv(path, "close")
        except DataSourceError:
            return
        assert_clean(series)


def write_cached(root: Path, blob: bytes, manifest: bytes | None = None) -> None:
    rel = relative_path("DGS10", kind="fred")
    (root / "fred").mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(blob)
    if manifest is None:  # an entry that vouches for the file: the parser is what is tested
        entry = {"sha256": hashlib.sha256(blob).hexdigest(), "rows": 0, "last_date": None}
        manifest = json.dumps({"files": {rel: entry}}).encode()
    (root / MANIFEST).write_bytes(manifest)


@PROPERTY
@given(blob=ANY_BYTES.map(lambda b: b.replace(b"date,close", b"date,value")))
@example(blob=b"date,value\n2026-01-02,1\n2026-01-01,2\n")
@example(blob=b"date,value\n")
def test_any_cache_file_gives_a_series_or_a_corrupt_cache_error(blob):
    with tempfile.TemporaryDirectory() as folder:
        cache = SeriesCache(Path(folder))
        write_cached(cache.root, blob)
        try:
            with cache.locked():
                series = cache.read("DGS10", kind="fred")
        except CorruptCacheError:
            return
        assert series is not None
        assert_clean(series)


@PROPERTY
@given(manifest=st.one_of(st.binary(max_size=200), st.text(max_size=80).map(str.encode)))
@example(manifest=b'{"files": []}')
@example(manifest=b'{"files": {"fred/DGS10.csv": 3}}')
@example(manifest=b'{"files": {"fred/DGS10.csv": {"pending": 7}}}')
def test_any_manifest_gives_a_series_or_a_corrupt_cache_error(manifest):
    with tempfile.TemporaryDirectory() as folder:
        cache = SeriesCache(Path(folder))
        write_cached(cache.root, b"date,value\n2026-01-02,4.1\n", manifest)
        try:
            with cache.locked():
                series = cache.read("DGS10", kind="fred")
        except CorruptCacheError:
            return
        assert series is not None
        assert_clean(series)
