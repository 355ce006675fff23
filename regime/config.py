"""Settings: `config.yaml` parsed once into a frozen, validated object.

Unknown keys are errors (a typo must not silently fall back to a default), and every error names
the offending key and what is allowed. Nothing here reads the environment: secrets never live in
the settings object.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from regime.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RateSeries(_Frozen):
    ten_year: str
    two_year: str
    three_month: str
    fed_funds: str
    slope_10y2y: str
    slope_10y3m: str


class CreditSeries(_Frozen):
    baa_spread: str
    high_yield_oas: str


class EmploymentSeries(_Frozen):
    unemployment_rate: str
    payrolls: str
    initial_claims: str


class MarketSeries(_Frozen):
    vix: str
    cash_rate: str


class SeriesRoles(_Frozen):
    rates: RateSeries
    credit: CreditSeries
    employment: EmploymentSeries
    market: MarketSeries

    def by_role(self) -> dict[str, str]:
        """Map each role name (e.g. ``ten_year``) to its FRED series id."""
        roles: dict[str, str] = {}
        for group in (self.rates, self.credit, self.employment, self.market):
            roles.update(group.model_dump())
        return roles


class Indices(_Frozen):
    small_cap: str = "^RUT"
    large_cap: str = "^GSPC"


class Publication(_Frozen):
    rule: Literal["days_after", "employment_report"]
    lag_days: Annotated[int, Field(ge=0, le=120)] = 0


class MaxStaleness(_Frozen):
    daily: Annotated[int, Field(ge=1)] = 10
    weekly: Annotated[int, Field(ge=1)] = 14
    monthly: Annotated[int, Field(ge=1)] = 70
    # How old the predicted week may be, against today, before `predict` and `run` warn
    # (regime/freshness.py). It changes no feature, so it stays out of the fingerprint and the
    # model card (exclude=True): changing it never renames a model version.
    week: Annotated[int, Field(ge=0, exclude=True)] = 7


PositiveInt = Annotated[int, Field(ge=1)]


class FeatureSettings(_Frozen):
    return_weeks: tuple[PositiveInt, ...] = (4, 13, 26, 52)
    change_weeks: tuple[PositiveInt, ...] = (13, 26)
    zscore_weeks: Annotated[int, Field(ge=26)] = 156
    volatility_days: Annotated[int, Field(ge=10)] = 63
    claims_average_weeks: PositiveInt = 4
    claims_change_weeks: PositiveInt = 13
    sahm_average_months: PositiveInt = 3
    sahm_low_months: PositiveInt = 12
    payroll_growth_months: PositiveInt = 3


class LabelRules(_Frozen):
    bear_decline: Annotated[float, Field(gt=0, lt=1)] = 0.20
    bull_rise: Annotated[float, Field(gt=0)] = 0.20
    recovery_weeks: PositiveInt = 52
    lookback_weeks: PositiveInt = 13
    narrow_gap: Annotated[float, Field(ge=0, lt=1)] = 0.03


class LogisticSettings(_Frozen):
    C: Annotated[float, Field(gt=0)] = 0.02
    max_iter: PositiveInt = 1500


class GradientBoostingSettings(_Frozen):
    learning_rate: Annotated[float, Field(gt=0, le=1)] = 0.05
    max_iter: PositiveInt = 150
    max_leaf_nodes: Annotated[int, Field(ge=2)] = 8
    min_samples_leaf: PositiveInt = 40
    l2_regularization: Annotated[float, Field(ge=0)] = 1.0


class CalibrationSettings(_Frozen):
    method: Literal["none", "sigmoid", "isotonic"] = "none"
    folds: Annotated[int, Field(ge=2, le=10)] = 4


DEFAULT_MODEL_FEATURES = ("rulebook_", "credit_spread_zscore", "vix_zscore")


class ModelSettings(_Frozen):
    classifier: Literal["logistic", "gradient_boosting"] = "logistic"
    features: tuple[str, ...] = DEFAULT_MODEL_FEATURES
    class_weight: Literal["balanced"] | None = None
    logistic: LogisticSettings = LogisticSettings()
    gradient_boosting: GradientBoostingSettings = GradientBoostingSettings()
    calibration: CalibrationSettings = CalibrationSettings()
    random_state: int = 0
    min_probability: Annotated[float, Field(ge=0, lt=0.25)] = 0.001
    decision: Literal["argmax", "balanced"] = "balanced"
    train_start: date = date(1990, 1, 1)


class WalkForwardSettings(_Frozen):
    first_test: date = date(2000, 1, 7)
    last_test: date = date(2025, 12, 26)
    refit_weeks: PositiveInt = 26

    @model_validator(mode="after")
    def _ordered(self) -> WalkForwardSettings:
        if self.last_test <= self.first_test:
            raise ValueError("last_test must come after first_test")
        return self


class PathSettings(_Frozen):
    """Where things live. Relative paths resolve against the config file's folder."""

    # None: the copy that comes with the package (the checkout's data/ and models/ in a checkout
    # or editable install, regime/_bundled/ in a wheel), wherever the config file is.
    data: Path | None = None
    models: Path | None = None
    # None: the user cache directory (platformdirs).
    cache: Path | None = None


