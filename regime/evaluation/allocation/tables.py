"""The allocation's tables as text, from an evaluation's `to_dict()`: its figures against
buy-and-hold, the Sharpe differences, the policies chosen, the worst drawdowns, calendar years."""

from __future__ import annotations

from typing import Any

from regime.evaluation.summary import BACKTEST_HEADERS, backtest_rows, text_table
from regime.evaluation.summary import interval_cell as _interval


def allocation_lines(result: dict[str, Any]) -> list[str]:
    """The allocation against buy-and-hold: figures, Sharpe differences, the policies chosen,
    the worst drawdowns and the calendar years."""
    bt = result["backtest"]
    differences = bt["sharpe_difference"]
    sample = next(iter(differences.values()))
    grid = bt["grid"]
    size = len(grid["sensitivity"]) * len(grid["tilt"]) * len(grid["band"])
    return [
        f"allocation {bt['period'][0]} .. {bt['period'][1]} ({bt['n_weeks']} weeks): "
        f"{bt['description']}",
        text_table(BACKTEST_HEADERS, backtest_rows(result)),
        f"allocation's Sharpe ratio minus each buy-and-hold's ({sample['confidence']:.0%} CI, "
        f"circular blocks of {sample['resampling']['block_weeks']} weeks, {sample['samples']} "
        "resamples): "
        + "; ".join(f"{name} {_interval(found)}" for name, found in differences.items()),
        f"policy grid: sensitivity {_values(grid['sensitivity'])} x tilt "
        f"{_values(grid['tilt'])} x band {_values(grid['band'])} ({size} policies); chosen at "
        f"the {len(bt['choices'])} refits of the reported weeks:",
        *(
            f"  sensitivity {p['sensitivity']:g}, tilt {p['tilt']:g}, band {p['band']:g}: "
            f"{p['refits']} refit{'s' if p['refits'] != 1 else ''}"
            for p in bt["policies_chosen"]
        ),
        "",
        "five worst drawdowns of each strategy (peak to the first close back above it)",
        text_table(
            ("strategy", "peak", "trough", "recovery", "depth", "weeks to trough", "weeks"),
            _drawdown_rows(bt["drawdowns"]),
        ),
        "",
        "returns by calendar year (weeks: those reported in the year)",
        text_table(
            ("year", "weeks", *bt["strategies"]),
            [
                (str(y["year"]), str(y["weeks"]), *(f"{y[n]:+.1%}" for n in bt["strategies"]))
                for y in bt["calendar_years"]
            ],
        ),
        *(f"note: {note}" for note in bt["notes"]),
    ]


def _drawdown_rows(drawdowns: dict[str, list[dict[str, Any]]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, found in drawdowns.items():
        for i, d in enumerate(found):
            rows.append(
                (
                    name if i == 0 else "",
                    d["peak"],
                    d["trough"],
                    d["recovery"] or "not recovered",
                    f"{d['depth']:.1%}",
                    str(d["weeks_to_trough"]),
                    str(d["weeks"]),
                )
            )
    return rows


def _values(values: list[float]) -> str:
    return "{" + ", ".join(f"{v:g}" for v in values) + "}"
