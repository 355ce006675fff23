"""Time `regime evaluate`, `regime report`, `regime train` and `regime predict` as processes.

    python benchmarks/run.py [--runs N]

Each command runs N times in a fresh process (imports included); the median and the range of
wall-clock seconds are printed. Runs offline on the embedded data. `train` writes to a
temporary copy of models/, so the committed model is left as it is.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]
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


def time_command(args: list[str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([*REGIME, *args], capture_output=True, text=True)
        seconds.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"`regime {' '.join(args)}` failed: {done.stderr.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per command (default 3)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        commands = {
            "evaluate": ["evaluate", "--format", "json"],
            "report": ["report", "--out", str(Path(folder) / "report")],
            "train": ["train", "--quiet", "--config", str(scratch_config(Path(folder)))],
            "predict": ["predict", "--format", "json"],
        }
        print(f"{'command':<10}{'median s':>10}{'min s':>9}{'max s':>9}  runs={runs}")
        for name, args in commands.items():
            seconds = time_command(args, runs)
            print(
                f"{name:<10}{statistics.median(seconds):>10.1f}"
                f"{min(seconds):>9.1f}{max(seconds):>9.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
