"""Settings: `config.yaml` parsed once into a frozen, validated object.

Unknown keys are errors (a typo must not silently fall back to a default), and every error names
the offending key and what is allowed. Nothing here reads the environment: secrets never live in
the settings object.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from regime.errors import ConfigError, shown_path

PACKAGE_DIR = Path(__file__).resolve().parent


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


_SERIES_ID = re.compile(r"[A-Za-z0-9^._=-]{1,64}")


def _series_id(value: str) -> str:
    # Ids name cache files (cache/fred/<id>.csv): no separator, no NUL, nothing a shell hides.
    if not _SERIES_ID.fullmatch(value):
        raise ValueError("a series id or symbol is 1 to 64 letters, digits or ^ . _ = -")
    return value


def _usable_path(value: Path) -> Path:
    if "\0" in str(value):
        raise ValueError("a path cannot contain a NUL character")
    return value


# A FRED series id or an index symbol.
SeriesId = Annotated[str, AfterValidator(_series_id)]
# A file or folder name the operating system can take.
UsablePath = Annotated[Path, AfterValidator(_usable_path)]


class RateSeries(_Frozen):
    ten_year: SeriesId
    two_year: SeriesId
    three_month: SeriesId
    fed_funds: SeriesId
    slope_10y2y: SeriesId
    slope_10y3m: SeriesId


class CreditSeries(_Frozen):
    baa_spread: SeriesId
    high_yield_oas: SeriesId
    # Moody's Baa yield, monthly: with the 10-year yield it extends Baa-10y before its daily
    # series starts (1990).
    baa_yield: SeriesId


class EmploymentSeries(_Frozen):
    unemployment_rate: SeriesId
    payrolls: SeriesId
    initial_claims: SeriesId
    # Weekly continued claims, and the real-time Sahm rule (SAHMREALTIME: the unemployment
    # rate's 3-month average above its 12-month low, as first published): the recession
    # nowcast's labour inputs beside claims and payrolls.
    continuing_claims: SeriesId = "CCSA"
    sahm_realtime: SeriesId = "SAHMREALTIME"


class MarketSeries(_Frozen):
    vix: SeriesId
    cash_rate: SeriesId
    # The Chicago Fed's National Financial Conditions Index (weekly, from 1971).
    financial_conditions: SeriesId = "NFCI"


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


class Predecessor(_Frozen):
    """An older series chained before an index by returns (see sources/splice.py)."""

    series: SeriesId
    # The last day the older series is used; None: up to the index's first observation.
    until: date | None = None


class Indices(_Frozen):
    small_cap: SeriesId = "^RUT"
    large_cap: SeriesId = "^GSPC"
    # Older history chained before an index by returns (snapshot only): symbol -> the file stem
    # of its predecessor under data/market/, and until when it is used.
    predecessors: dict[SeriesId, Predecessor] = Field(default_factory=dict)
    # Other indices whose bear markets the gates may also learn from, each with its own
    # rulebook state (see model.pool_from).
    pooled: tuple[SeriesId, ...] = ()
    # Total-return (dividends reinvested) series for small and large caps, from the snapshot:
    # the outlook's leadership target and the allocation backtest's returns.
    total_return: dict[Literal["small_cap", "large_cap"], SeriesId] = Field(default_factory=dict)

    @property
    def symbols(self) -> tuple[str, ...]:
        """Every index the product reads: small, large, then the pooled ones."""
        return tuple(dict.fromkeys((self.small_cap, self.large_cap, *self.pooled)))

    @property
    def snapshot_only(self) -> tuple[str, ...]:
        """Market series read from the snapshot but never fetched: total-return series and
        every predecessor."""
        older = [p.series for p in self.predecessors.values()]
        return tuple(dict.fromkeys((*self.total_return.values(), *older)))


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


PositiveFloat = Annotated[float, Field(gt=0)]
Gate = Literal["entry", "exit"]
Calibration = Literal["none", "sigmoid"]
# argmax: the most probable regime. balanced: the regime whose probability is highest relative
# to its training frequency (maximises balanced accuracy). balanced_hysteresis: balanced, but a
# risk_off call needs `hysteresis` times the evidence to start and ends only below 1/hysteresis.
Decision = Literal["argmax", "balanced", "balanced_hysteresis"]


class GateFeatures(_Frozen):
    """The rulebook-state features each gate always sees (macro families come on top)."""

    entry: tuple[str, ...] = (
        "rulebook_barrier_bull",
        "rulebook_weeks_since_extreme",
        "rulebook_drawdown_change_4w",
    )
    exit: tuple[str, ...] = (
        "rulebook_barrier_bear",
        "rulebook_weeks_since_extreme",
        "rulebook_bear_depth",
        "rulebook_bear_age",
    )

    def of(self, gate: Gate) -> tuple[str, ...]:
        return self.entry if gate == "entry" else self.exit


DEFAULT_FAMILIES: dict[str, tuple[str, ...]] = {
    "credit": ("credit_spread_zscore", "credit_spread_zscore_change_13w"),
    "volatility": ("volatility_zscore",),
    "rates": ("term_spread", "ten_year_change_13w", "two_year_change_13w"),
    "employment": ("claims_change", "unemployment_sahm_gap", "payroll_growth"),
}


class FixedChoice(_Frozen):
    """The one configuration `selection: fixed` fits for both gates (no search)."""

    families: tuple[str, ...] = ()
    C: PositiveFloat = 0.3
    calibration: Calibration = "none"
    decision: Decision = "balanced"
    pool_from: date | None = date(1950, 1, 1)


class ModelSettings(_Frozen):
    state_features: GateFeatures = GateFeatures()
    # Macro families offered to the selection: each is used whole or not at all.
    families: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(DEFAULT_FAMILIES))
    # nested: every refit chooses families, C and calibration per gate, and the decision rule,
    # by an inner walk-forward on its own training span. fixed: always `fixed`.
    selection: Literal["nested", "fixed"] = "nested"
    regularisation: tuple[PositiveFloat, ...] = (0.03, 0.3)
    calibration: tuple[Calibration, ...] = ("none", "sigmoid")
    decision: tuple[Decision, ...] = ("argmax", "balanced", "balanced_hysteresis")
    hysteresis: Annotated[float, Field(ge=1, le=10)] = 1.5
    fixed: FixedChoice = FixedChoice()
    # From when the pooled indices' rows are offered to the selection (each option is a
    # candidate); an empty list: the gates learn from the small cap alone.
    pool_from: tuple[date, ...] = (date(1950, 1, 1), date(1928, 1, 1))
    max_iter: PositiveInt = 1000
    min_probability: Annotated[float, Field(ge=0, lt=0.25)] = 0.001
    # First week a training row may come from (features need a year of prices before it).
    train_start: date = date(1980, 1, 1)
    # Out-of-sample weeks a candidate needs before the selection may judge it, and before a
    # sigmoid calibration may be fitted on them.
    selection_min_weeks: PositiveInt = 52
    calibration_min_weeks: PositiveInt = 104

    @model_validator(mode="after")
    def _choices_are_offered(self) -> ModelSettings:
        unknown = [f for f in self.fixed.families if f not in self.families]
        if unknown:
            raise ValueError(f"fixed.families names unknown families: {', '.join(unknown)}")
        if not (self.regularisation and self.calibration and self.decision):
            raise ValueError("regularisation, calibration and decision each need one choice")
        return self


DEFAULT_RECESSION_FAMILIES: dict[str, tuple[str, ...]] = {
    "labour": (
        "sahm_realtime_change_13w",
        "claims_change",
        "continuing_claims_change",
        "payroll_growth",
    ),
    "curve": ("term_spread", "term_spread_52w_ago"),
    "credit": ("baa_spread", "baa_spread_change_26w"),
    "conditions": ("financial_conditions",),
}
# Inputs built from data that is revised after its first release (seasonal factors, benchmark
# revisions, the NFCI's weekly re-estimation): the real-time variant leaves them out.
DEFAULT_REVISED_INPUTS = (
    "claims_change",
    "continuing_claims_change",
    "payroll_growth",
    "financial_conditions",
)


class RecessionSettings(_Frozen):
    """The recession nowcast (regime/macro/): P(the US economy is in an NBER recession)."""

    # FRED's NBER recession indicator: the truth, one value per month (1: a recession month).
    indicator: str = "USREC"
    # Input families offered to the nested selection, each used whole or not at all.
    families: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_RECESSION_FAMILIES)
    )
    revised_inputs: tuple[str, ...] = DEFAULT_REVISED_INPUTS
    regularisation: tuple[PositiveFloat, ...] = (0.1, 1.0)
    calibration: tuple[Calibration, ...] = ("none", "sigmoid")
    # First week a training row may come from (claims start in 1967; a year of them first).
    train_start: date = date(1968, 1, 5)
    # The candidates' own walk-forward starts here; weeks are judged from first_test.
    first_refit: date = date(1973, 1, 5)
    first_test: date = date(1979, 1, 5)
    # An expansion month's label is known once the next peak is announced or this many months
    # have passed (no peak since 1980 was announced more than 12 months after it).
    expansion_embargo_months: Annotated[int, Field(ge=0, le=120)] = 18
    # Turning points before the NBER committee's first announcement in the table: their months
    # are known this many months after them (the longest announcement lag since 1980 is 21).
    early_embargo_months: Annotated[int, Field(ge=0, le=120)] = 24
    # P(recession) at or above this is a recession call (timing and false-alarm tables).
    call_threshold: Annotated[float, Field(gt=0, lt=1)] = 0.5

    @model_validator(mode="after")
    def _ordered(self) -> RecessionSettings:
        if not self.train_start < self.first_refit <= self.first_test:
            raise ValueError("train_start < first_refit <= first_test is required")
        if not (self.regularisation and self.calibration):
            raise ValueError("regularisation and calibration each need one choice")
        return self


class BackdropFamily(_Frozen):
    """How one macro family is read on a week (regime/macro/backdrop.py): its indicator, which
    way is worse, and the thresholds, in the indicator's own units, of its watch and stress
    states."""

    # A column of the macro feature table (regime.features.table.macro_features).
    indicator: str
    higher_is_worse: bool = True
    # The state is watch from `watch` and stress from `stress` on (at or beyond each, in the
    # worse direction), calm before.
    watch: float
    stress: float
    # A 13-week change no larger than this (in the indicator's units) reads steady.
    tolerance: Annotated[float, Field(ge=0)]
    # Shown beside the indicator without a state: a macro feature column, or a series role
    # (e.g. `vix`) read as known on the week.
    secondary: str | None = None

    @model_validator(mode="after")
    def _stress_is_beyond_watch(self) -> BackdropFamily:
        if self.higher_is_worse and not self.watch < self.stress:
            raise ValueError(
                f"watch ({self.watch}) must be below stress ({self.stress}) when higher is worse"
            )
        if not self.higher_is_worse and not self.watch > self.stress:
            raise ValueError(
                f"watch ({self.watch}) must be above stress ({self.stress}) when lower is worse"
            )
        return self


DEFAULT_BACKDROP_FAMILIES: dict[str, BackdropFamily] = {
    "labour": BackdropFamily(indicator="sahm_realtime", watch=0.3, stress=0.5, tolerance=0.1),
    "credit": BackdropFamily(
        indicator="baa_spread", watch=2.5, stress=3.0, tolerance=0.15, secondary="high_yield_oas"
    ),
    "curve": BackdropFamily(
        indicator="term_spread", higher_is_worse=False, watch=0.5, stress=0.0, tolerance=0.3
    ),
    "conditions": BackdropFamily(
        indicator="financial_conditions", watch=0.0, stress=1.0, tolerance=0.1, secondary="vix"
    ),
}


class BackdropSettings(_Frozen):
    """The macro backdrop shown beside every prediction: each family's reading on the week.

    Presentation only: it changes no feature and no model, so it is not in LEARNING_SECTIONS
    and changing a threshold never renames a model version.
    """

    # In the order they are shown.
    families: dict[str, BackdropFamily] = Field(
        default_factory=lambda: dict(DEFAULT_BACKDROP_FAMILIES)
    )


class OutlookSettings(_Frozen):
    """What `regime` forecasts beyond the current week (see model/outlook.py)."""

    # Weeks ahead at which the regime is forecast.
    horizons: tuple[PositiveInt, ...] = (4, 13, 26)
    # P(small caps beat large caps on total return over the next `leadership_weeks`).
    leadership_weeks: PositiveInt = 13
    # P(a small-cap bear market's peak is set within the next `bear_start_weeks`).
    bear_start_weeks: PositiveInt = 26
    state_features: tuple[str, ...] = (
        "rulebook_barrier_bull",
        "rulebook_barrier_bear",
        "rulebook_risk_off",
        "rulebook_weeks_since_trough",
        "rulebook_if_not_bear_early_recovery",
        "rulebook_if_not_bear_narrow_rally",
        "relative_return_13w",
        "relative_return_52w",
        "small_cap_drawdown",
    )
    # Macro families (model.families) offered: none, each alone, or all of them.
    regularisation: tuple[PositiveFloat, ...] = (0.1,)


class WalkForwardSettings(_Frozen):
    # The candidates' own walk-forward starts here: the nested selection judges them on it.
    first_refit: date = date(1981, 1, 2)
    # First week reported out of sample (three small-cap bear markets are in training by then).
    first_test: date = date(1985, 1, 4)
    # Last week reported; None: the last week with a final hindsight label.
    last_test: date | None = None
    refit_weeks: PositiveInt = 26

    @model_validator(mode="after")
    def _ordered(self) -> WalkForwardSettings:
        if self.first_refit > self.first_test:
            raise ValueError("first_refit must not come after first_test")
        if self.last_test is not None and self.last_test <= self.first_test:
            raise ValueError("last_test must come after first_test")
        return self


class PathSettings(_Frozen):
    """Where things live. Relative paths resolve against the config file's folder."""

    # None: the copy that comes with the package (the checkout's data/ and models/ in a checkout
    # or editable install, regime/_bundled/ in a wheel), wherever the config file is.
    data: UsablePath | None = None
    models: UsablePath | None = None
    # None: the user cache directory (platformdirs).
    cache: UsablePath | None = None


