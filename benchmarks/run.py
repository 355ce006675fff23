"""Time `regime` start-up against the import floor, and optionally the long commands.

    python benchmarks/run.py [--runs N] [--full [--full-runs M]]
    python benchmarks/run.py --evaluate-only [--full-runs M]

Start-up: the floor `python -c "import pandas, sklearn.linear_model"`, `regime --help` and
`regime predict` each run N times (default 5), interleaved round by round so that whatever else
the machine is doing weighs on all three alike. Every run is a fresh interpreter (imports
included). Printed: median, min and max wall-clock seconds, and each median as a ratio to the
floor's. `--full` also times the long commands, M runs each (default 3): `regime evaluate
--save` and `regime train` cold (each run with an empty user cache, so the walk-forward is
computed) and warm (reusing what an untimed evaluate and train left in the cache), and
`regime report` with and without the saved evaluation. `train` writes to a temporary copy of
models/, so the committed model is left as it is. Everything runs offline on the embedded
data.

Each long command also shows its CPU seconds (user + sys of the command and of the worker
processes it started and waited for, median over the runs): unlike wall-clock seconds, they
hardly move with what else the machine is doing. The machine's cores and load average are
printed before them, and `regime evaluate --save` cold is set against its budget
(`EVALUATE_BUDGET_SECONDS`, issue 18: on a quiet two-core machine). `--evaluate-only` times
just that: M cold runs and the budget line, no start-up and no other command.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = [sys.executable]
REGIME = [*PYTHON, "-c", "from regime.cli import main; main()"]
FLOOR = [*PYTHON, "-c", "import pandas, sklearn.linear_model"]
PROJECT = Path(__file__).resolve().parents[1]
# `regime evaluate --save` with a cold cache, on a quiet two-core machine.
EVALUATE_BUDGET_SECONDS = 90.0


def scratch_config(folder: Path) -> Path:
    """The project's config with models/ copied to `folder`, so `train` cannot touch the repo."""
    import yaml

    models = folder / "models"
    shutil.copytree(PROJECT / "models", models)
    config = yaml.safe_load((PROJECT / "config.yaml").read_text())
    config["paths"] = {
        **config.get("paths", {}),
        "data": str(PROJECT / "data"),
        "models": str(models),
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def seconds_of(command: list[str], label: str, cache_home: str | None = None) -> float:
    """Wall-clock seconds of one run of `command`; stops the benchmark if it fails.

    `cache_home` becomes its XDG_CACHE_HOME, the user cache where `regime` keeps the
    walk-forward it may reuse: an empty folder makes a cold run.
    """
    return timed(command, label, cache_home)[0]


def timed(command: list[str], label: str, cache_home: str | None = None) -> tuple[float, float]:
    """(wall-clock, CPU) seconds of one run of `command`, as `seconds_of`.

    CPU: user + sys of the command and of every process it waited for (the joblib workers
    that ran its refits), from this process's children's resource usage."""
    env = dict(os.environ)
    if cache_home is not None:
        env["XDG_CACHE_HOME"] = cache_home
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"`{label}` failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def cold_runs(command: list[str], label: str, runs: int) -> list[tuple[float, float]]:
    """`runs` (wall, CPU) timings of `command`, each with a new, empty user cache."""
    timings = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as empty:
            timings.append(timed(command, label, cache_home=empty))
    return timings


def time_interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """`runs` rounds; each round runs every command once, in order."""
    seconds: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            seconds[label].append(seconds_of(command, label))
    return seconds


WIDTH = 46


def print_header(ratio: bool = False, cpu: bool = False) -> None:
    extra = "  x floor" if ratio else f"{'cpu s':>9}" if cpu else ""
    print(f"{'':<{WIDTH}}{'median s':>9}{'min s':>8}{'max s':>8}{extra}")


def print_row(
    label: str, values: list[float], floor: float | None = None, cpu: list[float] | None = None
) -> None:
    median = statistics.median(values)
    line = f"{label:<{WIDTH}}{median:>9.2f}{min(values):>8.2f}{max(values):>8.2f}"
    if floor is not None:
        line += f"{median / floor:>9.2f}"
    if cpu is not None:
        line += f"{statistics.median(cpu):>9.2f}"
    print(line, flush=True)


def print_timed(label: str, timings: list[tuple[float, float]]) -> None:
    print_row(label, [wall for wall, _ in timings], cpu=[cpu for _, cpu in timings])


def machine_line() -> str:
    """The cores and the load average now: how quiet the machine was for the long commands."""
    one, five, fifteen = os.getloadavg()
    return (
        f"machine: {os.cpu_count()} cores, load average {one:.2f} {five:.2f} {fifteen:.2f} "
        "(1, 5, 15 min) before the long commands"
    )


def budget_line(timings: list[tuple[float, float]]) -> str:
    wall = statistics.median(wall for wall, _ in timings)
    verdict = "within" if wall <= EVALUATE_BUDGET_SECONDS else "OVER"
    return (
        f"regime evaluate --save, cold: median {wall:.1f} s wall, "
        f"{statistics.median(cpu for _, cpu in timings):.1f} s CPU; {verdict} its "
        f"{EVALUATE_BUDGET_SECONDS:.0f} s budget (a quiet two-core machine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs (default 5)")
    parser.add_argument("--full", action="store_true", help="also time evaluate, report and train")
    parser.add_argument(
        "--full-runs", type=int, default=3, help="runs of each --full command (default 3)"
    )
    parser.add_argument(
        "--evaluate-only",
        action="store_true",
        help="only `regime evaluate --save` cold, --full-runs times, against its budget",
    )
    args = parser.parse_args()
    if args.evaluate_only:
        evaluate_budget(args.full_runs)
        return

    floor = "floor: import pandas, sklearn.linear_model"
    startup = {
        floor: FLOOR,
        "regime --help": [*REGIME, "--help"],
        "regime predict": [*REGIME, "predict", "--format", "json"],
    }
    print(f"start-up, {args.runs} interleaved runs, {sys.executable}")
    seconds = time_interleaved(startup, args.runs)
    print_header(ratio=True)
    for label, values in seconds.items():
        print_row(label, values, floor=statistics.median(seconds[floor]))
    if not args.full:
        return
    with tempfile.TemporaryDirectory() as folder:
        config = str(scratch_config(Path(folder)))
        saved = str(Path(folder) / "evaluation.json")
        report = str(Path(folder) / "report")
        warm_cache = str(Path(folder) / "cache")
        evaluate = [*REGIME, "evaluate", "--format", "json", "--save", saved]
        train = [*REGIME, "train", "--quiet", "--config", config]
        print(f"\nlong commands, {args.full_runs} runs each")
        print(machine_line())
        print_header(cpu=True)
        cold: dict[str, list[tuple[float, float]]] = {}
        for label, command in {"regime evaluate --save": evaluate, "regime train": train}.items():
            cold[label] = cold_runs(command, label, args.full_runs)
            print_timed(f"{label} (cold cache)", cold[label])
        # Warm: an untimed evaluate and train fill the cache that every run below reuses.
        seconds_of(evaluate, "evaluate", cache_home=warm_cache)
        seconds_of(train, "train", cache_home=warm_cache)
        warm = {
            "regime evaluate --save (warm cache)": evaluate,
            "regime train (warm cache)": train,
            "regime report (warm cache)": [*REGIME, "report", "--out", report],
            "regime report --evaluation": [
                *REGIME,
                "report",
                "--out",
                report,
                "--evaluation",
                saved,
            ],
        }
        for label, command in warm.items():
            runs = range(args.full_runs)
            print_timed(label, [timed(command, label, cache_home=warm_cache) for _ in runs])
        print(f"\n{budget_line(cold['regime evaluate --save'])}")


def evaluate_budget(runs: int) -> None:
    """`runs` cold runs of `regime evaluate --save`, each timed, then the budget line."""
    with tempfile.TemporaryDirectory() as folder:
        evaluate = [*REGIME, "evaluate", "--format", "json", "--save", f"{folder}/e.json"]
        print(f"regime evaluate --save, cold cache, {runs} runs, {sys.executable}")
        print(machine_line())
        print_header(cpu=True)
        timings = cold_runs(evaluate, "regime evaluate --save", runs)
        print_timed("regime evaluate --save (cold cache)", timings)
        print(f"\n{budget_line(timings)}")


if __name__ == "__main__":
    main()
