"""Every forecast a prediction carries beside its call, each with its out-of-sample record, in
the order a reader should meet them: those whose skill is shown first.

`predict`'s text and the report's Now box both list them from here, so both say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from regime.learning.skill_words import skill_shown

if TYPE_CHECKING:
    from regime.model.predict import Outlook, RegimePrediction


RECESSION = "recession"


@dataclass(frozen=True)
class Forecast:
    """`name` (the card's: "regime_4w", "recession", "small_caps_lead_13w"), `what` is
    forecast (in words, without the figure), its `probability`, and its record."""

    name: str
    what: str
    probability: float
    record: dict[str, Any]

    @property
    def skill_shown(self) -> bool:
        return skill_shown(self.record)

    @property
    def sentence(self) -> str:
        """'in 4 weeks neutral 72%'."""
        return f"{self.what} {self.probability:.0%}"


def forecasts(p: RegimePrediction) -> list[Forecast]:
    """The outlook by horizon, the recession nowcast, then the two events."""
    found: list[Forecast] = []
    if p.outlook is not None:
        found += regime_forecasts(p.outlook)
    if p.macro is not None and p.macro.recession is not None:
        nowcast = p.macro.recession
        found.append(Forecast(RECESSION, "P(recession)", nowcast.probability, nowcast.record))
    if p.outlook is not None:
        found += event_forecasts(p.outlook)
    return found


def by_skill(found: list[Forecast]) -> tuple[list[Forecast], list[Forecast]]:
    """The forecasts whose skill is shown, and the others, each in their order."""
    return [f for f in found if f.skill_shown], [f for f in found if not f.skill_shown]


def regime_forecasts(outlook: Outlook) -> list[Forecast]:
    """The most probable regime at each horizon ('in 4 weeks neutral'), with its record."""
    return [
        Forecast(
            f"regime_{horizon}",
            f"in {horizon.removesuffix('w')} weeks {max(p, key=p.__getitem__)}",
            max(p.values()),
            outlook.regime_records.get(horizon, {}),
        )
        for horizon, p in outlook.regime.items()
    ]


def event_forecasts(outlook: Outlook) -> list[Forecast]:
    """The two events, each with its record."""
    found = []
    lead, bear = outlook.small_caps_lead, outlook.bear_market_starts
    if lead is not None:
        what = f"small caps lead over {lead.weeks} weeks"
        found.append(
            Forecast(f"small_caps_lead_{lead.weeks}w", what, lead.probability, lead.record)
        )
    if bear is not None:
        what = f"a bear market starts within {bear.weeks} weeks"
        found.append(Forecast(f"bear_start_{bear.weeks}w", what, bear.probability, bear.record))
    return found
