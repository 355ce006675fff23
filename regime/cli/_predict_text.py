"""`regime predict`'s text: the call, then the forecasts whose skill is shown, the drivers,
the macro backdrop, and last the forecasts without shown skill, marked as such."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from regime.cli._macro_text import family_lines, recession_phrase
from regime.learning.skill_words import NO_SKILL, SKILL_SHOWN, figures
from regime.model.forecasts import RECESSION, Forecast, by_skill, forecasts

if TYPE_CHECKING:
    from regime.model.predict import RegimePrediction


def render_text(p: RegimePrediction, asked: date | None = None) -> str:
    """The prediction for a person. `asked`, the --as-of date, is named when it is not the
    Friday of the week answered; the series stale today are listed only without it."""
    week = f"Week ending {p.as_of}"
    if asked is not None and asked.isoformat() != p.as_of:
        week += f" (the latest complete week on or before {asked})"
    lines = [f"{week}: {p.regime} (confidence {p.confidence:.0%})"]
    if p.decision is not None and p.decision.why:
        lines.append(f"  why: {p.decision.why}")
    lines += staleness_lines(p, asked)
    lines += [
        "  probabilities: "
        + ", ".join(
            f"{r} {v:.1%}" for r, v in sorted(p.probabilities.items(), key=lambda kv: -kv[1])
        ),
    ]
    if p.since_last_week is not None:
        lines.append(
            f"  since the week of {p.since_last_week.previous_week}: {p.since_last_week.sentence}"
        )
    shown, unshown = by_skill(forecasts(p))
    lines += [f"  {_said(f, p)}: {SKILL_SHOWN} ({figures(f.record)})" for f in shown]
    if p.drivers:
        lines.append(
            f"  drivers (change in P({p.regime}) if the feature sat at its usual level, "
            "in percentage points):"
        )
        lines += [f"    {points(d.effect):>8}  {d.words}" for d in p.drivers]
    if p.macro is not None and p.macro.families:
        lines.append("  macro backdrop:")
        lines += family_lines(p.macro)
    if unshown:
        lines.append(f"  {NO_SKILL}:")
        lines += [
            f"    {_said(f, p)} ({figures(f.record) if f.record else 'no record'})" for f in unshown
        ]
    fitted = p.model.get("fitted", "final model")
    lines.append(
        f"  model {p.model['version']} ({fitted}), labels final through "
        f"{p.model['trained_through']}"
    )
    return "\n".join(lines)


def _said(forecast: Forecast, p: RegimePrediction) -> str:
    """The forecast's sentence; the nowcast's with its call."""
    recession = p.macro.recession if p.macro is not None else None
    if recession is not None and forecast.name == RECESSION:
        return recession_phrase(recession)
    return forecast.sentence


def points(effect: float) -> str:
    """A change of probability in percentage points: '+1.7 pt' ('-0.04 pt' when small)."""
    value = 100 * effect
    return f"{value:+.1f} pt" if abs(value) >= 0.05 else f"{value:+.2f} pt"


def staleness_lines(p: RegimePrediction, asked: date | None) -> list[str]:
    """Up front: how old the data is when the week is stale (not for a week asked for by date:
    it is old on purpose), then the series treated as missing at the week and, without
    `asked`, those stale today."""
    lines = []
    banner = p.staleness.banner() if p.staleness is not None and asked is None else None
    if banner is not None and p.staleness is not None:
        lines.append(
            f"  {banner}, more than max_staleness_days.week ({p.staleness.week_limit_days}): "
            "run `regime fetch` for newer data"
        )
    if p.stale_at_week:
        lines.append("  stale at the week (treated as missing): " + ", ".join(p.stale_at_week))
    if p.stale and asked is None:
        every = len(p.data_through) > 1 and set(p.stale) >= set(p.data_through)
        names = f"all {len(p.stale)} input series" if every else ", ".join(p.stale)
        lines.append(f"  stale today (older than their cadence allows): {names}")
    return lines
