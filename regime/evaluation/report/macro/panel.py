"""The macro panel's HTML, right after the current call: what the economy is doing this week,
P(recession) since the 1970s, each family over the last two years with its reading, the
nowcast's record against its peers, and the hypotheses of macro's place in the regime call."""

from __future__ import annotations

from typing import Any

import pandas as pd

from regime.evaluation.recession.evaluation import NOTES, PROBABILISTIC
from regime.evaluation.recession.hypotheses import HypothesesRun
from regime.evaluation.report.html_parts import bullets, esc, image, num, pct, table
from regime.evaluation.report.inputs import EvaluationRecord
from regime.evaluation.report.macro.charts import STATE_COLOURS, family_chart, recession_chart
from regime.evaluation.report.macro.hypotheses import hypotheses_section
from regime.evaluation.report.now import Now
from regime.evaluation.report.palette import png
from regime.learning.skill_words import verdict
from regime.macro.readings import FamilyReading

RECESSION_CHART = "recession"


def family_chart_name(family: str) -> str:
    return f"macro-{family}"


def macro_charts(record: EvaluationRecord, now: Now) -> dict[str, bytes]:
    """The panel's PNGs by file stem (none for an evaluation without the nowcast)."""
    charts = {}
    if record.recession is not None:
        chart = recession_chart(record.recession, this_week(record, now))
        # Its own size and margins, so it lines up with the page's other time charts.
        charts[RECESSION_CHART] = png(chart, tight=False)
    for history in record.backdrop or ():
        charts[family_chart_name(history.family)] = png(family_chart(history))
    return charts


def this_week(record: EvaluationRecord, now: Now) -> tuple[pd.Timestamp, float] | None:
    """The current model's P(recession) on the latest week, else the walk-forward's."""
    macro = now.prediction.macro
    if macro is not None and macro.recession is not None:
        return now.latest_week, macro.recession.probability
    if record.recession is not None and len(record.recession.p):
        return record.recession.p.index[-1], float(record.recession.p.iloc[-1])
    return None


def macro_panel(
    record: EvaluationRecord,
    now: Now,
    pngs: dict[str, bytes],
    hypotheses: HypothesesRun | None,
) -> str | None:
    """The panel (None when the evaluation has no recession nowcast)."""
    summary = record.result.get("recession")
    if record.recession is None or not summary:
        return None
    parts = [
        "<section id='macro'>",
        "<h2>The economy: the recession nowcast and the macro backdrop</h2>",
        _headline(record, now),
        _record_line(summary),
        image(
            pngs[RECESSION_CHART], "P(recession) since the 1970s with NBER recessions", "recession"
        ),
        _families(record, now, pngs),
        _peers(summary),
        hypotheses_section(hypotheses),
        "</section>",
    ]
    return "\n".join(parts)


def _state(state: str) -> str:
    colour = STATE_COLOURS.get(state, "#999999")
    return f"<span class='regime' style='border-color:{colour}'>{esc(state)}</span>"


def _headline(record: EvaluationRecord, now: Now) -> str:
    assert record.recession is not None
    found = this_week(record, now)
    threshold = record.recession.threshold
    macro = now.prediction.macro
    whose = (
        f"model {esc(now.model.version)}'s nowcast"
        if macro is not None and macro.recession is not None
        else "the walk-forward's last week (the model has no nowcast)"
    )
    if found is None:
        return "<p class='call'>No P(recession) for this week.</p>"
    week, p = found
    call = "a recession call" if p >= threshold else f"no recession call (below {threshold:.0%})"
    states = ""
    if now.backdrop is not None:
        each = ", ".join(f"{esc(r.family)} {_state(r.state)}" for r in now.backdrop.readings)
        states = f" The families: {each}."
    record_of_model = macro.recession.record if macro is not None and macro.recession else None
    mark = (
        f" <span class='skillmark'>{esc(verdict(record_of_model))}</span>"
        if record_of_model
        else ""
    )
    return (
        f"<p class='call'>P(recession) this week: <b>{pct(p, 0)}</b>, {call}{mark}</p>"
        f"<p>Week ending {esc(week.date())}, from {whose}.{states}</p>"
    )


