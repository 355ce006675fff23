"""Time `regime` start-up against the import floor, and optionally the long commands.

    python benchmarks/run.py [--runs N] [--full [--full-runs M]]

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
"""

from __future__ import annotations

import argparse
import os
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
    env = dict(os.environ)
    if cache_home is not None:
        env["XDG_CACHE_HOME"] = cache_home
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"`{label}` failed: {done.stderr.strip()}")
    return elapsed


def cold_seconds(command: list[str], label: str, runs: int) -> list[float]:
    """`runs` runs of `command`, each with a new, empty user cache."""
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as empty:
            seconds.append(seconds_of(command, label, cache_home=empty))
    return seconds


def time_interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """`runs` rounds; each round runs every command once, in order."""
    seconds: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            seconds[label].append(seconds_of(command, label))
    return seconds


WIDTH = 46


def print_header(ratio: bool) -> None:
    print(f"{'':<{WIDTH}}{'median s':>9}{'min s':>8}{'max s':>8}{'  x floor' if ratio else ''}")


def print_row(label: str, values: list[float], floor: float | None = None) -> None:
    median = statistics.median(values)
    line = f"{label:<{WIDTH}}{median:>9.2f}{min(values):>8.2f}{max(values):>8.2f}"
    if floor is not None:
        line += f"{median / floor:>9.2f}"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs (default 5)")
    parser.add_argument("--full", action="store_true", help="also time evaluate, report and train")
    parser.add_argument(
        "--full-runs", type=int, default=3, help="runs of each --full command (default 3)"
    )
    args = parser.parse_args()

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
        print_header(ratio=False)
        for label, command in {"regime evaluate --save": evaluate, "regime train": train}.items():
            print_row(f"{label} (cold cache)", cold_seconds(command, label, args.full_runs))
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
            print_row(label, [seconds_of(command, label, cache_home=warm_cache) for _ in runs])


if __name__ == "__main__":
    main()