class HistorySettings(_Frozen):
    """Where `regime run` records its predictions (see regime/job/history.py)."""

    # The SQLite file; None: history.sqlite in the user data directory (platformdirs).
    path: UsablePath | None = None
    # How long a `regime run` waits for another one to finish before giving up.
    lock_timeout_seconds: Annotated[float, Field(gt=0, le=86_400)] = 600.0


class ValidationSettings(_Frozen):
    """How every series is checked where it is read (regime/sources/validate.py).

    Data handling, not learning: not in LEARNING_SECTIONS, so changing it renames no model.
    """

    # A row that cannot be an observation (not a number, an index close at or below zero, a
    # date that repeats, goes back or lies after today): stop the command, or drop the row
    # with a warning.
    impossible: Literal["stop", "drop"] = "stop"
    # An index close more than this fraction above or below the close a week earlier is
    # implausible: a warning (an error under --strict), never dropped. The worst real weeks
    # of the embedded indices are the S&P 500's -27.7% to 1929-10-29 and +25.9% to 1932-08-09.
    weekly_move: Annotated[float, Field(gt=0, le=10)] = 0.4


class FetchSettings(_Frozen):
    """How `regime fetch` talks to FRED and Yahoo. The FRED key itself never lives here."""

    overlap_days: Annotated[int, Field(ge=0, le=3660)] = 60
    retries: Annotated[int, Field(ge=0, le=10)] = 3
    backoff_seconds: Annotated[float, Field(ge=0, le=300)] = 1.0
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0
    fred_requests_per_second: Annotated[float, Field(gt=0, le=100)] = 2.0
    # A file whose first line is the FRED key; FRED_API_KEY in the environment wins over it.
    key_file: UsablePath | None = None
    # Where yfinance keeps its own timezone/cookie caches; None leaves yfinance's default.
    yfinance_cache: UsablePath | None = None
    vintages: Literal["first_release", "latest"] = "latest"
    vintage_series: tuple[SeriesId, ...] = ("UNRATE", "PAYEMS")
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
        "volatility_zscore",
        "claims_change",
        "unemployment_sahm_gap",
        "slope_10y2y",
        "relative_return_13w",
        "small_cap_return_13w",
    )
    markov_regimes: Annotated[int, Field(ge=2, le=6)] = 2
    # Sub-periods reported beside the whole span: [first, last] Fridays, null for open ends.
    periods: tuple[tuple[date | None, date | None], ...] = (
        (None, date(1999, 12, 31)),
        (date(2000, 1, 1), date(2012, 12, 31)),
        (date(2013, 1, 1), None),
    )
    # Resamples of the episode bootstrap (bear markets and the calm spans between them).
    episode_bootstrap_samples: Annotated[int, Field(ge=10, le=100_000)] = 2000
    # The drawdown-and-rebound peer: risk_off from a fall of `entry` below the running peak until
    # a rise of `exit` above the running low; both chosen at each refit from these grids.
    drawdown_entry_grid: tuple[Annotated[float, Field(gt=0, lt=1)], ...] = (0.08, 0.10, 0.12, 0.15)
    drawdown_exit_grid: tuple[Annotated[float, Field(gt=0, lt=1)], ...] = (0.08, 0.10, 0.12, 0.15)
    # The term-spread probit peer (the NY Fed's recession model): the 10y-3m spread this many
    # weeks before each week.
    probit_lag_weeks: Annotated[int, Field(ge=0, le=104)] = 52


