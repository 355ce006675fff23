"""The page's sections after "now", each drawn from the evaluation's dict and a few frames.

A section returns None when the evaluation has no key for it, so an evaluation with more (or
fewer) parts still gives a page: add a function here and name it in page.py.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from regime.constants import WEEKS_PER_YEAR
from regime.evaluation.calls.tables import ablation_lines, period_tables
from regime.evaluation.report.html_parts import bullets, esc, num, pct, table
from regime.evaluation.summary import COMPARISON_HEADERS, comparison_lines, comparison_rows


def sources_table(runs: list[dict[str, Any]], version: str) -> str:
    rows = []
    for run in runs:
        if run["source"].startswith("walk-forward"):
            who = "walk-forward: the model refitted before each block (out of sample, judged)"
        else:
            who = f"model {version}, " + (
                "on weeks it was trained on (in sample)"
                if run["in_sample"]
                else "after its last training label (out of sample, not yet judged)"
            )
        truth = f"{run['provisional']} provisional" if run["provisional"] else "final"
        rows.append((f"{run['first']} .. {run['last']}", str(run["weeks"]), who, truth))
    return table(("weeks", "count", "whose call", "truth"), rows)


def bear_section(result: dict[str, Any]) -> str | None:
    bears = result.get("bear_markets") or {}
    episodes = bears.get("episodes")
    if not episodes:
        return None
    names = list(episodes[0]["models"])
    rows = []
    for episode in episodes:
        models = episode["models"]
        cells = [
            "-"
            if models[n]["lag_weeks"] is None
            else f"{models[n]['lag_weeks']} / {models[n]['weeks_flagged']}"
            for n in names
        ]
        first = models[names[0]]["first_call"] or "never"
        rows.append((episode["peak"], episode["trough"], str(episode["weeks"]), first, *cells))
    return (
        f"<h2 id='bears'>Bear market by bear market ({bears['count']})</h2>"
        "<p>Each cell: weeks from the peak to the model's first risk_off call / weeks it called "
        "risk_off inside the bear market (- never called). Every figure about entering or leaving "
        f"a bear market rests on these {bears['count']}.</p>"
        + table(("peak", "trough", "weeks", "regime's first call", *names), rows)
    )


def dynamics_section(matrix: pd.DataFrame, runs: pd.DataFrame, first: str, last: str) -> str:
    rows = [(state, *(pct(matrix.loc[state, r]) for r in matrix.columns)) for state in matrix.index]
    spells = [
        (state, str(int(r["runs"])), f"{r['mean_weeks']:.1f}", str(int(r["longest"])))
        for state, r in runs.iterrows()
    ]
    return (
        "<h2 id='dynamics'>How the regimes follow one another</h2>"
        f"<p>Hindsight labels of the judged weeks, {esc(first)} to {esc(last)}. Left: the "
        "probability that next week's label is the column's, given this week's is the row's "
        "(rows add up to 100%). Right: spells of consecutive weeks in one regime (the first "
        "and last spell count with the weeks seen).</p><div class='columns'><div>"
        + table(("this week \\ next week", *matrix.columns), rows)
        + "</div><div>"
        + table(("regime", "spells", "mean weeks", "longest"), spells)
        + "</div></div>"
    )


def forward_section(
    forward: pd.DataFrame, horizons: tuple[int, ...], total_series: dict[str, str] | None
) -> str:
    """`total_series` names the total-return series measured ({role: symbol}), None for prices."""
    headers = ["called regime"]
    for h in horizons:
        headers += [f"{h}w mean", f"{h}w median", f"{h}w RUT ahead", f"{h}w weeks"]
    rows = []
    for name, row in forward.iterrows():
        cells = [str(name)]
        for h in horizons:
            cells += [
                pct(row[f"{h}w mean"]),
                pct(row[f"{h}w median"]),
                pct(row[f"{h}w share > 0"], 0),
                f"{int(row[f'{h}w weeks']):,}",
            ]
        rows.append(tuple(cells))
    measure = (
        "total returns, dividends reinvested ("
        + ", ".join(f"{role} {symbol}" for role, symbol in total_series.items())
        + ", each chained to its older total-return index: `indices.total_return`)"
        if total_series
        else "price returns (no dividends: the data has no total-return series)"
    )
    horizon_words = ", ".join(str(h) for h in horizons)
    return (
        "<h2 id='forward'>What followed each call</h2>"
        f"<p>Small caps minus large caps over the next {horizon_words} weeks, in {measure}, "
        "after the weeks the walk-forward called each regime (out of sample). 'RUT ahead' is "
        "the share of those weeks small caps did better. Consecutive weeks' windows overlap, "
        "so the week counts overstate the independent outcomes.</p>" + table(headers, rows)
    )


def comparison_section(result: dict[str, Any]) -> str:
    no_proba = ", ".join(n for n, m in result["models"].items() if not m["has_probabilities"])
    return (
        "<h2 id='comparison'>Every model on the judged weeks</h2>"
        + table(COMPARISON_HEADERS, comparison_rows(result))
        + (bullets(comparison_lines(result), "note") if result.get("comparison") else "")
        + f"<p class='note'>No probabilities, so no log loss, Brier or ECE: {esc(no_proba)}. Mean "
        "lag: weeks from the peak to the first risk_off call, over detected bear markets.</p>"
        + bullets((f"{n}: {m['note']}" for n, m in result["models"].items()), "note")
    )


def text_section(title: str, anchor: str, summary: str, lines: list[str]) -> str:
    """The CLI's own text tables, folded: the page stays short, the figures stay one click away."""
    return (
        f"<h2 id='{anchor}'>{esc(title)}</h2><details><summary>{esc(summary)}</summary>"
        f"<pre>{esc(chr(10).join(lines))}</pre></details>"
    )


