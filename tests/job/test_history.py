"""`regime history`: what `regime run` recorded, oldest week first, regime changes marked."""

from __future__ import annotations

import csv
import io
import json

import pytest

from regime.errors import HistoryError
from regime.job.history import open_history, read_history, record
from regime.model.predict import RegimePrediction

CALLS = [  # (week, regime, model version)
    ("2026-07-31", "neutral", "v1"),
    ("2026-08-07", "neutral", "v1"),
    ("2026-08-14", "risk_off", "v1"),
    ("2026-08-21", "risk_off", "v1"),
    ("2026-08-28", "early_recovery", "v1"),
]


def prediction(as_of: str, regime: str, version: str) -> RegimePrediction:
    proba = {r: 0.1 for r in ("early_recovery", "narrow_rally", "neutral", "risk_off")}
    proba[regime] = 0.7
    return RegimePrediction(
        as_of=as_of,
        regime=regime,
        confidence=0.7,
        probabilities=proba,
        drivers=(),
        data_through={},
        stale=(),
        stale_at_week=(),
        week_age_days=0,
        model={"version": version, "trained_through": "2026-08-14"},
    )


@pytest.fixture
def recorded(deployment):
    path = deployment.history
    con = open_history(path)
    try:
        added = [record(con, path, prediction(*call)) for call in CALLS]
        again = record(con, path, prediction(*CALLS[0]))
    finally:
        con.close()
    assert added == [True] * len(CALLS) and again is False
    return deployment


def test_changes_are_marked_against_the_week_before(recorded):
    rows = read_history(recorded.history)

    assert [(r.as_of, r.changed_from) for r in rows] == [
        ("2026-07-31", None),
        ("2026-08-07", None),
        ("2026-08-14", "neutral"),
        ("2026-08-21", None),
        ("2026-08-28", "risk_off"),
    ]


def test_since_keeps_the_change_seen_from_before_it(recorded, invoke):
    result = invoke(recorded, "history", "--since", "2026-08-14", "--format", "json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["as_of"] for r in rows] == ["2026-08-14", "2026-08-21", "2026-08-28"]
    assert [r["regime_change"] for r in rows] == [True, False, True]


def test_table_and_csv(recorded, invoke):
    table = invoke(recorded, "history").stdout.splitlines()
    assert table[0].split() == [
        "week",
        "regime",
        "conf.",
        "lead",
        "bear",
        "rec.",
        "model",
        "change",
    ]
    assert table[3].endswith("<- from neutral")

    rows = list(csv.DictReader(io.StringIO(invoke(recorded, "history", "--format", "csv").stdout)))
    assert [r["regime_change"] for r in rows] == ["0", "0", "1", "0", "1"]
    assert rows[2]["changed_from"] == "neutral" and float(rows[2]["p_risk_off"]) == 0.7


def test_no_history_yet_is_a_clear_error(deployment, guarded):
    code, out, err = guarded(deployment, "history")

    assert code == HistoryError.exit_code and out == ""
    assert err.startswith("error: no prediction history at ") and "`regime run`" in err