class BacktestSettings(_Frozen):
    """The allocation backtest of `regime evaluate` / `regime report` (see backtest.py and
    allocation.py). The policy's parameters are chosen at every refit from these grids."""

    cost_bps: Annotated[float, Field(ge=0, le=1000)] = 10.0
    # Closes between a decision and the trade it causes: 1 trades at the next week's close.
    trade_delay_weeks: Annotated[int, Field(ge=0, le=4)] = 1
    # Equity weight = 1 - sensitivity x P(a small-cap bear market is under way or begins within
    # the outlook's window), clipped to [0, 1]; 0 never times the market.
    risk_sensitivity: tuple[Annotated[float, Field(ge=0, le=10)], ...] = (0.0, 1.0, 2.0)
    # Small caps' share of the equities = 0.5 + tilt x (P(small caps lead) - 0.5), clipped.
    tilt: tuple[Annotated[float, Field(ge=0, le=20)], ...] = (0.0, 2.0, 4.0)
    # No-trade band: trade only when some weight is further than this from its target, and then
    # only back to the band's edge.
    band: tuple[Annotated[float, Field(ge=0, le=1)], ...] = (0.10, 0.20, 0.30)
    # A policy whose turnover (sells plus buys, a year) on the earlier weeks exceeded this is not
    # chosen (unless every policy's did: then the one that traded least).
    max_turnover: Annotated[float, Field(gt=0)] = 2.0
    # Earlier weeks needed before the choice is made by the Sharpe ratio; before that, the least
    # active policy (the smallest sensitivity and tilt, the widest band).
    choice_min_weeks: Annotated[int, Field(ge=1)] = 104

    @model_validator(mode="after")
    def _grids_are_offered(self) -> BacktestSettings:
        if not (self.risk_sensitivity and self.tilt and self.band):
            raise ValueError("risk_sensitivity, tilt and band each need one value")
        return self


