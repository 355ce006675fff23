"""The soak (benchmarks/soak.py): its short run passes, and its invariant checks catch damage.

The short soak drives the real CLI in processes against the fake FRED and Yahoo of
benchmarks/soak_fakes.py; the checks below prove that each invariant fails on the damage it is
there to catch, so a green soak means something.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO / "benchmarks"
FINAL_LINE = re.compile(
    r"^20 rounds, \d+ runs, \d+ kills, \d+ faults injected, 0 rows lost, 0 invariants broken$"
)


@pytest.fixture
def checks(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import soak_invariants

    return soak_invariants


@pytest.mark.soak
def test_twenty_rounds_of_the_scheduled_job_under_faults_break_no_invariant():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "soak.py"), "--rounds", "20", "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    assert FINAL_LINE.match(done.stdout.splitlines()[-1]), done.stdout


# -- the checks catch what they are for ---------------------------------------------------------


def history(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A history as regime writes it: application_id, format 1, one row per (week, version)."""
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE predictions (as_of TEXT NOT NULL, model_version TEXT NOT NULL, "
        "regime TEXT NOT NULL, confidence REAL NOT NULL, probabilities TEXT NOT NULL, "
        "stale TEXT NOT NULL, prediction TEXT NOT NULL, recorded_at TEXT NOT NULL, "
        "PRIMARY KEY (as_of, model_version))"
    )
    con.execute("PRAGMA application_id = 1380404552")
    con.execute("PRAGMA user_version = 1")
    for as_of, version, regime in rows:
        proba = {"early_recovery": 0.1, "narrow_rally": 0.1, "neutral": 0.7, "risk_off": 0.1}
        proba[regime] += 0.1
        proba["neutral"] -= 0.1
        con.execute(
            "INSERT INTO predictions VALUES (?, ?, ?, ?, ?, '[]', ?, '2026-01-01T00:00:00')",
            (
                as_of,
                version,
                regime,
                proba[regime],
                json.dumps(proba),
                json.dumps({"as_of": as_of, "regime": regime}),
            ),
        )
    con.commit()
    con.close()
    return path


def test_a_lost_or_rewritten_history_row_is_caught(checks, tmp_path):
    ledger = checks.Ledger()
    path = history(
        tmp_path / "h.sqlite", [("2026-01-02", "v1", "neutral"), ("2026-01-09", "v1", "risk_off")]
    )
    assert checks.check_history(path, ledger, "2026-01-09") == 2

    with sqlite3.connect(path) as con:
        con.execute(
            "UPDATE predictions SET regime = 'narrow_rally', prediction = "
            '\'{"as_of": "2026-01-02", "regime": "narrow_rally"}\' '
            "WHERE as_of = '2026-01-02'"
        )
    with pytest.raises(checks.Broken, match="changed row"):
        checks.check_history(path, ledger, "2026-01-09")

    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM predictions WHERE as_of = '2026-01-09'")
    with pytest.raises(checks.Broken, match="lost 1 row"):
        checks.check_history(path, ledger, "2026-01-09")


def test_a_history_that_is_not_a_regime_database_is_caught(checks, tmp_path):
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(checks.Broken, match="not a readable SQLite database"):
        checks.check_history(path, checks.Ledger(), "2026-01-09")


def cache(root: Path, rows: dict[str, str]) -> dict[str, dict[str, str]]:
    """A cache with fred/DGS10.csv and its manifest entry; returns what the source 'served'."""
    blob = ("date,value\n" + "".join(f"{d},{v}\n" for d, v in rows.items())).encode()
    (root / "fred").mkdir(parents=True)
    (root / "fred" / "DGS10.csv").write_bytes(blob)
    entry = {"sha256": hashlib.sha256(blob).hexdigest(), "rows": len(rows), "last_date": max(rows)}
    (root / "manifest.json").write_text(json.dumps({"files": {"fred/DGS10.csv": entry}}))
    return {"DGS10": dict(rows)}