def periods_section(result: dict[str, Any]) -> str | None:
    if not result.get("periods"):
        return None
    spans = ", ".join(p["name"] for p in result["periods"])
    return text_section(
        "The whole span and each sub-period",
        "periods",
        f"Every score of every model in {spans} (as `regime evaluate` prints them)",
        period_tables(result),
    )


def ablation_section(result: dict[str, Any]) -> str | None:
    if not (result.get("ablation") or {}).get("variants"):
        return None
    return text_section(
        "What each macro family was worth",
        "ablation",
        "The headline model against each family removed, with intervals and verdicts",
        ablation_lines(result),
    )


def reliability_rows(table_of_bins: pd.DataFrame, bins: int) -> str:
    rows = [
        (
            f"{int(r['bin']) / bins:.0%}-{(int(r['bin']) + 1) / bins:.0%}",
            pct(r["confidence"]),
            pct(r["accuracy"]),
            f"{int(r['weeks']):,}",
        )
        for _, r in table_of_bins.iterrows()
    ]
    return table(
        ("confidence bin", "mean confidence", "top class right", "weeks"),
        rows,
        caption="regime, bin by bin",
    )


STRATEGY_COLUMNS = (
    ("CAGR", "cagr", "pct"),
    ("volatility", "volatility", "pct"),
    ("max drawdown", "max_drawdown", "pct"),
    ("Sharpe", "sharpe", ".2f"),
    ("Sortino", "sortino", ".2f"),
    ("turnover / yr", "turnover", "pct0"),
)


def backtest_section(result: dict[str, Any], chart: str | None) -> str | None:
    """The allocation table (cost drag in % a year), notes and chart, if the evaluation has one."""
    bt = result.get("backtest") or {}
    strategies = bt.get("strategies")
    if not strategies:
        return None
    first = next(iter(strategies.values()))
    columns = [c for c in STRATEGY_COLUMNS if c[1] in first]
    years = bt["n_weeks"] / WEEKS_PER_YEAR
    rows = []
    for name, s in strategies.items():
        cells = [_cell(s.get(key), fmt) for _, key, fmt in columns]
        drag = s["cost_drag"] if "cost_drag" in s else s.get("total_cost", 0.0) / years
        rows.append((name, *cells, f"{drag:.2%}"))
    how = (
        "CAGR before costs minus after"
        if "cost_drag" in first
        else "the weekly costs added up, divided by the years"
    )
    return (
        "<h2 id='allocation'>Allocation backtest</h2>"
        f"<p>{esc(bt['period'][0])} to {esc(bt['period'][1])} ({bt['n_weeks']:,} weeks): "
        f"{esc(bt.get('description', ''))}. Sharpe ratio on excess returns over 3-month "
        "T-bills; turnover is the value traded per year (sells plus buys) as a share of the "
        f"portfolio; cost drag, in % a year, is {how}.</p>"
        + table(("strategy", *(c[0] for c in columns), "cost drag, % a year"), rows)
        + bullets(bt.get("notes", []), "note")
        + (chart or "")
    )


def _cell(value: float | None, fmt: str) -> str:
    if fmt == "pct":
        return pct(value)
    if fmt == "pct0":
        return pct(value, 0)
    return num(value, fmt)


def outlook_section(result: dict[str, Any]) -> str | None:
    """The outlook's walk-forward scores, when the evaluation has them: per target a table of
    its models' numeric scores, and its skill intervals against each peer."""
    outlook = result.get("outlook")
    if not isinstance(outlook, dict) or not outlook:
        return None
    targets = outlook.get("targets")
    found = targets if isinstance(targets, list) else list(outlook.values())
    parts = []
    for target in found:
        models = target.get("models") if isinstance(target, dict) else None
        if not isinstance(models, dict) or not models:
            continue
        keys = [k for k, v in next(iter(models.values())).items() if _is_number(v)]
        rows = [(model, *(num(scores.get(k)) for k in keys)) for model, scores in models.items()]
        caption = f"{target.get('name', '')}: {target.get('n_weeks', '?')} weeks"
        parts.append(table(("model", *keys), rows, caption=caption))
        skill = target.get("brier_skill")
        if isinstance(skill, dict) and skill:
            parts.append(
                bullets(
                    f"Brier skill against {peer}: {i['estimate']:+.3f} "
                    f"[{i['low']:+.3f}, {i['high']:+.3f}]"
                    + (" (holds zero: a tie)" if i["low"] <= 0 <= i["high"] else "")
                    for peer, i in skill.items()
                    if isinstance(i, dict) and {"estimate", "low", "high"} <= set(i)
                )
            )
    if not parts:
        return None
    intro = f"<p>{esc(outlook['description'])}.</p>" if outlook.get("description") else ""
    return "<h2 id='outlook'>The outlook, walk-forward</h2>" + intro + "".join(parts)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