class HistorySettings(_Frozen):
    """Where `regime run` records its predictions (see regime/job/history.py)."""

    # The SQLite file; None: history.sqlite in the user data directory (platformdirs).
    path: Path | None = None
    # How long a `regime run` waits for another one to finish before giving up.
    lock_timeout_seconds: Annotated[float, Field(gt=0, le=86_400)] = 600.0


class FetchSettings(_Frozen):
    """How `regime fetch` talks to FRED and Yahoo. The FRED key itself never lives here."""

    overlap_days: Annotated[int, Field(ge=0, le=3660)] = 60
    retries: Annotated[int, Field(ge=0, le=10)] = 3
    backoff_seconds: Annotated[float, Field(ge=0, le=300)] = 1.0
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0
    fred_requests_per_second: Annotated[float, Field(gt=0, le=100)] = 2.0
    # A file whose first line is the FRED key; FRED_API_KEY in the environment wins over it.
    key_file: Path | None = None
    # Where yfinance keeps its own timezone/cookie caches; None leaves yfinance's default.
    yfinance_cache: Path | None = None
    vintages: Literal["first_release", "latest"] = "latest"
    vintage_series: tuple[str, ...] = ("UNRATE", "PAYEMS")
    # First observation asked for when a series has no cache yet; None: the whole history.
    history_start: date | None = None


class EvaluationSettings(_Frozen):
    """How `regime evaluate` scores models and builds its peers (never changes a model)."""

    bootstrap_block_weeks: Annotated[int, Field(ge=1, le=520)] = 26
    bootstrap_samples: Annotated[int, Field(ge=10, le=100_000)] = 1000
    seed: int = 0
    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    ece_bins: Annotated[int, Field(ge=2, le=100)] = 10
    hmm_states: Annotated[int, Field(ge=2, le=10)] = 4
    hmm_iterations: Annotated[int, Field(ge=1, le=10_000)] = 100
    # Feature-name prefixes the Gaussian HMM sees: continuous features only (binary ones make
    # degenerate Gaussians).
    hmm_features: tuple[str, ...] = (
        "credit_spread_zscore",
        "vix_zscore",
        "claims_change",
        "unemployment_sahm_gap",
        "slope_10y2y",
        "relative_return_13w",
        "small_cap_return_13w",
    )
    markov_regimes: Annotated[int, Field(ge=2, le=6)] = 2


class AssetWeights(_Frozen):
    small_cap: Annotated[float, Field(ge=0, le=1)] = 0.0
    large_cap: Annotated[float, Field(ge=0, le=1)] = 0.0
    cash: Annotated[float, Field(ge=0, le=1)] = 0.0

    @model_validator(mode="after")
    def _fully_invested(self) -> AssetWeights:
        if abs(self.small_cap + self.large_cap + self.cash - 1.0) > 1e-9:
            raise ValueError("small_cap + large_cap + cash must add up to 1")
        return self


class Allocation(_Frozen):
    early_recovery: AssetWeights = AssetWeights(small_cap=1.0)
    narrow_rally: AssetWeights = AssetWeights(large_cap=1.0)
    neutral: AssetWeights = AssetWeights(small_cap=0.5, large_cap=0.5)
    risk_off: AssetWeights = AssetWeights(cash=1.0)


class BacktestSettings(_Frozen):
    """The regime-timed allocation backtest of `regime evaluate` / `regime report`."""

    allocation: Allocation = Allocation()
    cost_bps: Annotated[float, Field(ge=0, le=1000)] = 10.0
    # Closes between a prediction and the trade it causes: 1 trades at the next week's close.
    trade_delay_weeks: Annotated[int, Field(ge=0, le=4)] = 1


