"""The top of the page: the current call, its probabilities, drivers and outlook, what it
was made from, and when the page was made."""

from __future__ import annotations

from typing import Any

import pandas as pd

from regime.constants import REGIMES, RISK_OFF
from regime.evaluation.report.html_parts import bullets, esc, num, pct, signed_points, table
from regime.evaluation.report.now import Now
from regime.evaluation.report.palette import REGIME_COLOURS
from regime.learning.skill_words import NO_SKILL, interval_words, skill_shown
from regime.model.forecasts import Forecast, by_skill, event_forecasts, forecasts
from regime.model.predict import Driver, RegimePrediction


def now_block(now: Now, recent: pd.DataFrame, note: str | None) -> str:
    """The "now" section; `recent`'s last row gives this week's decision threshold."""
    p = now.prediction
    threshold = float(recent["threshold"].iloc[-1])
    model = p.model
    parts = [
        "<section id='now' class='now'>",
        stale_banner(p),
        f"<h2>Now: week ending {esc(p.as_of)}</h2>",
        f"<p class='call'>The call: <span class='regime' style='border-color:"
        f"{REGIME_COLOURS[p.regime]}'>{esc(p.regime)}</span> "
        f"(its probability {pct(p.confidence)})</p>",
        f"<p class='why'>Why: {esc(p.decision.why)}</p>" if p.decision and p.decision.why else "",
        f"<p>P(risk_off) is {pct(p.probabilities[RISK_OFF])}; this week the model calls "
        f"risk_off above {pct(threshold)} (its decision rule weighs each probability against "
        "how common the regime was in training, so the call need not be the most probable "
        "regime).</p>",
        since_last_week(p),
        forecasts_table(p),
        "<div class='columns'><div>",
        _probabilities(p.probabilities),
        _drivers(p.drivers, p.regime),
        "</div><div>",
        _outlook(now),
        "</div></div>",
        "" if _week_is_stale(p) else stale_lists(p),
        "<p class='meta'>"
        f"Model <b>{esc(model['version'])}</b> ({esc(model['fitted'])}, labels learned through "
        f"{esc(model['trained_through'])}). Data through <b>{esc(p.as_of)}</b>. "
        f"The week is {p.week_age_days} days old on the page's date. "
        f"Page generated <span id='generated'>{esc(now.generated.isoformat(timespec='seconds'))}"
        "</span>.</p>",
    ]
    if note:
        parts.append(f"<p class='warning'>Note: {esc(note)}.</p>")
    parts += [_data_through(now), "</section>"]
    return "\n".join(parts)


def since_last_week(p: RegimePrediction) -> str:
    """Last week's call, probabilities, P(recession) and macro states beside this week's, and
    the features that moved P(risk_off) most."""
    change = p.since_last_week
    if change is None:
        return ""
    before, now = change.probabilities_before, change.probabilities_now
    rows = [("call", change.previous_regime, change.regime)]
    rows += [(f"P({r})", pct(before[r]), pct(now[r])) for r in REGIMES]
    if change.p_recession_now is not None:
        rows.append(("P(recession)", pct(change.p_recession_before), pct(change.p_recession_now)))
    rows += [
        (f"{family} (macro)", change.macro_states_before.get(family, "-"), state)
        for family, state in change.macro_states_now.items()
    ]
    head = "changed" if change.changed else "unchanged"
    moved = [f"{m.words} ({signed_points(m.effect)} on P(risk_off))" for m in change.moved]
    return (
        f"<details class='since'><summary><b>Since last week ({head}):</b> "
        f"{esc(change.sentence)}</summary>"
        "<div class='columns'><div>"
        + table(("", f"week of {change.previous_week}", "this week"), rows)
        + "</div><div>"
        + (
            "<p>What moved P(risk_off) most (this week's model, each feature set back to "
            "last week's value):</p>" + bullets(moved, "event")
            if moved
            else "<p>No feature moved P(risk_off) by more than 0.2 points.</p>"
        )
        + "</div></div></details>"
    )


def stale_banner(p: RegimePrediction) -> str:
    """The Now box's first line when the week is older than max_staleness_days.week."""
    banner = p.staleness.banner("this page") if p.staleness is not None else None
    if banner is None or p.staleness is None:
        return ""
    return (
        f"<div class='banner' id='stale'><p><b>Stale data: {esc(banner)}.</b> That is more "
        f"than max_staleness_days.week ({p.staleness.week_limit_days} days): run <code>regime "
        "fetch</code>, then <code>regime report</code> again, before acting on this call.</p>"
        f"{stale_lists(p)}</div>"
    )


def _week_is_stale(p: RegimePrediction) -> bool:
    return p.staleness is not None and p.staleness.week_is_stale


def stale_lists(p: RegimePrediction) -> str:
    """The two lists of stale series, labelled as `predict` labels them."""
    every = len(p.data_through) > 1 and set(p.stale) >= set(p.data_through)
    today = f"all {len(p.stale)} input series" if every else ", ".join(p.stale) or "none"
    return (
        "<ul class='stale'>"
        f"<li>Stale at the week (treated as missing): {esc(', '.join(p.stale_at_week) or 'none')}"
        f"</li><li>Stale today (older than their cadence allows): {esc(today)}</li></ul>"
    )


