"""Time `regime fetch` against a local fake of FRED's XML web API and of Yahoo.

    python benchmarks/fetch_timing.py [--runs N] [--rate R]

Every run starts from a scratch home (config, empty cache) and times three processes of the
real CLI, one after the other:

    cold      `regime fetch`             every configured FRED series and index, whole history
    warm      `regime fetch`             again: the incremental refresh (last date - overlap)
    vintages  `regime fetch --vintages`  the warm refresh plus first releases (ALFRED) of
                                         fetch.vintage_series

The fake is the soak's (soak_fakes.py, on 127.0.0.1): the embedded snapshot (`data/`) as FRED
answers fredapi, in XML, ALFRED's real 2020 vintages from tests/fixtures/alfred, and Yahoo
closes read by `soak_yahoo.download`, the stand-in for `yfinance.download` the product loads
through REGIME_YAHOO_DOWNLOAD. FRED requests are paced at `--rate` per second (default: the
project's `fetch.fred_requests_per_second`); `--rate 100`, the most the config allows, shows
the time nearly without the pacing. Printed per step: median, min and max wall-clock seconds
over N runs (default 3), the FRED requests answered and the rows added. Each time includes the
interpreter's start and imports: the `imports` line is that floor (`import
regime.sources.fetch, fredapi` in a new interpreter).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from soak_fakes import FakeServer, FakeSources, Reference

PROJECT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(__file__).resolve().parent
KEY = "0123456789abcdef0123456789abcdef"
REGIME = [sys.executable, "-c", "from regime.cli import main; main()"]
IMPORTS = [sys.executable, "-c", "import regime.sources.fetch, fredapi"]
STEPS = {"cold": ["fetch"], "warm": ["fetch"], "vintages": ["fetch", "--vintages"]}
ADDED = re.compile(r": (\d+) added, (\d+) revised, last ")


def scratch_config(folder: Path, rate: float | None) -> Path:
    """The project's config with the cache in `folder` and the embedded data read in place."""
    raw = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
    raw["paths"] = {
        "data": str(PROJECT / "data"),
        "models": str(PROJECT / "models"),
        "cache": str(folder / "cache"),
    }
    raw["fetch"]["yfinance_cache"] = None
    if rate is not None:
        raw["fetch"]["fred_requests_per_second"] = rate
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def environment(folder: Path, server: FakeServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        FRED_API_KEY=KEY,
        XDG_CACHE_HOME=str(folder / "xdg"),
        PYTHONPATH=str(BENCHMARKS),
        REGIME_FRED_URL=server.fred_url,
        REGIME_YAHOO_DOWNLOAD="soak_yahoo:download",
        REGIME_SOAK_YAHOO_URL=server.yahoo_url,
    )
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[3:])} exited {done.returncode}: {done.stderr}")
    return seconds, done.stdout


def one_run(fake: FakeSources, server: FakeServer, rate: float | None) -> dict[str, tuple]:
    """{step: (seconds, FRED requests answered, rows added)} for one scratch home."""
    results: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory(prefix="regime-fetch-timing-") as scratch:
        folder = Path(scratch)
        config = scratch_config(folder, rate)
        env = environment(folder, server)
        results["imports"] = (timed(IMPORTS, env)[0], 0, 0)
        for step, args in STEPS.items():
            before = fake.answered["fred"]
            seconds, out = timed([*REGIME, *args, "--config", str(config)], env)
            added = sum(int(m.group(1)) for m in ADDED.finditer(out))
            results[step] = (seconds, fake.answered["fred"] - before, added)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=None, help="FRED requests per second")
    args = parser.parse_args()
    config = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
    fred_ids = [s for role in config["series"].values() for s in role.values()]
    indices = config["indices"]
    symbols = list(dict.fromkeys([indices["small_cap"], indices["large_cap"], *indices["pooled"]]))
    reference = Reference(PROJECT / "data", fred_ids, symbols, PROJECT / "tests/fixtures/alfred")
    fake = FakeSources(reference, KEY, timeout=float(config["fetch"]["timeout_seconds"]))
    last = max(rows[-1][0] for rows in [*reference.fred.values(), *reference.market.values()])
    fake.set_round(last, {})
    rate = args.rate if args.rate is not None else config["fetch"]["fred_requests_per_second"]
    with FakeServer(fake) as server:
        runs = [one_run(fake, server, args.rate) for _ in range(args.runs)]
    print(
        f"regime fetch against the local fake: {len(fred_ids)} FRED series, {len(symbols)} "
        f"indices, FRED paced at {rate:g}/s, {args.runs} runs"
    )
    print(f"{'step':<9} {'median':>7} {'min':>7} {'max':>7}  FRED requests  rows added")
    for step in ["imports", *STEPS]:
        seconds = [run[step][0] for run in runs]
        _, requests, added = runs[0][step]
        print(
            f"{step:<9} {statistics.median(seconds):7.2f} {min(seconds):7.2f} "
            f"{max(seconds):7.2f}  {requests:>13}  {added:>10}"
        )


if __name__ == "__main__":
    main()