class Settings(_Frozen):
    """Everything a user tunes. Built by `load_settings`; never mutated."""

    series: SeriesRoles
    indices: Indices = Indices()
    frequency: Literal["W-FRI"] = "W-FRI"
    publication: dict[str, Publication]
    max_staleness_days: MaxStaleness = MaxStaleness()
    features: FeatureSettings = FeatureSettings()
    labels: LabelRules = LabelRules()
    model: ModelSettings = ModelSettings()
    walk_forward: WalkForwardSettings = WalkForwardSettings()
    paths: PathSettings = PathSettings()
    history: HistorySettings = HistorySettings()
    fetch: FetchSettings = FetchSettings()
    evaluation: EvaluationSettings = EvaluationSettings()
    backtest: BacktestSettings = BacktestSettings()
    # Where the file came from; relative paths resolve against its folder.
    source_path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _every_series_has_a_publication_rule(self) -> Settings:
        needed = list(self.series.by_role().values())
        needed += [self.indices.small_cap, self.indices.large_cap]
        missing = [s for s in needed if s not in self.publication]
        if missing:
            raise ValueError(f"publication has no rule for {', '.join(missing)}")
        return self

    @property
    def fred_series(self) -> tuple[str, ...]:
        """Every FRED series id the product uses, in config order."""
        return tuple(dict.fromkeys(self.series.by_role().values()))

    @property
    def index_symbols(self) -> tuple[str, str]:
        return (self.indices.small_cap, self.indices.large_cap)

    def resolve(self, path: Path | None, bundled: str) -> Path:
        """An absolute path: relative ones against the config file, None to the bundled copy."""
        if path is None:
            return bundled_root() / bundled
        if path.is_absolute() or self.source_path is None:
            return path
        return (self.source_path.parent / path).resolve()

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.paths.data, "data")

    @property
    def models_dir(self) -> Path:
        return self.resolve(self.paths.models, "models")

    @property
    def cache_dir(self) -> Path:
        if self.paths.cache is None:
            import platformdirs

            return Path(platformdirs.user_cache_dir("regime"))
        return self.resolve(self.paths.cache, "cache")

    @property
    def history_path(self) -> Path:
        if self.history.path is None:
            import platformdirs

            return Path(platformdirs.user_data_dir("regime")) / "history.sqlite"
        return self.resolve(self.history.path.expanduser(), "history.sqlite")

    def fingerprint(self) -> str:
        """A short hash of the settings that change what a model learns or computes.

        Only the sections in `LEARNING_SECTIONS` count (plus the vintage choice when it is not
        the default): paths, fetch, evaluation and scheduling settings do not change a model.
        """
        payload = self.model_dump(mode="json", include=set(LEARNING_SECTIONS))
        if self.fetch.vintages != "latest":
            payload["vintages"] = self.fetch.vintages
        blob = json.dumps(payload, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def learning_settings(self) -> dict[str, Any]:
        """The sections a model card stores, to rebuild features exactly as at training."""
        return self.model_dump(mode="json", include=set(LEARNING_SECTIONS))


LEARNING_SECTIONS = (
    "series",
    "indices",
    "frequency",
    "publication",
    "max_staleness_days",
    "features",
    "labels",
    "model",
    "walk_forward",
)


def bundled_root() -> Path:
    """The project root in a checkout or editable install, else the copy inside the wheel."""
    checkout = PACKAGE_DIR.parent
    if (checkout / "config.yaml").is_file() and (checkout / "data").is_dir():
        return checkout
    return PACKAGE_DIR / "_bundled"


def default_config_path() -> Path:
    return bundled_root() / "config.yaml"


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate a config file (the bundled `config.yaml` when `path` is None).

    Raises ConfigError with one line naming the key and what is allowed.
    """
    config_path = Path(path) if path is not None else default_config_path()
    try:
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {config_path} not found; pass --config PATH") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {config_path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"config file {config_path} is not valid YAML{where}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {config_path} must hold a mapping of settings")
    try:
        return Settings.model_validate({**raw, "source_path": config_path.resolve()})
    except ValidationError as exc:
        raise ConfigError(_one_line(config_path, exc)) from None


def _one_line(config_path: Path, exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{config_path}: unknown key '{key}'; remove it or check its spelling"
    message = first["msg"].removeprefix("Value error, ")
    given = first.get("input")
    shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
    more = len(exc.errors()) - 1
    tail = f"; and {more} more problem(s)" if more else ""
    return f"{config_path}: bad value for '{key}': {message}{shown}{tail}"
