"""SeriesCache: atomic, checksummed, never silently wrong."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pandas as pd
import pytest

from regime.sources.cache import CorruptCacheError, SeriesCache


def series(values: dict[str, float], name: str = "DGS10") -> pd.Series:
    return pd.Series(list(values.values()), index=pd.DatetimeIndex(list(values)), name=name)


def read(cache: SeriesCache, key: str = "DGS10", kind: str = "fred") -> pd.Series | None:
    with cache.locked():
        return cache.read(key, kind=kind)


def test_a_merge_writes_a_date_value_csv_and_a_manifest_checksum(tmp_path):
    cache = SeriesCache(tmp_path)

    counts = cache.merge("DGS10", series({"2026-01-02": 4.1, "2026-01-05": 4.2}), kind="fred")

    assert (counts.added, counts.revised) == (2, 0)
    assert (tmp_path / "fred" / "DGS10.csv").read_text().splitlines()[0] == "date,value"
    manifest = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert manifest["fred/DGS10.csv"]["rows"] == 2
    assert read(cache).tolist() == [4.1, 4.2]


def test_fresh_values_win_and_revisions_are_counted(tmp_path):
    cache = SeriesCache(tmp_path)
    cache.merge("DGS10", series({"2026-01-02": 4.1, "2026-01-05": 4.2}), kind="fred")

    counts = cache.merge("DGS10", series({"2026-01-05": 4.25, "2026-01-06": 4.3}), kind="fred")

    assert (counts.added, counts.revised, counts.revised_dates) == (1, 1, ("2026-01-05",))
    assert read(cache).tolist() == [4.1, 4.25, 4.3]


def test_index_symbols_are_stored_without_the_caret(tmp_path):
    SeriesCache(tmp_path).merge("^RUT", series({"2026-01-02": 2000.0}, "^RUT"), kind="market")

    assert (tmp_path / "market" / "RUT.csv").is_file()


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[:-7]),  # truncated
        lambda p: p.write_text("date,value\n2026-01-02,4.1\n"),  # edited: checksum differs
        lambda p: p.write_bytes(b"\x00\xff garbage"),  # unparsable
    ],
    ids=["truncated", "wrong-checksum", "unparsable"],
)
def test_a_damaged_file_is_detected_never_used(tmp_path, damage):
    cache = SeriesCache(tmp_path)
    cache.merge("DGS10", series({"2026-01-02": 4.1, "2026-01-05": 4.2}), kind="fred")
    damage(tmp_path / "fred" / "DGS10.csv")

    with pytest.raises(CorruptCacheError, match="DGS10: cache file .*DGS10.csv"):
        read(cache)


def test_a_file_the_manifest_does_not_know_is_not_trusted(tmp_path):
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "DGS10.csv").write_text("date,value\n2026-01-02,4.1\n")

    with pytest.raises(CorruptCacheError, match="no manifest entry"):
        read(SeriesCache(tmp_path))


def test_quarantine_moves_the_file_aside_and_forgets_it(tmp_path):
    cache = SeriesCache(tmp_path)
    cache.merge("DGS10", series({"2026-01-02": 4.1}), kind="fred")

    with cache.locked():
        moved = cache.quarantine("DGS10", kind="fred")

    assert moved is not None and moved.parent == tmp_path / "corrupt" and moved.is_file()
    assert read(cache) is None


def test_writes_leave_no_temporary_files(tmp_path):
    cache = SeriesCache(tmp_path)
    for day in range(2, 6):
        cache.merge("DGS10", series({f"2026-01-0{day}": 4.0 + day / 10}), kind="fred")

    leftovers = [p.name for p in tmp_path.rglob("*.tmp")]
    assert leftovers == []
    assert len(read(cache)) == 4


# A writer SIGKILLed between writing its temporary file and renaming it over the real one.
KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
import regime.atomic as atomic
atomic.os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
atomic.write_bytes_atomic(Path(sys.argv[1]), b"date,value\\n")
"""


def test_a_temporary_file_left_by_a_killed_writer_is_removed_under_the_lock(tmp_path):
    # Found by the soak (benchmarks/soak.py): `regime fetch` killed mid-write left
    # `.DGS10.csv.<random>.tmp` files in the cache for ever.
    cache = SeriesCache(tmp_path)
    cache.merge("DGS10", series({"2026-01-02": 4.1}), kind="fred")
    for target in (tmp_path / "fred" / "DGS10.csv", tmp_path / "manifest.json"):
        killed = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(target)])
        assert killed.returncode == -signal.SIGKILL
    assert len(list(tmp_path.rglob("*.tmp"))) == 2

    assert read(cache).tolist() == [4.1]  # the old file, whole

    assert list(tmp_path.rglob("*.tmp")) == []