def _record_line(summary: dict[str, Any]) -> str:
    """The nowcast's record in one line, from the evaluation's `recession` summary."""
    m = summary["models"]["nowcast"]
    a, s = m["auroc_interval"], m["brier_skill_vs_climatology"]
    shown = "" if s["low"] > 0 else " (no skill shown: the interval holds zero)"
    first, last = summary["span"]
    return (
        f"<p>Its record, out of sample {esc(first)} to {esc(last)} ({summary['weeks']:,} weeks, "
        f"{len(summary['recessions'])} recessions judged): AUROC <b>{m['auroc']:.3f}</b> "
        f"[{a['low']:.3f}, {a['high']:.3f}]; Brier skill against climatology <b>"
        f"{s['estimate']:+.3f}</b> [{s['low']:+.3f}, {s['high']:+.3f}]{shown} (95% "
        "block-bootstrap intervals). Each week's probability is the one its walk-forward gave "
        "that week; the NBER's dating of a month is learned only once it was announced.</p>"
    )


def _families(record: EvaluationRecord, now: Now, pngs: dict[str, bytes]) -> str:
    if not record.backdrop:
        return ""
    readings: dict[str, FamilyReading] = (
        {r.family: r for r in now.backdrop.readings} if now.backdrop is not None else {}
    )
    weeks = record.backdrop[0].value.index
    cells = []
    for history in record.backdrop:
        reading = readings.get(history.family)
        sentence = f"<p>{esc(reading.sentence)}</p>" if reading is not None else ""
        name = family_chart_name(history.family)
        cells.append(
            f"<div>{image(pngs[name], f'{history.family} over the last two years', name)}"
            f"{sentence}</div>"
        )
    legend = " ".join(_state(s) for s in ("calm", "watch", "stress"))
    return (
        f"<h3 id='families'>Each family, {esc(weeks[0].date())} to {esc(weeks[-1].date())}</h3>"
        f"<p class='note'>Each week's value as known that week; dots coloured by state: {legend} "
        "(dashed: the watch and stress levels, the shaded side worse; grey: no value that week, "
        "a stale feed). Below each chart, this week's reading.</p>"
        f"<div class='families'>{''.join(cells)}</div>"
    )


def _peers(summary: dict[str, Any]) -> str:
    recessions = summary["recessions"]
    names = [_short(r["recession"]) for r in recessions]
    headers = (
        "model",
        "AUROC",
        "Brier skill vs climatology [95%]",
        "nowcast's Brier skill vs it [95%]",
        *names,
        "expansion weeks called (all)",
        "false-alarm weeks (outside early calls and all-clears)",
    )
    against = summary["skill_of_nowcast"]
    rows = []
    for name in PROBABILISTIC:
        m = summary["models"][name]
        s = m["brier_skill_vs_climatology"]
        timing = [_timing(r[name]) for r in recessions]
        rows.append(
            (
                name,
                num(m["auroc"]),
                _interval(s) if name != "climatology" else "0 (the reference)",
                _interval(against[name]) if name in against else "-",
                *timing,
                # Saved evaluations from before the pre-registered count have no such key.
                str(summary.get("expansion_weeks_called", {}).get(name, "-")),
                str(summary["false_alarms"][name]),
            )
        )
    sahm = summary["sahm_value"]
    rows.append(("sahm_value", num(sahm["auroc"]), "-", "-", *("-" for _ in recessions), "-", "-"))
    first, last = summary["span"]
    return (
        "<h3 id='recession-peers'>The nowcast against its peers</h3>"
        + table(
            headers,
            rows,
            caption=f"Same weeks for every model, {first} to {last}. Each recession's cell: weeks "
            "from its first month to the first call (negative: early) / from its trough to the "
            "all-clear (missed: never called)",
        )
        + "<details><summary>What each peer is</summary>"
        + bullets((f"{n}: {NOTES[n]}" for n in (*PROBABILISTIC, "sahm_value")), "note")
        + "<p class='note'>Expansion weeks called (all): every expansion week called a "
        "recession, the pre-registered count (N7). False alarms: the same, outside the 26 "
        "weeks before a recession's start and before the all-clear after its trough. The "
        "intervals resample 26-week blocks; six recessions are all the span holds.</p>"
        + "</details>"
    )


def _short(name: str) -> str:
    """'1981-07 to 1982-11' -> '1981-82'; '2020-02 to 2020-04' -> '2020'."""
    first, last = name[:4], name[-7:-3]
    return first if first == last else f"{first}-{last[2:]}"


def _timing(cell: dict[str, Any]) -> str:
    call, clear = cell["weeks_to_call"], cell["weeks_to_all_clear"]
    if call is None:
        return "missed"
    return f"{call} / {'-' if clear is None else clear}"


def _interval(i: dict[str, Any]) -> str:
    return f"{i['estimate']:+.3f} [{i['low']:+.3f}, {i['high']:+.3f}]"
