"""Spreading independent fits over processes, without leaving any behind.

The walk-forward refits hundreds of candidate models that do not depend on each other. They run
in worker processes that are forked with the shared inputs already in memory (nothing large is
pickled), and on Linux each worker asks the kernel to kill it when its parent dies: a `regime
train` killed with SIGKILL takes its workers with it instead of leaving them running.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1
# What the forked workers see: set just before the pool forks them.
_shared: Any = None
_work: Callable[[Any, Any], Any] | None = None


def run_parallel(
    work: Callable[[Any, Item], Result], shared: Any, items: Iterable[Item], n_jobs: int
) -> Iterator[Result]:
    """`work(shared, item)` for every item, in order, in up to `n_jobs` processes.

    With `n_jobs` 1, or where processes cannot be forked, everything runs in this process.
    """
    items = list(items)
    if n_jobs <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (work(shared, item) for item in items)
        return
    global _shared, _work
    _shared, _work = shared, work
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n_jobs, mp_context=context, initializer=_die_with_parent) as pool:
            yield from pool.map(_call, items)
    finally:
        _shared, _work = None, None


def _call(item: Any) -> Any:
    assert _work is not None
    return _work(_shared, item)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when its parent dies (elsewhere: nothing to do)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
