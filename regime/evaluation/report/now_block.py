"""The top of the page: the current call, its probabilities, drivers and outlook, what it
was made from, and when the page was made."""

from __future__ import annotations

import pandas as pd

from regime.constants import REGIMES, RISK_OFF
from regime.evaluation.report.html_parts import bullets, esc, pct, signed_points, table
from regime.evaluation.report.now import Now
from regime.evaluation.report.palette import REGIME_COLOURS
from regime.model.predict import Driver, Event


def now_block(now: Now, recent: pd.DataFrame, note: str | None) -> str:
    """The "now" section; `recent`'s last row gives this week's decision threshold."""
    p = now.prediction
    threshold = float(recent["threshold"].iloc[-1])
    model = p.model
    parts = [
        "<section id='now' class='now'>",
        f"<h2>Now: week ending {esc(p.as_of)}</h2>",
        f"<p class='call'>The call: <span class='regime' style='border-color:"
        f"{REGIME_COLOURS[p.regime]}'>{esc(p.regime)}</span> "
        f"(its probability {pct(p.confidence)})</p>",
        f"<p>P(risk_off) is {pct(p.probabilities[RISK_OFF])}; this week the model calls "
        f"risk_off above {pct(threshold)} (its decision rule weighs each probability against "
        "how common the regime was in training, so the call need not be the most probable "
        "regime).</p>",
        "<div class='columns'><div>",
        _probabilities(p.probabilities),
        _drivers(p.drivers, p.regime),
        "</div><div>",
        _outlook(now),
        "</div></div>",
        "<p class='meta'>"
        f"Model <b>{esc(model['version'])}</b> ({esc(model['fitted'])}, labels learned through "
        f"{esc(model['trained_through'])}). Data through <b>{esc(p.as_of)}</b>. "
        f"Stale on that week (treated as missing): {esc(', '.join(p.stale_at_week) or 'none')}. "
        f"The week is {p.week_age_days} days old on the page's date. "
        f"Page generated <span id='generated'>{esc(now.generated.isoformat(timespec='seconds'))}"
        "</span>.</p>",
    ]
    if note:
        parts.append(f"<p class='warning'>Note: {esc(note)}.</p>")
    parts += [_data_through(now), "</section>"]
    return "\n".join(parts)


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
    rows = [
        (d.feature, "-" if d.value is None else f"{d.value:,.4g}", signed_points(d.effect))
        for d in drivers
    ]
    return table(
        ("feature", "value", f"effect on P({regime})"),
        rows,
        caption="Drivers: the change in the called regime's probability if the feature sat at "
        "its training median instead",
    )


def _outlook(now: Now) -> str:
    outlook = now.prediction.outlook
    if outlook is None:
        return "<p>This model has no outlook.</p>"
    parts = []
    if outlook.regime:
        horizons = list(outlook.regime)
        rows = [(regime, *(pct(outlook.regime[h][regime]) for h in horizons)) for regime in REGIMES]
        parts.append(
            table(
                ("regime", *(f"in {h.removesuffix('w')} weeks" for h in horizons)),
                rows,
                caption="Outlook: the regime of the week that many weeks ahead",
            )
        )
    for event, words in (
        (outlook.small_caps_lead, "small caps beat large caps (total return) over the next"),
        (outlook.bear_market_starts, "a small-cap bear market's peak is set within the next"),
    ):
        if event is not None:
            parts.append(_event(event, words))
    return "\n".join(parts)


def _event(event: Event, words: str) -> str:
    drivers = ", ".join(f"{d.feature} {signed_points(d.effect)}" for d in event.drivers[:3])
    line = f"P({words} {event.weeks} weeks) = {pct(event.probability)}"
    return bullets([line + (f"; moved most by {drivers}" if drivers else "")], "event")


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
