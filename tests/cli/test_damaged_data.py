"""Damaged data never gives a silent answer: each damaged-input class, applied to a copy of the
embedded data, gives one line naming the series, the file, the date and the value, and its exit
code (3: an impossible row, or an implausible one under --strict; 0 with a warning otherwise).

Each test runs the real command in a subprocess, as cron would, on a day the data is fresh
($REGIME_TODAY: the Monday after the data's last week).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from regime.errors import shown_path
from regime.sources.cache import SeriesCache
from tests.deployment import REPO, Deployment

TODAY = "2026-08-24"
LAST_WEEK = "2026-08-21"
VERSION_SKEW = ("model was saved with", "InconsistentVersionWarning")
DROP = "validation.impossible: drop would skip such rows"


def said(stderr: str) -> str:
    """stderr without the library-version warnings of loading the committed model elsewhere."""
    lines = stderr.splitlines(keepends=True)
    return "".join(line for line in lines if not any(skew in line for skew in VERSION_SKEW))


@pytest.fixture
def damaged(deployment: Deployment) -> Deployment:
    """The deployment reading a copy of the embedded data (data/) under its own folder."""
    shutil.copytree(REPO / "data", deployment.root / "data")
    configure(deployment, paths={"data": str(deployment.root / "data")})
    deployment.env["REGIME_TODAY"] = TODAY
    return deployment


def configure(deployment: Deployment, **sections: dict) -> None:
    raw = yaml.safe_load(deployment.config.read_text())
    for name, values in sections.items():
        raw[name] = {**raw.get(name, {}), **values}
    deployment.config.write_text(yaml.safe_dump(raw, sort_keys=False))


FOLDER = {"GSPC": "market", "RUT": "market", "DGS10": "fred"}


def data_file(deployment: Deployment, name: str) -> Path:
    return deployment.root / "data" / FOLDER[name] / f"{name}.csv"


def edit_last_row(deployment: Deployment, name: str, edit) -> tuple[str, str]:
    """Replace the last row's value by `edit(value)`; return (date, new value)."""
    path = data_file(deployment, name)
    lines = path.read_text().splitlines()
    day, value = lines[-1].split(",")
    lines[-1] = f"{day},{edit(value)}"
    path.write_text("\n".join(lines) + "\n")
    return day, edit(value)


def append_row(deployment: Deployment, name: str, row: str) -> None:
    path = data_file(deployment, name)
    path.write_text(path.read_text() + row + "\n")


def where(deployment: Deployment, name: str) -> str:
    return shown_path(data_file(deployment, name))


# -- impossible rows: exit 3, one line -----------------------------------------------------


@pytest.mark.parametrize(("name", "symbol"), [("GSPC", "^GSPC"), ("RUT", "^RUT")])
def test_a_negative_last_close_of_either_index_stops_with_one_line(damaged, name, symbol):
    day, value = edit_last_row(damaged, name, lambda v: f"-{v}")

    done = damaged.regime("predict")

    assert done.returncode == 3
    assert said(done.stderr) == (
        f"error: {symbol}: {where(damaged, name)} has 1 impossible row: {day} close {value}: "
        f"not positive; {DROP}\n"
    )


@pytest.mark.parametrize(
    ("name", "noun"),
    [
        ("GSPC", "^GSPC: {} has 1 impossible row: {} close"),
        ("DGS10", "DGS10: {} has 1 impossible row: {} value"),
    ],
)
def test_a_non_numeric_cell_in_the_last_row_stops_naming_it_as_written(damaged, name, noun):
    day, _ = edit_last_row(damaged, name, lambda v: v + "x")

    done = damaged.regime("predict")

    assert done.returncode == 3
    cell = data_file(damaged, name).read_text().splitlines()[-1].split(",")[1]
    assert said(done.stderr) == (
        f"error: {noun.format(where(damaged, name), day)} '{cell}': not a number; {DROP}\n"
    )


def test_a_row_dated_2030_stops_as_dated_after_today(damaged):
    append_row(damaged, "GSPC", "2030-01-04,7700.00")

    done = damaged.regime("predict")

    assert done.returncode == 3
    assert said(done.stderr) == (
        f"error: ^GSPC: {where(damaged, 'GSPC')} has 1 impossible row: 2030-01-04 close 7700: "
        f"dated after today ({TODAY}); {DROP}\n"
    )


