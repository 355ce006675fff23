"""Time `regime` start-up against the import floor, and optionally the long commands.

    python benchmarks/run.py [--runs N] [--full [--full-runs M]]

Start-up: the floor `python -c "import pandas, sklearn.linear_model"`, `regime --help` and
`regime predict` each run N times (default 5), interleaved round by round so that whatever else
the machine is doing weighs on all three alike. Every run is a fresh interpreter (imports
included). Printed: median, min and max wall-clock seconds, and each median as a ratio to the
floor's. `--full` also times `regime evaluate --save` cold (an empty user cache, so the
walk-forward is computed) and warm (its walk-forward reused from the cache), `regime report`
(with and without the saved evaluation) and `regime train` (M runs each, default 3); `train`
writes to a temporary copy of models/, so the committed model is left as it is. Everything runs
offline on the embedded data.
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


def seconds_of(command: list[str], label: str, cold_cache: bool = False) -> float:
    """Wall-clock seconds of one run of `command`; stops the benchmark if it fails.

    `cold_cache` runs it with an empty user cache folder (XDG_CACHE_HOME), so nothing saved by
    an earlier run can be reused.
    """
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as empty_cache:
        if cold_cache:
            env["XDG_CACHE_HOME"] = empty_cache
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"`{label}` failed: {done.stderr.strip()}")
    return elapsed


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
        evaluate = [*REGIME, "evaluate", "--format", "json", "--save", saved]
        print(f"\nlong commands, {args.full_runs} runs each")
        print_header(ratio=False)
        cold = [seconds_of(evaluate, "evaluate", cold_cache=True) for _ in range(args.full_runs)]
        print_row("regime evaluate --save (cold cache)", cold)
        commands = {
            "regime evaluate --save (warm cache)": evaluate,
            "regime report": [*REGIME, "report", "--out", report],
            "regime report --evaluation": [
                *REGIME,
                "report",
                "--out",
                report,
                "--evaluation",
                saved,
            ],
            "regime train": [*REGIME, "train", "--quiet", "--config", config],
        }
        for label, command in commands.items():
            print_row(label, [seconds_of(command, label) for _ in range(args.full_runs)])


if __name__ == "__main__":
    main()