def test_a_cache_file_that_fails_its_manifest_or_differs_from_the_source_is_caught(
    checks, tmp_path
):
    served = cache(tmp_path, {"2026-01-02": "4.1", "2026-01-05": "4.2"})
    assert checks.check_cache(tmp_path, checks.Ledger(), served, "2026-01-09") == 1

    with pytest.raises(checks.Broken, match="lacks observations the source has"):
        checks.check_cache(
            tmp_path,
            checks.Ledger(),
            {"DGS10": {**served["DGS10"], "2026-01-03": "4.15"}},
            "2026-01-09",
        )
    with pytest.raises(checks.Broken, match="holds 4.2 on 2026-01-05; the source served 4.3"):
        checks.check_cache(
            tmp_path,
            checks.Ledger(),
            {"DGS10": {"2026-01-02": "4.1", "2026-01-05": "4.3"}},
            "2026-01-09",
        )

    (tmp_path / "fred" / "DGS10.csv").write_text("date,value\n2026-01-02,4.1\n")
    with pytest.raises(checks.Broken, match="does not match its manifest checksum"):
        checks.check_cache(tmp_path, checks.Ledger(), served, "2026-01-09")

    ledger = checks.Ledger(
        damaged={"fred/DGS10.csv": checks.sha256(tmp_path / "fred" / "DGS10.csv")}
    )
    assert checks.check_cache(tmp_path, ledger, served, "2026-01-09") == 0  # the soak's own damage


def test_a_first_write_a_kill_cut_before_its_rename_is_allowed_only_as_a_kills_leftover(
    checks, tmp_path
):
    # The soak once stopped on "cache manifest lists fred/BAA.csv, which is not in ...cache":
    # a fetch killed between announcing a new file and renaming it into place. The cache now
    # clears such an announcement when the lock is next taken (tests/sources/test_cache.py).
    served = cache(tmp_path, {"2026-01-02": "4.1"})
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    pending = {"sha256": "0" * 64, "rows": 3, "last_date": "2026-01-07"}
    manifest["files"]["fred/BAA.csv"] = {"pending": pending}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    ledger = checks.Ledger()

    with pytest.raises(checks.Broken, match=r"announces fred/BAA.csv, .*\(without a kill\)"):
        checks.check_cache(tmp_path, checks.Ledger(), served, "2026-01-09")
    assert checks.check_cache(tmp_path, ledger, served, "2026-01-09", killed=True) == 1
    with pytest.raises(
        checks.Broken, match=r"announces fred/BAA.csv, .*\(after a successful process\)"
    ):
        checks.check_cache(tmp_path, ledger, served, "2026-01-09", succeeded=True)

    manifest["files"]["fred/BAA.csv"] = {**pending, "sha256": "1" * 64}  # a recorded write
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(checks.Broken, match="lists fred/BAA.csv, which is not in"):
        checks.check_cache(tmp_path, checks.Ledger(), served, "2026-01-09", killed=True)


def test_a_temporary_file_that_outlives_a_successful_run_is_caught(checks, tmp_path):
    ledger = checks.Ledger()
    (tmp_path / ".DGS10.csv.x1y2.tmp").write_text("half")

    with pytest.raises(checks.Broken, match="temporary files left behind"):
        checks.check_no_leftovers(tmp_path, ledger, killed=False, succeeded=False)
    checks.check_no_leftovers(tmp_path, ledger, killed=True, succeeded=False)  # just killed
    with pytest.raises(checks.Broken, match="temporary files left behind"):
        checks.check_no_leftovers(tmp_path, ledger, killed=False, succeeded=True)


def test_the_key_in_any_file_is_caught(checks, tmp_path):
    key = "0123456789abcdef0123456789abcdef"
    (tmp_path / "secret").write_text(key)
    (tmp_path / "run.log").write_text("fetched DGS10\n")
    ledger = checks.Ledger()
    assert checks.check_key_absent(tmp_path, key, ledger, {tmp_path / "secret"}) == 1

    (tmp_path / "run.log").write_text(f"GET /fred/series/observations?api_key={key}\n")
    with pytest.raises(checks.Broken, match="appears in .*run.log"):
        checks.check_key_absent(tmp_path, key, ledger, {tmp_path / "secret"})
