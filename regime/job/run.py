"""The scheduled job behind `regime run`: refresh the data, predict the latest week, record it.

Runs hold a lock next to the history file for their whole length, so overlapping runs (a slow
fetch and the next timer tick) take turns; the history's unique (week, model version) key makes
a repeated run a no-op even without the lock.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from filelock import FileLock, Timeout

from regime.clock import today as clock_today
from regime.config import Settings
from regime.errors import (
    DataSourceError,
    HistoryError,
    RegimeError,
    SettingsMismatchError,
    StaleWeekError,
    shown_path,
)
from regime.freshness import Freshness
from regime.job.alert import hook_words, run_hook
from regime.job.history import open_history, record
from regime.model.card_settings import mismatch_message
from regime.model.predict import RegimeModel, RegimePrediction, load_model
from regime.sources.fetch import KEY_ENV, fetch, fred_api_key

# The logger keeps the name it had before this module moved: log filters and collectors know it.
log = logging.getLogger("regime.jobs")


@dataclass(frozen=True)
class RunResult:
    """What one run did: the prediction, whether it added a row, whether data was fetched,
    and how fresh the prediction is."""

    prediction: RegimePrediction
    added: bool
    fetched: bool
    history_path: Path
    freshness: Freshness
    # Whether the call or the recession call changed since last week (False without a week
    # before), and whether the --on-change hook ran and succeeded (None: not run).
    changed: bool = False
    alerted: bool | None = None


def run_job(
    settings: Settings,
    *,
    offline: bool = False,
    strict: bool = False,
    model_path: Path | None = None,
    today: date | None = None,
    on_change: str | None = None,
) -> RunResult:
    """Fetch (unless `offline`), predict the latest week, record it.

    A week older than `max_staleness_days.week` on `today` (default: `regime.clock.today()`) is
    logged as a warning and reported in the result's `freshness`; so is a model trained with
    other learning settings than `settings`, and an implausible value in the data. With
    `strict`, a series that fails to fetch (an implausible value fails it) is an error
    (DataSourceError, before predicting), so is an implausible value in the data read
    (InvalidDataError), and, after recording the prediction, so is a model trained with other
    settings (SettingsMismatchError) or a stale week (StaleWeekError).
    Raises HistoryError when the history cannot be used; it is checked before any download,
    and a file that fails the check is never written to.

    A change of call or of the recession call since last week is logged; when the run records
    a new row, `on_change` (a command, see job/alert.py) runs with the change, before a
    --strict failure is raised.
    """
    if on_change is not None:
        hook_words(on_change)  # a command that cannot run is said before any work
    path = settings.history_path
    with job_lock(path, settings.history.lock_timeout_seconds):
        with closing(open_history(path)) as con:
            fetched = refresh(settings, offline=offline, strict=strict)
            model = load_model(model_path, settings)
            prediction = model.predict_current(today=today, strict=strict)
            added = record(con, path, prediction)
    fresh = model.freshness(prediction, today or clock_today())
    failure = _strict_failure(model, settings, fresh) if strict else None
    differs = model.config_differences
    if differs and not isinstance(failure, SettingsMismatchError):
        log.warning("%s", mismatch_message(model.version, differs, settings.source_path))
    # Under --strict the run's error is its one line: not also a warning.
    _report(prediction, added, path, None if isinstance(failure, StaleWeekError) else fresh)
    change = prediction.since_last_week
    changed = change is not None and change.changed
    alerted = None
    if change is not None and changed:
        fields = {
            "regime_change": change.regime_changed,
            "recession_change": change.recession_call_changed,
            "previous_week": change.previous_week,
        }
        log.info(
            "change since the week of %s: %s",
            change.previous_week,
            change.sentence,
            extra={"fields": fields},
        )
        if on_change is not None and added:
            alerted = run_hook(on_change, prediction, change)
    if failure is not None:
        raise failure
    return RunResult(prediction, added, fetched, path, fresh, changed, alerted)


def _strict_failure(model: RegimeModel, settings: Settings, fresh: Freshness) -> RegimeError | None:
    """What fails a --strict run once its prediction is recorded: a model trained with other
    settings than the config's (exit 7), else a stale week (exit 6)."""
    recorded = "(the prediction is recorded; --strict)"
    if model.config_differences:
        message = mismatch_message(model.version, model.config_differences, settings.source_path)
        return SettingsMismatchError(f"{message} {recorded}")
    if fresh.week_is_stale:
        return StaleWeekError(f"{fresh.warning()} {recorded}")
    return None


@contextmanager
def job_lock(history_path: Path, timeout: float) -> Iterator[None]:
    """Hold `<history>.lock`; HistoryError when it cannot be created or is held too long."""
    lock_path = history_path.with_name(history_path.name + ".lock")
    try:
        history_path.parent.mkdir(parents=True, exist_ok=True)
        # FileLock retries a lock file it cannot create until its timeout, then reports it as
        # held: open it once first, so a folder that refuses it is said at once, as such.
        os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666))
        lock = FileLock(str(lock_path), timeout=timeout)
        lock.acquire()
    except Timeout:
        raise HistoryError(
            f"another `regime run` has held {shown_path(lock_path)} for more than {timeout:g} s; "
            "check for a stuck run or raise history.lock_timeout_seconds"
        ) from None
    except OSError as exc:
        raise HistoryError(
            f"cannot create the lock {shown_path(lock_path)} beside the prediction history "
            f"({exc.strerror or exc}); fix the permissions or set history.path in config.yaml"
        ) from None
    try:
        yield
    finally:
        lock.release()


def refresh(settings: Settings, *, offline: bool = False, strict: bool = False) -> bool:
    """Run `regime fetch`'s refresh (only the Yahoo indices without a FRED key); True when it
    fetched."""
    if offline:
        log.info("offline run: predicting from the cache and the embedded data")
        return False
    if fred_api_key(settings):
        report = fetch(settings, strict=strict)
    else:
        log.warning("%s is not set: fetching only the Yahoo indices, not FRED", KEY_ENV)
        report = fetch(settings, series=settings.index_symbols, strict=strict)
    # A note (a corrupt cache file moved aside) is logged by the fetch where it happens.
    for item in report.series:
        if item.ok:
            log.info("fetched %s", item.summary())
        else:
            log.warning("fetch failed: %s", item.error)
    if strict and not report.ok:
        names = ", ".join(s.key for s in report.failed)
        raise DataSourceError(f"{len(report.failed)} series failed to fetch ({names}); --strict")
    return True


def _report(prediction: RegimePrediction, added: bool, path: Path, fresh: Freshness | None) -> None:
    fields = {
        "as_of": prediction.as_of,
        "regime": prediction.regime,
        "confidence": round(prediction.confidence, 6),
        "model_version": prediction.model["version"],
        "added": added,
        "history": str(path),
    }
    if prediction.stale_at_week:
        missing = ", ".join(prediction.stale_at_week)
        log.warning("stale at the week (treated as missing): %s", missing)
    if prediction.stale:
        log.warning(
            "stale today (older than their cadence allows): %s", ", ".join(prediction.stale)
        )
    if fresh is not None and fresh.week_is_stale:
        age = {"week_age_days": fresh.week_age_days}
        log.warning("%s", fresh.warning(), extra={"fields": age})
    outcome = "recorded" if added else "already recorded, history unchanged"
    log.info(
        "week ending %s: %s (confidence %.0f%%), model %s: %s",
        prediction.as_of,
        prediction.regime,
        100 * prediction.confidence,
        prediction.model["version"],
        outcome,
        extra={"fields": fields},
    )
