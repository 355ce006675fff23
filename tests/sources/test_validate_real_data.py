"""The checks against the real history: the embedded data passes every one in silence, strict
or not, though it holds the largest real weeks (which a tighter bound would flag); and the
ranges and figures docs/data/validation.md quotes are the code's and the data's."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from regime.errors import InvalidDataError
from regime.sources import load_market_data
from regime.sources.snapshot import read_series_csv, snapshot_path
from regime.sources.validate import ROLE_RULES, reading, weekly_moves

DOC = Path(__file__).resolve().parents[2] / "docs" / "data" / "validation.md"


def closes(settings, key: str, **changes):
    checks = reading(settings, **changes)
    return read_series_csv(
        snapshot_path(settings.data_dir, key, is_index=True), "close", checks, key
    )


def test_the_embedded_data_passes_every_check_without_a_warning(project_settings, caplog):
    with caplog.at_level(logging.WARNING):
        data = load_market_data(project_settings, strict=True)

    assert caplog.records == []
    assert set(data.series) >= {*project_settings.fred_series, *project_settings.index_symbols}


@pytest.mark.parametrize(
    ("key", "week", "move"), [("^RUT", "1987-10-23", -0.204), ("^IXIC", "2000-04-14", -0.253)]
)
def test_the_largest_real_weeks_are_in_the_data_and_pass(project_settings, key, week, move):
    series = closes(project_settings, key, strict=True)  # raises on an implausible week

    fridays = series.resample("W-FRI").last().pct_change(fill_method=None)
    assert fridays.idxmin().date().isoformat() == week
    assert fridays.min() == pytest.approx(move, abs=0.0005)


def test_a_bound_tighter_than_history_would_flag_the_1987_crash(project_settings):
    tight = project_settings.model_copy(
        update={"validation": project_settings.validation.model_copy(update={"weekly_move": 0.2})}
    )

    with pytest.raises(
        InvalidDataError, match=r"\^RUT: .* 1987-10-20 close 121.39: -26% in a week"
    ):
        closes(tight, "^RUT", strict=True)


def doc_rows(heading: str) -> list[list[str]]:
    """The cells of the first table after the line containing `heading`."""
    text = DOC.read_text(encoding="utf-8")
    after = text[text.index(heading) :]
    rows = []
    for line in (line.strip() for line in after.splitlines()):
        if line.startswith("|---"):
            continue
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[1:]  # without the header


def test_the_documented_ranges_are_the_codes():
    documented = {
        row[0].strip("`"): row[1] for row in doc_rows("**A FRED value outside its role's range:**")
    }
    indicator = documented.pop("the recession indicator (`recession.indicator`, USREC)")

    assert documented == {role: rule.what for role, rule in ROLE_RULES.items()}
    assert indicator == "between 0 and 1"


def test_the_documented_largest_moves_are_the_datas(project_settings):
    rows = doc_rows("The bounds let every real observation through.")
    keys = (*project_settings.index_symbols, *project_settings.indices.snapshot_only)

    assert [row[0].strip("`") for row in rows] == list(keys)
    for key, first, fall, rise, week in rows:
        series = closes(project_settings, key.strip("`"))
        moves = weekly_moves(series)
        fridays = series.resample("W-FRI").last().pct_change(fill_method=None)
        assert first == series.index[0].date().isoformat()
        assert fall == f"{moves.min():+.1%} to {moves.idxmin().date()}"
        assert rise == f"{moves.max():+.1%} to {moves.idxmax().date()}"
        assert week == f"{fridays.min():+.1%} ({fridays.idxmin().date()})"
        assert max(-moves.min(), moves.max()) < project_settings.validation.weekly_move


def test_the_config_quotes_the_worst_weeks_of_the_data():
    config = (Path(__file__).resolve().parents[2] / "config.yaml").read_text()
    quoted = re.findall(r"([-+]\d+\.\d)% to (\d{4}-\d{2}-\d{2})", config)
    table = " ".join(" ".join(row) for row in doc_rows("The bounds let every real"))

    assert quoted and all(f"{move}% to {day}" in table for move, day in quoted)