def test_a_replay_ignores_the_rows_after_its_date(damaged):
    append_row(damaged, "GSPC", "2030-01-04,7700.00")

    done = damaged.regime("predict", "--as-of", LAST_WEEK, "--format", "json")

    assert (done.returncode, said(done.stderr)) == (0, "")
    assert json.loads(done.stdout)["as_of"] == LAST_WEEK


def test_a_replay_up_to_the_bad_row_reads_it(damaged):
    append_row(damaged, "GSPC", "2030-01-04,7700.00")

    done = damaged.regime("predict", "--as-of", "2030-01-04")

    assert done.returncode == 3
    assert "2030-01-04 close 7700: dated after today (2026-08-24)" in said(done.stderr)


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("repeat", "2026-08-21 close 7674.37: a repeated date"),
        ("swap", "2026-08-20 close 7641.16: out of order, after 2026-08-21"),
    ],
)
def test_a_repeated_or_unordered_date_stops(damaged, damage, why):
    path = data_file(damaged, "GSPC")
    lines = path.read_text().splitlines()
    if damage == "repeat":
        lines.append(lines[-1])
    else:
        lines[-1], lines[-2] = lines[-2], lines[-1]
    path.write_text("\n".join(lines) + "\n")

    done = damaged.regime("predict")

    assert done.returncode == 3
    assert said(done.stderr) == (
        f"error: ^GSPC: {where(damaged, 'GSPC')} has 1 impossible row: {why}; {DROP}\n"
    )