# joblib backends regime can run its refits on (regime/workers.py): loky, worker processes on
# this machine; threading or sequential, this process; dask, a Dask cluster. (joblib's
# multiprocessing backend cannot report progress: loky does its job.)
Backend = Literal["loky", "threading", "sequential", "dask"]


class ParallelSettings(_Frozen):
    """Where the walk-forward's and the peers' refits run. Never changes a result, so it is not
    part of the fingerprint; REGIME_PARALLEL_BACKEND, REGIME_PARALLEL_N_JOBS and
    REGIME_PARALLEL_SCHEDULER override it (read by regime/workers.py, not here)."""

    backend: Backend = "loky"
    # Workers of a local backend (-1: one per core); a Dask cluster uses all its worker threads.
    n_jobs: Annotated[int, Field(ge=-1)] = 2
    # The Dask scheduler's address (tcp://host:8786); None: Dask's own DASK_SCHEDULER_ADDRESS.
    scheduler: Annotated[str, Field(min_length=1)] | None = None

    @field_validator("n_jobs")
    @classmethod
    def _some_workers(cls, n_jobs: int) -> int:
        if n_jobs == 0:
            raise ValueError("must be a number of workers (1 or more), or -1 for one per core")
        return n_jobs


class Settings(_Frozen):
    """Everything a user tunes. Built by `load_settings`; never mutated."""

    series: SeriesRoles
    indices: Indices = Indices()
    frequency: Literal["W-FRI"] = "W-FRI"
    publication: dict[SeriesId, Publication]
    max_staleness_days: MaxStaleness = MaxStaleness()
    features: FeatureSettings = FeatureSettings()
    labels: LabelRules = LabelRules()
    model: ModelSettings = ModelSettings()
    walk_forward: WalkForwardSettings = WalkForwardSettings()
    outlook: OutlookSettings = OutlookSettings()
    recession: RecessionSettings = RecessionSettings()
    backdrop: BackdropSettings = BackdropSettings()
    paths: PathSettings = PathSettings()
    history: HistorySettings = HistorySettings()
    fetch: FetchSettings = FetchSettings()
    validation: ValidationSettings = ValidationSettings()
    evaluation: EvaluationSettings = EvaluationSettings()
    backtest: BacktestSettings = BacktestSettings()
    parallel: ParallelSettings = ParallelSettings()
    # Where the file came from; relative paths resolve against its folder.
    source_path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _every_series_has_a_publication_rule(self) -> Settings:
        needed = list(self.series.by_role().values())
        needed += [*self.indices.symbols, *self.indices.snapshot_only]
        missing = [s for s in needed if s not in self.publication]
        if missing:
            raise ValueError(f"publication has no rule for {', '.join(missing)}")
        return self

    @property
    def fred_series(self) -> tuple[str, ...]:
        """Every FRED series id the product uses, in config order: the inputs, then the
        recession truth (fetched and embedded like them, but never a feature)."""
        return (*self.input_series, self.recession.indicator)

    @property
    def input_series(self) -> tuple[str, ...]:
        """The FRED series the features read (their staleness is what a prediction reports)."""
        return tuple(dict.fromkeys(self.series.by_role().values()))

    @property
    def index_symbols(self) -> tuple[str, ...]:
        """Every index symbol the product reads (small, large, pooled)."""
        return self.indices.symbols

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
    "outlook",
    "recession",
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
    shown = shown_path(config_path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {shown} not found; pass --config PATH") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {shown} is a folder; pass --config FILE") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(f"cannot read config file {shown}: {reason}") from None
    raw = _parse_yaml(text, shown)
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {shown} must hold a mapping of settings")
    try:
        return Settings.model_validate({**raw, "source_path": config_path.resolve()})
    except ValidationError as exc:
        raise ConfigError(_one_line(shown, exc)) from None
    except (TypeError, ValueError, RecursionError) as exc:  # keys no settings field can have
        raise ConfigError(f"config file {shown} is not a mapping of settings ({exc})") from None


def _parse_yaml(text: str, shown: str) -> Any:
    """The YAML document in `text` (safe loader: plain data only); ConfigError if it is not one.

    PyYAML raises more than YAMLError on some inputs (a date like 2026-13-01 is a ValueError
    from `datetime`, a document nested thousands deep a RecursionError): each is a bad file.
    """
    # libyaml's safe loader when PyYAML was built with it: the same result, much sooner.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"config file {shown} is not valid YAML{where}") from None
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise ConfigError(f"config file {shown} is not valid YAML ({reason})") from None


def _one_line(config_path: str, exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    key = key if len(key) <= 80 else key[:77] + "..."
    if first["type"] == "extra_forbidden":
        return f"{config_path}: unknown key '{key}'; remove it or check its spelling"
    message = first["msg"].removeprefix("Value error, ")
    given = first.get("input")
    shown = "" if isinstance(given, dict | list) or given is None else f" (got {_short(given)})"
    more = len(exc.errors()) - 1
    tail = f"; and {more} more problem(s)" if more else ""
    return f"{config_path}: bad value for '{key}': {message}{shown}{tail}"


def _short(value: Any) -> str:
    """`repr(value)` cut to a readable length: an error quotes what it got, not a megabyte."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