def _probabilities(probabilities: dict[str, float]) -> str:
    rows = []
    for regime in REGIMES:
        value = probabilities[regime]
        bar = (
            f"<span class='bar' style='width:{100 * value:.1f}%;"
            f"background:{REGIME_COLOURS[regime]}'></span>"
        )
        rows.append(
            f"<tr><td>{esc(regime)}</td><td>{pct(value)}</td><td class='barcell'>{bar}</td></tr>"
        )
    head = "<tr><th>regime</th><th>probability</th><th></th></tr>"
    caption = "<caption>This week's probabilities</caption>"
    return f"<table class='proba'>{caption}{head}{''.join(rows)}</table>"


def _drivers(drivers: tuple[Driver, ...], regime: str) -> str:
    if not drivers:
        return "<p>No feature moved this call by more than a rounding error.</p>"
    rows = [(d.label, d.value_text, signed_points(d.effect)) for d in drivers]
    return table(
        ("what moved it", "this week", f"effect on P({regime})"),
        rows,
        caption="Drivers: the change in the called regime's probability if the feature sat at "
        "its training median instead",
    )


def _outlook(now: Now) -> str:
    """The forecasts beside the call, those with skill shown first, each with its record; then
    the outlook's regime probabilities at every horizon."""
    p = now.prediction
    parts = []
    outlook = p.outlook
    if outlook is None:
        parts.append("<p>This model has no outlook.</p>")
    elif outlook.regime:
        horizons = list(outlook.regime)
        rows = [(regime, *(pct(outlook.regime[h][regime]) for h in horizons)) for regime in REGIMES]
        marks = ["" if skill_shown(outlook.regime_records.get(h)) else "*" for h in horizons]
        parts.append(
            table(
                (
                    "regime",
                    *(
                        f"in {h.removesuffix('w')} weeks{m}"
                        for h, m in zip(horizons, marks, strict=True)
                    ),
                ),
                rows,
                caption="Outlook: the regime of the week that many weeks ahead"
                + ("; * no skill shown: read as the long-run frequency" if any(marks) else ""),
            )
        )
    parts.append(_event_drivers(p))
    return "\n".join(parts)


def forecasts_table(p: RegimePrediction) -> str:
    """Every forecast beside the call with its record: skill shown first, then the others under
    their warning in words."""
    shown, unshown = by_skill(forecasts(p))
    if not shown and not unshown:
        return ""
    rows = [_forecast_row(f, p) for f in shown]
    if unshown:
        rows.append(f"<tr class='noskill'><th colspan='7'>{esc(NO_SKILL.capitalize())}</th></tr>")
        rows += [_forecast_row(f, p) for f in unshown]
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in (
            "forecast",
            "this week",
            "record",
            "Brier skill vs persistence",
            "vs the base rate",
            "AUROC",
            "judged",
        )
    )
    caption = (
        "<caption>The forecasts beside the call, each with its out-of-sample record from the "
        "model's own walk-forward (95% block-bootstrap intervals); skill is shown only when "
        "the forecast beats both persistence and the base rate</caption>"
    )
    return f"<table class='forecasts'>{caption}<tr>{head}</tr>{''.join(rows)}</table>"


def _forecast_row(f: Forecast, p: RegimePrediction) -> str:
    r = f.record
    what = esc(f.what)
    mark = "skill shown" if f.skill_shown else ("no skill shown" if r else "no record")

    def skill(peer: str) -> str:
        found = r.get(f"brier_skill_vs_{peer}")
        return interval_words(found) if found else "-"

    cells = [
        f"<td class='t'>{what}</td>",
        f"<td>{pct(f.probability)}</td>",
        f"<td class='t mark'>{esc(mark)}</td>",
        f"<td>{esc(skill('persistence'))}</td>",
        f"<td>{esc(skill('climatology'))}</td>",
        f"<td>{num(r.get('auroc'), '.2f')}</td>",
        f"<td>{esc(_span(r))}</td>",
    ]
    return f"<tr class='{'skill' if f.skill_shown else 'noskill'}'>{''.join(cells)}</tr>"


def _span(record: dict[str, Any]) -> str:
    span = record.get("span")
    return f"{span[0][:4]}-{span[1][:4]}, {record['weeks']:,} weeks" if span else "-"


def _event_drivers(p: RegimePrediction) -> str:
    """What moved each event of the outlook most, folded away: neither shows skill."""
    outlook = p.outlook
    if outlook is None:
        return ""
    items = [
        f"{f.sentence}: "
        + ", ".join(f"{d.words} ({signed_points(d.effect)})" for d in event.drivers[:3])
        for f, event in zip(
            event_forecasts(outlook),
            (outlook.small_caps_lead, outlook.bear_market_starts),
            strict=False,
        )
        if event is not None and event.drivers
    ]
    if not items:
        return ""
    return (
        "<details><summary>What moved the two events most</summary>"
        + bullets(items, "event")
        + "</details>"
    )


def _data_through(now: Now) -> str:
    rows = [
        (key, status.last_observation, status.source)
        for key, status in now.prediction.data_through.items()
    ]
    return (
        "<details><summary>Last observation used of each series</summary>"
        + table(("series", "last observation", "source"), rows)
        + "</details>"
    )
