"""The top-level keys of a prediction's JSON at schema_version 1: one list for every test that
pins the contract (the CLI's, the Python API's and an importing tool's)."""

PREDICTION_KEYS = frozenset(
    {
        "schema_version",
        "as_of",
        "regime",
        "confidence",
        "probabilities",
        "drivers",
        "data_through",
        "stale",
        "stale_at_week",
        "week_age_days",
        "model",
        "outlook",
        "macro",
        "staleness",
        "decision",
        "since_last_week",
    }
)
