"""Spreading independent fits over joblib's workers, without leaving any behind.

Every fan-out of `regime` (the candidates' and the outlook's walk-forward refits, the peers'
refits) goes through `run_chunked`: one `joblib.Parallel` call on the backend that the settings'
`parallel` section names, which the environment overrides (`ENVIRONMENT`): worker processes here
(loky, the default), this process, or a Dask cluster. The items go out in a few interleaved
chunks per worker, so the shared inputs are sent once per chunk, not once per item (and to a
Dask cluster once per call: joblib scatters them to every worker first).

A local worker does not die with its parent: a SIGKILLed `regime train` would leave loky's
workers computing for minutes. So the first chunk a local worker process runs starts a watchdog
thread there (`regime-watchdog` in `ps -L`), which ends the process as soon as its parent is
gone. A cluster's workers are not our children: nothing is started there. joblib offers no hook
at a loky worker's start, so a worker is watched from its first chunk on: one that loky started
in the instant before the first chunk reached it, when its parent was killed, waits idle (no
CPU) until loky's idle timeout (300 s) ends it.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import joblib
from pydantic import ValidationError

from regime.config import ParallelSettings
from regime.errors import ConfigError, MissingExtraError

Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[int, int], None]

# Environment variable -> the `parallel` key it overrides.
ENVIRONMENT = {
    "REGIME_PARALLEL_BACKEND": "backend",
    "REGIME_PARALLEL_N_JOBS": "n_jobs",
    "REGIME_PARALLEL_SCHEDULER": "scheduler",
}
# Backends whose workers are child processes of this one: those get the watchdog.
LOCAL_PROCESSES = ("loky",)
CHUNKS_PER_WORKER = 4
# How often the watchdog looks at its parent: a worker outlives it by at most about this long.
WATCH_SECONDS = 0.2
# The watchdog thread's name, as the system shows it (at most 15 bytes).
WATCHDOG_NAME = "regime-watchdog"
_PR_SET_NAME = 15


def parallel_settings(
    configured: ParallelSettings, environ: Mapping[str, str] | None = None
) -> ParallelSettings:
    """The `parallel` settings with the REGIME_PARALLEL_* variables of `environ` (default: the
    process environment) in place of their keys. ConfigError names a bad variable."""
    environ = os.environ if environ is None else environ
    given = {key: environ[name].strip() for name, key in ENVIRONMENT.items() if name in environ}
    if not given:
        return configured
    try:
        return ParallelSettings.model_validate({**configured.model_dump(), **given})
    except ValidationError as exc:
        first = exc.errors()[0]
        named = [n for n, key in ENVIRONMENT.items() if n in environ and (key,) == first["loc"]]
        shown = ", ".join(
            f"{n}={environ[n]}" for n in named or [n for n in ENVIRONMENT if n in environ]
        )
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{shown}: {message}; fix or unset it") from None


def run_chunked(
    work: Callable[..., Result],
    items: Sequence[Item],
    shared: tuple[Any, ...],
    configured: ParallelSettings,
    progress: Progress | None = None,
) -> list[Result]:
    """`work(item, *shared)` for every item, in order, on the configured joblib backend.

    `progress(done, total)` is called in this process as chunks of items finish. `work` and
    its inputs must be picklable (a module-level function), and deterministic: where it runs
    never changes what it returns.
    """
    if not items:
        return []
    plan = parallel_settings(configured)
    with _backend(plan, shared) as n_workers:
        n_chunks = max(1, min(len(items), CHUNKS_PER_WORKER * n_workers))
        chunks = [list(range(i, len(items), n_chunks)) for i in range(n_chunks)]
        parent = os.getpid() if plan.backend in LOCAL_PROCESSES else None
        tasks = (
            joblib.delayed(_run_chunk)(parent, work, [items[i] for i in chunk], *shared)
            for chunk in chunks
        )
        found: dict[int, Result] = {}
        for chunk, results in zip(chunks, _parallel()(tasks), strict=True):
            found.update(zip(chunk, results, strict=True))
            if progress is not None:
                progress(len(found), len(items))
    return [found[i] for i in range(len(items))]


def _parallel() -> Any:
    """A `joblib.Parallel` that hands out each chunk's results as soon as they are in order.

    One chunk per task (`batch_size=1`): the chunks are the batches, and joblib's own batching
    of quick tasks would send the shared inputs once per batch of chunks, unpredictably."""
    try:
        return joblib.Parallel(return_as="generator", batch_size=1)
    except ValueError:  # joblib 1.3's dask backend returns a list: progress only at the end
        return joblib.Parallel(batch_size=1)


def _run_chunk(
    parent: int | None, work: Callable[..., Result], items: list[Any], *shared: Any
) -> list[Result]:
    if parent is not None:
        watch_parent(parent)
    return [work(item, *shared) for item in items]


@contextmanager
def _backend(plan: ParallelSettings, shared: tuple[Any, ...]) -> Iterator[int]:
    """joblib configured for `plan`; yields how many items can run at once.

    For Dask: a client of its scheduler (closed after), and the `shared` inputs sent to every
    worker once (joblib's `scatter`), which the tasks then name instead of carrying them."""
    if plan.backend != "dask":
        local = 1 if plan.backend == "sequential" else plan.n_jobs
        with joblib.parallel_config(backend=plan.backend, n_jobs=plan.n_jobs):
            yield (os.cpu_count() or 1) if local == -1 else local
        return
    with _dask_client(plan.scheduler) as client:
        with joblib.parallel_config(backend="dask", client=client, scatter=list(shared)):
            yield max(1, sum(client.ncores().values()))


@contextmanager
def _dask_client(scheduler: str | None) -> Iterator[Any]:
    try:
        import dask
        from distributed import Client
    except ImportError:
        raise MissingExtraError(
            "the dask backend (parallel.backend) needs dask and distributed: "
            "pip install 'regime[dask]'"
        ) from None
    address = scheduler or dask.config.get("scheduler-address", None)
    if not address:
        raise ConfigError(
            "the dask backend needs its scheduler's address: set parallel.scheduler, "
            "REGIME_PARALLEL_SCHEDULER or DASK_SCHEDULER_ADDRESS (tcp://host:8786)"
        )
    try:
        client = Client(address, set_as_default=False)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {address}: {exc}; check parallel.scheduler"
        ) from None
    with client:
        yield client


_watched: int | None = None
_watch_lock = threading.Lock()


def watch_parent(parent: int) -> None:
    """In a worker process of `parent`: end this process soon after `parent` dies.

    Started once per process (later calls return at once); a no-op in `parent` itself. A
    worker whose parent is already gone (it has been handed to another process) ends now.
    """
    global _watched
    if os.getpid() == parent:
        return
    with _watch_lock:
        if _watched == parent:
            return
        if os.getppid() != parent:
            os._exit(1)
        _watched = parent
        threading.Thread(target=_watch, args=(parent,), name=WATCHDOG_NAME, daemon=True).start()


def _watch(parent: int) -> None:
    _name_this_thread(WATCHDOG_NAME)
    # A dead parent's children are handed to another process at once, even while the dead
    # one is not yet reaped: getppid changes then.
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _name_this_thread(name: str) -> None:
    """Show this thread as `name` in `ps -L` and /proc/PID/task/*/comm (Linux only)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(_PR_SET_NAME, name.encode()[:15])
        except (OSError, AttributeError):
            pass  # a libc without prctl: the thread keeps its inherited name
