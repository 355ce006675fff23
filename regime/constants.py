"""Names and numbers used across the package, kept in one place."""

EARLY_RECOVERY = "early_recovery"
NARROW_RALLY = "narrow_rally"
NEUTRAL = "neutral"
RISK_OFF = "risk_off"

# Alphabetical: the order of probability columns everywhere (model, JSON, CSV).
REGIMES: tuple[str, ...] = (EARLY_RECOVERY, NARROW_RALLY, NEUTRAL, RISK_OFF)

WEEKS_PER_YEAR = 52