def test_a_file_cut_in_the_middle_of_a_row_stops_at_that_row(damaged):
    path = data_file(damaged, "GSPC")
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 2])
    partial = blob[: len(blob) // 2].decode().splitlines()[-1]
    assert "," not in partial  # the cut falls inside a date: the row has no value

    done = damaged.regime("predict")

    assert done.returncode == 3
    assert said(done.stderr) == (
        f"error: ^GSPC: {where(damaged, 'GSPC')} has 1 impossible row: '{partial}' close "
        f"(blank): not a YYYY-MM-DD date; {DROP}\n"
    )


def test_with_drop_an_impossible_row_is_left_out_and_named(damaged):
    configure(damaged, validation={"impossible": "drop"})
    append_row(damaged, "GSPC", "2030-01-04,7700.00")

    done = damaged.regime("predict", "--format", "json")

    assert done.returncode == 0
    assert said(done.stderr) == (
        f"warning: ^GSPC: dropped 1 impossible row of {where(damaged, 'GSPC')}: 2030-01-04 close "
        f"7700: dated after today ({TODAY})\n"
    )
    assert json.loads(done.stdout)["as_of"] == LAST_WEEK


def test_an_impossible_row_in_the_cache_stops_naming_the_cache_file(damaged):
    cache = SeriesCache(damaged.root / "cache")
    closes = pd_series({"2026-08-24": -7700.0})
    cache.merge("^GSPC", closes, kind="market")
    damaged.env["REGIME_TODAY"] = "2026-08-25"

    done = damaged.regime("predict")

    assert done.returncode == 3
    assert said(done.stderr) == (
        f"error: ^GSPC: {shown_path(cache.root / 'market' / 'GSPC.csv')} has 1 impossible row: "
        f"2026-08-24 close -7700: not positive; {DROP}\n"
    )


def pd_series(values: dict[str, float]):
    import pandas as pd

    return pd.Series(list(values.values()), index=pd.DatetimeIndex(list(values)), dtype=float)


# -- implausible values: a warning (exit 3 under --strict), never dropped ---------------------


def test_a_last_close_ten_times_the_one_before_is_warned_about_and_kept(damaged):
    day, value = edit_last_row(damaged, "GSPC", lambda v: f"{float(v) * 10:.2f}")

    done = damaged.regime("predict", "--format", "json")

    assert done.returncode == 0
    assert said(done.stderr) == (
        f"warning: ^GSPC: {where(damaged, 'GSPC')} has 1 implausible value, kept: {day} close "
        f"{float(value):g}: +886% in a week (from 7785.76 on 2026-08-14), beyond "
        "validation.weekly_move (40%)\n"
    )
    assert json.loads(done.stdout)["as_of"] == LAST_WEEK


@pytest.mark.parametrize("command", [("predict", "--strict"), ("run", "--offline", "--strict")])
def test_under_strict_an_implausible_close_stops(damaged, command):
    edit_last_row(damaged, "GSPC", lambda v: f"{float(v) * 10:.2f}")

    done = damaged.regime(*command)

    assert done.returncode == 3
    line = f"^GSPC: {where(damaged, 'GSPC')} has 1 implausible value: 2026-08-21 close 76743.7: "
    errors = [e for e in said(done.stderr).splitlines() if "error" in e.lower()]
    assert len(errors) == 1 and line in errors[0] and errors[0].endswith("--strict stops on it")
    assert "Traceback" not in done.stderr


def test_a_ten_year_yield_of_999_in_the_snapshot_is_warned_about(damaged):
    day, _ = edit_last_row(damaged, "DGS10", lambda v: "999")

    done = damaged.regime("predict")

    assert done.returncode == 0
    assert said(done.stderr) == (
        f"warning: DGS10: {where(damaged, 'DGS10')} has 1 implausible value, kept: {day} value "
        "999: not a yield between -5 and 30\n"
    )
    assert damaged.regime("predict", "--strict").returncode == 3


# -- the week predicted is the last week both indices have ---------------------------------


def test_a_small_cap_index_a_week_longer_waits_for_the_large_cap(damaged):
    append_row(damaged, "RUT", "2026-08-24,3020.00")
    append_row(damaged, "RUT", "2026-08-28,3050.00")
    damaged.env["REGIME_TODAY"] = "2026-08-31"

    done = damaged.regime("predict", "--format", "json")

    assert done.returncode == 0
    assert said(done.stderr).splitlines()[0] == (
        "warning: ^GSPC ends on 2026-08-21, ^RUT on 2026-08-28: the week predicted is "
        f"{LAST_WEEK}, the last both indices have; run `regime fetch` for newer data"
    )
    answer = json.loads(done.stdout)
    assert answer["as_of"] == LAST_WEEK
    assert answer["data_through"]["^GSPC"]["last_observation"] == LAST_WEEK


def test_a_week_only_the_small_cap_has_names_the_large_cap(damaged):
    append_row(damaged, "RUT", "2026-08-28,3050.00")
    damaged.env["REGIME_TODAY"] = "2026-08-31"

    done = damaged.regime("predict", "--as-of", "2026-08-28")

    assert done.returncode == 3
    assert said(done.stderr) == (
        "error: no ^GSPC close for the week of 2026-08-28; ^GSPC covers 1927-12-30 to "
        f"{LAST_WEEK} (run `regime fetch` for newer data)\n"
    )


def test_an_index_that_ends_weeks_early_is_named_stale(damaged):
    path = data_file(damaged, "GSPC")
    lines = path.read_text().splitlines()
    kept = [line for line in lines[1:] if line.split(",")[0] <= "2026-07-29"]  # a Wednesday
    path.write_text("\n".join([lines[0], *kept]) + "\n")

    done = damaged.regime("predict", "--format", "json")

    assert done.returncode == 0
    assert "warning: ^GSPC ends on 2026-07-29, ^RUT on 2026-08-21: the week predicted is " in (
        done.stderr
    )
    answer = json.loads(done.stdout)
    assert answer["as_of"] == "2026-07-24"
    assert {"^GSPC", "^RUT"} <= set(answer["stale"])  # a month old today: more than 10 days


def test_an_index_file_truncated_to_half_names_the_index_and_where_it_ends(damaged):
    path = data_file(damaged, "GSPC")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[: len(lines) // 2]) + "\n")
    end = lines[len(lines) // 2 - 1].split(",")[0]

    done = damaged.regime("predict")

    assert done.returncode == 3
    assert said(done.stderr) == (
        f"error: ^GSPC ends on {end}, before the earliest week this model can answer "
        "(1981-01-02); restore its file or run `regime fetch`\n"
    )


# -- clean data ------------------------------------------------------------------------------


def test_the_embedded_data_gives_no_warning_at_all(damaged):
    done = damaged.regime("predict", "--strict", "--format", "json")

    assert (done.returncode, said(done.stderr)) == (0, "")
    assert json.loads(done.stdout)["as_of"] == LAST_WEEK