# A merge SIGKILLed just before its n-th rename (file or manifest); exits 0 if it has fewer.
KILLED_MERGE = """
import os, signal, sys
import pandas as pd
import regime.atomic as atomic
from regime.sources.cache import SeriesCache
rename, calls = os.replace, []
def replace(src, dst):
    calls.append(dst)
    if len(calls) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    rename(src, dst)
atomic.os.replace = replace
fresh = pd.Series([4.2, 4.3], index=pd.DatetimeIndex(["2026-01-05", "2026-01-06"]), name="DGS10")
SeriesCache(sys.argv[1]).merge("DGS10", fresh, kind="fred")
"""


def test_a_merge_killed_at_any_rename_leaves_the_old_series_or_the_new_one(tmp_path):
    # Found by the soak (benchmarks/soak.py): a fetch killed between renaming the new file into
    # place and rewriting the manifest left a good file that failed its checksum; it was then
    # thrown away as corrupt and downloaded again in full.
    old, new = [4.1], [4.1, 4.2, 4.3]
    for n in range(1, 10):
        root = tmp_path / str(n)
        SeriesCache(root).merge("DGS10", series({"2026-01-02": 4.1}), kind="fred")
        killed = subprocess.run([sys.executable, "-c", KILLED_MERGE, str(root), str(n)])
        if killed.returncode == 0:
            break  # the merge has fewer renames than n: every kill point was tried
        assert killed.returncode == -signal.SIGKILL

        assert read(SeriesCache(root)).tolist() in (old, new), f"killed before rename {n}"
    else:
        pytest.fail("the merge never finished")
    assert n > 2


def test_an_unreadable_manifest_makes_every_file_untrusted(tmp_path):
    cache = SeriesCache(tmp_path)
    cache.merge("DGS10", series({"2026-01-02": 4.1}), kind="fred")
    (tmp_path / "manifest.json").write_text("{not json")

    with pytest.raises(CorruptCacheError):
        read(cache)
    assert any(p.name.startswith("manifest.json") for p in (tmp_path / "corrupt").iterdir())


def test_a_first_write_killed_before_its_rename_leaves_no_announcement_once_the_lock_is_taken(
    tmp_path,
):
    # Found by the soak (benchmarks/soak.py, "cache manifest lists fred/BAA.csv, which is not in
    # the cache"): a fetch killed between announcing a new series' file in the manifest and
    # renaming it into place left an entry vouching for a file that never arrived.
    killed = subprocess.run([sys.executable, "-c", KILLED_MERGE, str(tmp_path), "2"])
    assert killed.returncode == -signal.SIGKILL
    manifest = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert list(manifest) == ["fred/DGS10.csv"] and "sha256" not in manifest["fred/DGS10.csv"]

    assert read(SeriesCache(tmp_path)) is None  # no file: nothing to read, as before

    assert json.loads((tmp_path / "manifest.json").read_text())["files"] == {}
    assert list(tmp_path.rglob("*.tmp")) == []


def test_after_a_merge_killed_anywhere_the_manifest_lists_only_files_that_exist(tmp_path):
    for n in range(1, 10):
        root = tmp_path / str(n)
        SeriesCache(root).merge("DGS2", series({"2026-01-02": 4.1}, name="DGS2"), kind="fred")
        killed = subprocess.run([sys.executable, "-c", KILLED_MERGE, str(root), str(n)])
        if killed.returncode == 0:
            break

        read(SeriesCache(root), "DGS2")  # any process taking the lock

        listed = json.loads((root / "manifest.json").read_text())["files"]
        assert all((root / rel).is_file() for rel in listed), f"killed before rename {n}"
    assert n > 2


def test_an_entry_for_a_file_someone_deleted_is_not_taken_for_an_unfinished_write(tmp_path):
    cache = SeriesCache(tmp_path)
    cache.merge("DGS10", series({"2026-01-02": 4.1}), kind="fred")
    (tmp_path / "fred" / "DGS10.csv").unlink()

    assert read(cache) is None

    assert "fred/DGS10.csv" in json.loads((tmp_path / "manifest.json").read_text())["files"]
