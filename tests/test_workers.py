"""The refits run on joblib's workers: in order, wherever the settings or the environment say,
and a SIGKILLed `regime evaluate` leaves no worker running."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from regime.config import ParallelSettings
from regime.errors import ConfigError, MissingExtraError
from regime.workers import (
    ENVIRONMENT,
    WATCHDOG_NAME,
    parallel_settings,
    run_chunked,
    watch_parent,
)


def square_and_where(item: int, offset: int) -> tuple[int, int]:
    return item * item + offset, os.getpid()


# Each process counts how often it unpickled a Marker: how often the shared input reached it.
UNPICKLED: list[int] = []


class Marker:
    def __reduce__(self) -> tuple:
        return (unpickled_marker, ())


def unpickled_marker() -> Marker:
    UNPICKLED.append(1)
    return Marker()


def unpickles_so_far(item: int, marker: Marker) -> tuple[int, int]:
    return os.getpid(), len(UNPICKLED)


def unpickles_per_process(results: list[tuple[int, int]]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for pid, count in results:
        counts[pid] = max(counts.get(pid, 0), count)
    return counts


@pytest.mark.parametrize("backend", ["loky", "threading", "sequential"])
def test_every_item_comes_back_in_order_with_progress_to_the_end(backend):
    seen: list[tuple[int, int]] = []
    items = list(range(23))
    plan = ParallelSettings(backend=backend, n_jobs=2)

    results = run_chunked(square_and_where, items, (5,), plan, lambda d, n: seen.append((d, n)))

    assert [value for value, _ in results] == [i * i + 5 for i in items]
    assert seen[-1] == (23, 23) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    ran_here = {pid for _, pid in results} == {os.getpid()}
    assert ran_here == (backend != "loky")


def test_local_workers_get_the_shared_inputs_once_per_chunk_not_per_item():
    results = run_chunked(unpickles_so_far, list(range(40)), (Marker(),), ParallelSettings())

    counts = unpickles_per_process(results)
    assert os.getpid() not in counts
    assert sum(counts.values()) == 4 * 2  # four chunks for each of the two workers


def test_nothing_to_run_starts_nothing():
    assert run_chunked(square_and_where, [], (0,), ParallelSettings()) == []


def test_the_environment_overrides_the_settings(monkeypatch):
    monkeypatch.setenv("REGIME_PARALLEL_BACKEND", "dask")
    monkeypatch.setenv("REGIME_PARALLEL_SCHEDULER", "tcp://127.0.0.1:8786")
    monkeypatch.setenv("REGIME_PARALLEL_N_JOBS", " 4 ")

    plan = parallel_settings(ParallelSettings(backend="loky", n_jobs=2))

    assert plan == ParallelSettings(backend="dask", n_jobs=4, scheduler="tcp://127.0.0.1:8786")
    keys = ParallelSettings.model_fields
    assert set(ENVIRONMENT) == {f"REGIME_PARALLEL_{key.upper()}" for key in keys}


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("REGIME_PARALLEL_BACKEND", "spark", r"^REGIME_PARALLEL_BACKEND=spark: .*'dask'; fix or"),
        ("REGIME_PARALLEL_N_JOBS", "two", r"^REGIME_PARALLEL_N_JOBS=two: .*integer"),
        ("REGIME_PARALLEL_N_JOBS", "0", r"^REGIME_PARALLEL_N_JOBS=0: must be a number of workers"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as raised:
        parallel_settings(ParallelSettings())
    assert "\n" not in str(raised.value)


def test_the_watchdog_never_starts_in_the_parent_itself():
    watch_parent(os.getpid())  # returns: this process is no worker of itself
    assert os.getpid() > 0


def test_the_dask_backend_needs_an_address(monkeypatch):
    import dask

    monkeypatch.delenv("REGIME_PARALLEL_SCHEDULER", raising=False)
    with dask.config.set({"scheduler-address": None}):
        with pytest.raises(ConfigError, match="set parallel.scheduler, REGIME_PARALLEL_SCHEDULER"):
            run_chunked(square_and_where, [1], (0,), ParallelSettings(backend="dask"))


def test_the_dask_backend_without_its_extra_says_which_install_brings_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # how importlib sees a missing one
    plan = ParallelSettings(backend="dask", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(MissingExtraError, match=r"pip install 'regime\[dask\]'$"):
        run_chunked(square_and_where, [1], (0,), plan)


def test_an_unreachable_scheduler_is_one_line(monkeypatch):
    import socket

    import dask

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    plan = ParallelSettings(backend="dask", scheduler=f"tcp://127.0.0.1:{port}")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(ConfigError, match=r"cannot reach the Dask scheduler at tcp://127"):
            run_chunked(square_and_where, [1], (0,), plan)


# --- A SIGKILLed parent: its workers follow it within seconds --------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state first), None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def children_of(parent: int) -> dict[int, tuple[str, float, str]]:
    """pid -> (start time, CPU seconds used, command line) of every process whose parent is
    `parent` (read from /proc: psutil is no dependency)."""
    found = {}
    for entry in Path("/proc").iterdir():
        fields = proc_stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None and int(fields[1]) == parent:
            cpu = (int(fields[11]) + int(fields[12])) / TICKS
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            found[int(entry.name)] = (fields[19], cpu, command)
    return found


def watched(pid: int) -> bool:
    """Whether the process runs a `regime-watchdog` thread (it has begun its first chunk)."""
    try:
        names = [
            (task / "comm").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir()
        ]
    except OSError:
        return False
    return WATCHDOG_NAME in names


def still_running(pid: int, started: str) -> bool:
    """The same process (not a reused pid), and not a zombie waiting to be reaped."""
    fields = proc_stat(pid)
    return fields is not None and fields[19] == started and fields[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_sigkilled_evaluate_leaves_no_worker_running(deployment):
    evaluate = deployment.popen("evaluate", "--quiet")  # an empty cache: the walk-forward runs
    try:
        deadline = time.monotonic() + 180
        while True:  # until two loky workers are fitting candidates
            children = children_of(evaluate.pid)
            busy = [pid for pid, c in children.items() if "loky" in c[2] and watched(pid)]
            if len(busy) >= 2:
                break
            assert evaluate.poll() is None, evaluate.communicate()[1]
            assert time.monotonic() < deadline, "no busy worker appeared"
            time.sleep(0.1)
        evaluate.send_signal(signal.SIGKILL)
        evaluate.wait(timeout=30)
    finally:
        if evaluate.poll() is None:
            evaluate.kill()
    killed = time.monotonic()

    while (alive := [p for p, c in children.items() if still_running(p, c[0])]) and (
        time.monotonic() - killed < 5
    ):
        time.sleep(0.05)
    gone_after = time.monotonic() - killed
    for pid in alive:  # so that a failure leaves nothing behind either
        os.kill(pid, signal.SIGKILL)

    assert evaluate.returncode == -signal.SIGKILL
    assert alive == [], f"still running 5 s after the SIGKILL: {[children[p] for p in alive]}"
    print(f"{len(children)} children gone {gone_after:.2f} s after the SIGKILL")


# --- On a Dask cluster: the same numbers -----------------------------------------------------


@pytest.fixture(scope="module")
def small_settings(project_settings):
    """Fewer candidates and refits (a walk-forward of seconds), on two local loky workers."""
    from datetime import date

    model = project_settings.model.model_copy(
        update={
            "families": {k: project_settings.model.families[k] for k in ("credit", "volatility")},
            "regularisation": (0.3,),
            "pool_from": (date(1950, 1, 1),),
        }
    )
    return project_settings.model_copy(
        update={"model": model, "parallel": ParallelSettings(backend="loky", n_jobs=2)}
    )


def test_a_walk_forward_on_a_dask_cluster_has_the_local_numbers(
    embedded_data, small_settings, monkeypatch
):
    import pandas as pd
    from distributed import Client, LocalCluster, get_task_stream

    from regime.model.training_rows import Dataset
    from regime.model.walk_forward import walk_forward

    cut = pd.Timestamp("1992-06-26")
    dataset = Dataset.build(embedded_data, small_settings)
    local = walk_forward(dataset, small_settings, through=cut)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        configured = ParallelSettings(backend="dask", scheduler=address)
        squares = run_chunked(square_and_where, list(range(10)), (0,), configured)
        markers = run_chunked(unpickles_so_far, list(range(40)), (Marker(),), configured)
        monkeypatch.setenv("REGIME_PARALLEL_BACKEND", "dask")  # the environment's way
        monkeypatch.setenv("REGIME_PARALLEL_SCHEDULER", address)
        with Client(cluster) as watcher, get_task_stream(watcher) as stream:
            remote = walk_forward(dataset, small_settings, through=cut)
        workers = {task["worker"] for task in stream.data if "_run_chunk" in task["key"]}

    assert [value for value, _ in squares] == [i * i for i in range(10)]
    assert os.getpid() not in {pid for _, pid in squares}  # the cluster's processes ran them
    assert list(unpickles_per_process(markers).values()) == [1, 1]  # once to each worker
    assert len(workers) == 2  # both of the cluster's workers fitted candidates
    pd.testing.assert_frame_equal(
        remote.nested.predictions, local.nested.predictions, check_exact=True
    )
    assert [c.to_dict() for c in remote.nested.choices] == [
        c.to_dict() for c in local.nested.choices
    ]
    assert list(remote.runs.series) == list(local.runs.series)
    for candidate, series in local.runs.series.items():
        pd.testing.assert_series_equal(remote.runs.series[candidate], series, check_exact=True)
    for name, run in local.outlook.items():
        pd.testing.assert_frame_equal(
            remote.outlook[name].predictions, run.predictions, check_exact=True
        )
