"""Soak the scheduled job: many rounds of `regime run` and `regime fetch` under injected faults.

    python benchmarks/soak.py --rounds N [--seed S] [--max-procs P] [--fresh] [--keep] [--verbose]

Every round, in a scratch home with its own config, cache, history and models, draws (from
`--seed`): one to P overlapping `regime run` / `regime fetch` processes started at random
moments, a SIGKILL for some of them, faults from the fake FRED (429 with and without
Retry-After, 500, timeout, truncated body, cut XML, empty series, connection reset, outage) and
the fake Yahoo (rate limit, 500, timeout, empty, partial), damage to a cache file between rounds
(corrupted, truncated or deleted), and a data week that advances. The fakes serve the real
embedded data cut at that week; the scratch snapshot stops where the soak starts.

After every round the invariants in soak_invariants.py are checked from the files themselves;
the first broken one stops the soak. The last line is
`N rounds, K runs, J kills, F faults injected, R rows lost, B invariants broken`; exit 0 only
when both R and B are 0. Offline, deterministic given the seed (apart from timing).

Processes are forked from a helper that has already imported `regime` (soak_launch.py): the
same entry point cron runs, without two seconds of imports each. `--fresh` starts a new
interpreter per process instead.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from soak_fakes import FRED_FAULTS, OUTAGE, YAHOO_FAULTS, FakeServer, FakeSources, Reference
from soak_invariants import (
    Broken,
    Ledger,
    check_cache,
    check_history,
    check_key_absent,
    check_models,
    check_no_leftovers,
    sha256,
    snapshot_models,
)
from soak_launch import ForkServer, Fresh, Launcher

PROJECT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(__file__).resolve().parent
TIMEOUT = 0.5  # fetch.timeout_seconds in the scratch config
ROUND_LIMIT = 300.0  # seconds a round may take before a process counts as hung
DAMAGE = ("corrupt", "truncate", "delete")


@dataclass(frozen=True)
class Proc:
    """One process of a round: what it runs, when it starts and (maybe) when it is killed.

    A kill comes `kill_after` seconds after the start, or, aimed at a write, as soon as the
    process has had `kill_at_write` temporary files open (the n-th file write it makes).
    """

    args: tuple[str, ...]
    start: float
    kill_after: float | None
    kill_at_write: int | None
    key_in_env: bool

    @property
    def may_fail_fetch(self) -> bool:
        """Exit 3 when a series fails to fetch: `regime fetch`, and `regime run --strict`."""
        return self.args[0] == "fetch" or "--strict" in self.args


@dataclass(frozen=True)
class Round:
    number: int
    advance: bool
    procs: tuple[Proc, ...]
    faults: dict[str, list[str]]
    damage: tuple[str, str, float] | None  # (cache file, how, where in the file: 0..1)


@dataclass
class Tally:
    rounds: int = 0
    runs: int = 0
    kills: int = 0
    damage: int = 0
    broken: int = 0
    rows_lost: int = 0

    def line(self, faults_served: int) -> str:
        return (
            f"{self.rounds} rounds, {self.runs} runs, {self.kills} kills, "
            f"{faults_served + self.damage} faults injected, {self.rows_lost} rows lost, "
            f"{self.broken} invariants broken"
        )


# -- the plan -----------------------------------------------------------------------------------


def draw_round(
    rng: random.Random, number: int, fred_ids: list[str], symbols: list[str], max_procs: int
) -> Round:
    """Everything random about a round, drawn in a fixed order from the seeded generator."""
    advance = rng.random() < 0.85
    n = rng.choices(range(1, max_procs + 1), weights=[4, 3, 2, 1][:max_procs])[0]
    procs = []
    for i in range(n):
        start = 0.0 if i == 0 else rng.uniform(0.0, 1.0)
        kill, after, nth = rng.random(), rng.uniform(0.05, 2.0), rng.randint(1, 32)
        procs.append(
            Proc(
                _draw_args(rng),
                start,
                kill_after=after if kill < 0.2 else None,
                kill_at_write=nth if 0.2 <= kill < 0.35 else None,
                key_in_env=rng.random() < 0.5,
            )
        )
    faults: dict[str, list[str]] = {}
    if rng.random() < 0.65:
        for series in rng.sample(fred_ids, rng.randint(1, 3)):
            faults[series] = [rng.choice(FRED_FAULTS)] * rng.randint(1, 3)
    if rng.random() < 0.05:
        faults[OUTAGE] = ["reset"] * 3
    if rng.random() < 0.3:
        faults[rng.choice(symbols)] = [rng.choice(YAHOO_FAULTS)] * rng.randint(1, 3)
    damage = None
    if rng.random() < 0.35:
        targets = [f"fred/{s}.csv" for s in fred_ids]
        targets += [f"market/{s.lstrip('^')}.csv" for s in symbols] + ["manifest.json"]
        damage = (rng.choice(targets), rng.choice(DAMAGE), rng.random())
    return Round(number, advance, tuple(sorted(procs, key=lambda p: p.start)), faults, damage)


def _draw_args(rng: random.Random) -> tuple[str, ...]:
    if rng.random() < 0.2:
        return ("fetch", "--quiet")
    args = ["run", "--json"]
    if rng.random() < 0.3:
        args += ["--log-format", "json"]
    if rng.random() < 0.2:
        args += ["--log-level", "DEBUG"]
    if rng.random() < 0.15:
        args.append("--strict")
    elif rng.random() < 0.05:
        args.append("--offline")
    return tuple(args)


# -- the scratch home ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    root: Path
    config: Path
    history: Path
    cache: Path
    models: Path
    key_file: Path
    logs: Path


def make_home(root: Path, start: date, key: str) -> Home:
    """A deployment under `root`: the snapshot cut at `start`, a copy of models/, a config."""
    data = root / "data"
    for source in sorted((PROJECT / "data").glob("*/*.csv")):
        target = data / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        target.write_text(
            lines[0] + "".join(x for x in lines[1:] if x[:10] <= start.isoformat()),
            encoding="utf-8",
        )
    models = root / "models"
    shutil.copytree(PROJECT / "models", models, ignore=shutil.ignore_patterns(".*"))
    key_file = root / "secrets" / "fred_key"
    key_file.parent.mkdir()
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    raw = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
    raw["paths"] = {"data": "data", "models": "models", "cache": "cache"}
    raw["history"] = {"path": "var/history.sqlite", "lock_timeout_seconds": 120}
    raw["fetch"] = {
        **raw["fetch"],
        "retries": 2,
        "backoff_seconds": 0.01,
        "timeout_seconds": TIMEOUT,
        "fred_requests_per_second": 100,
        "key_file": "secrets/fred_key",
        "yfinance_cache": None,
        "history_start": date(start.year - 1, 1, 1).isoformat(),
    }
    config = root / "config.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    logs = root / "logs"
    logs.mkdir()
    return Home(
        root, config, root / "var" / "history.sqlite", root / "cache", models, key_file, logs
    )


def process_env(home: Home, server: FakeServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FRED_API_KEY", "PYTHONPATH")}
    env.update(
        XDG_CACHE_HOME=str(home.root / "xdg" / "cache"),
        XDG_DATA_HOME=str(home.root / "xdg" / "data"),
        XDG_CONFIG_HOME=str(home.root / "xdg" / "config"),
        PYTHONPATH=str(BENCHMARKS),
        REGIME_FRED_URL=server.fred_url,
        REGIME_YAHOO_DOWNLOAD="soak_yahoo:download",
        REGIME_SOAK_YAHOO_URL=server.yahoo_url,
    )
    return env


def on_day(env: dict[str, str], week: date) -> dict[str, str]:
    """`env` for a process started on the soak's simulated day: the Saturday after `week`, when
    the crontab recipe runs. Every `regime` process gets it as $REGIME_TODAY, so freshness (and
    `run --strict`) is judged on that day, never on the machine's clock."""
    return dict(env, REGIME_TODAY=(week + timedelta(days=1)).isoformat())


def damage_cache(home: Home, ledger: Ledger, target: str, how: str, where: float) -> bool:
    """Corrupt, truncate or delete one cache file and tell the ledger; False if it is absent."""
    path = home.cache / target
    if not path.is_file():
        return False
    if target == "manifest.json":
        _exempt_all(home, ledger)  # without a whole manifest no file can be verified
    if how == "delete":
        path.unlink()
        ledger.damage(target, None)
        return True
    blob = bytearray(path.read_bytes())
    if how == "truncate":
        blob = blob[: len(blob) // 2]
    else:
        at = int(where * max(0, len(blob) - 8))
        blob[at : at + 8] = b"\x00garbage"
    path.write_bytes(bytes(blob))
    ledger.damage(target, sha256(path))
    return True


# -- one round ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    proc: Proc
    code: int
    out: Path
    err: Path


def play(home: Home, plan: Round, env: dict[str, str], launcher: Launcher) -> list[Outcome]:
    """Start, kill and wait for the round's processes on their schedule."""
    folder = home.logs / f"round-{plan.number:05d}"
    folder.mkdir()
    began = time.monotonic()
    events = sorted(
        [(p.start, 0, i) for i, p in enumerate(plan.procs)]
        + [(p.start + p.kill_after, 1, i) for i, p in enumerate(plan.procs) if p.kill_after]
    )
    pids: dict[int, int] = {}
    aimed = AimedKills(launcher)
    for at, what, i in events:
        aimed.watch_until(began + at)
        proc = plan.procs[i]
        if what == 0:
            proc_env = dict(env, FRED_API_KEY=_key(home)) if proc.key_in_env else env
            args = [*proc.args, "--config", str(home.config)]
            out, err = folder / f"p{i}.out", folder / f"p{i}.err"
            pids[i] = launcher.spawn(args, proc_env, home.root, out, err)
            if proc.kill_at_write is not None:
                aimed.add(pids[i], proc.kill_at_write)
        else:
            launcher.kill(pids[i])
    aimed.watch_until(began + ROUND_LIMIT, then_sleep=False)
    outcomes = []
    for i, proc in enumerate(plan.procs):
        code = launcher.wait(pids[i], max(1.0, began + ROUND_LIMIT - time.monotonic()))
        if code is None:
            raise Broken(
                f"`regime {' '.join(proc.args)}` still running after {ROUND_LIMIT:g} s"
                f" (stderr: {folder / f'p{i}.err'})"
            )
        outcomes.append(Outcome(proc, code, folder / f"p{i}.out", folder / f"p{i}.err"))
    return outcomes


class AimedKills:
    """SIGKILLs aimed at file writes: a process is killed while its n-th temporary file is open.

    A write is a temporary file, then a rename: killing a process while it holds one open lands
    between the steps of a write, where a timer would rarely land. Linux only (/proc/<pid>/fd);
    elsewhere these processes are not killed.
    """

    def __init__(self, launcher: Launcher) -> None:
        self.launcher = launcher
        self.targets: dict[int, tuple[int, set[str]]] = {}  # pid -> (n, temporary files seen)

    def add(self, pid: int, nth: int) -> None:
        if Path("/proc/self/fd").is_dir():
            self.targets[pid] = (nth, set())

    def watch_until(self, deadline: float, *, then_sleep: bool = True) -> None:
        """Watch the targets until `deadline` or until none runs; then sleep until `deadline`."""
        while self.targets and time.monotonic() < deadline:
            for pid, (nth, seen) in list(self.targets.items()):
                seen |= _open_temporary_files(pid)
                if len(seen) >= nth:
                    try:
                        # Directly, not through the launcher: its round trip would miss the write.
                        # The pid is ours: the process had files open a moment ago.
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    del self.targets[pid]
                elif not self.launcher.running(pid):
                    del self.targets[pid]
            time.sleep(0.001)
        if then_sleep:
            time.sleep(max(0.0, deadline - time.monotonic()))


def _open_temporary_files(pid: int) -> set[str]:
    """The temporary files (`*.tmp`) process `pid` has open now."""
    found: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.endswith(".tmp"):
            found.add(target)
    return found


def _key(home: Home) -> str:
    return home.key_file.read_text(encoding="utf-8").strip()


def check_outcomes(
    outcomes: list[Outcome], history: Path, small_cap: str, today: str, last_close: str
) -> None:
    """Exit codes are the documented ones; each successful run answered for the week its data
    reached (`today` once it had `last_close`, the week's last real close) and is recorded."""
    for o in outcomes:
        command = f"`regime {' '.join(o.proc.args)}`"
        stderr = o.err.read_text(encoding="utf-8", errors="replace")
        if o.code == -signal.SIGKILL:
            continue
        allowed = {0, 3} if o.proc.may_fail_fetch else {0}
        if o.code not in allowed or "Traceback" in stderr:
            last = stderr.strip().splitlines()[-1:] or ["(no stderr)"]
            raise Broken(f"{command} exited {o.code}: {last[0]} (log: {o.err})")
        if o.proc.args[0] != "run" or o.code != 0:
            continue
        prediction = json.loads(o.out.read_text(encoding="utf-8"))
        # The run's own fetch summary says how far its closes reached ("fetched ^RUT: 1 added,
        # 0 revised, last 2026-04-02"); with the week's last close it owes that week's answer.
        summary = rf"fetched {re.escape(small_cap)}: [^\n]* last (\d{{4}}-\d\d-\d\d)"
        fetched = re.findall(summary, stderr)
        if last_close in fetched and prediction["as_of"] != today:
            raise Broken(
                f"{command} had the closes through {last_close} but answered for the week of "
                f"{prediction['as_of']}, not {today} (log: {o.err})"
            )
        _check_recorded(command, prediction, history)


def _check_recorded(command: str, prediction: dict[str, Any], history: Path) -> None:
    key = (prediction["as_of"], prediction["model"]["version"])
    with sqlite3.connect(history) as con:
        row = con.execute(
            "SELECT regime, confidence FROM predictions WHERE as_of = ? AND model_version = ?",
            key,
        ).fetchone()
    if row is None:
        raise Broken(
            f"{command} reported {key} (recorded: {prediction['recorded']}), "
            "which is not in the history"
        )
    if row != (prediction["regime"], prediction["confidence"]) and prediction["recorded"]:
        raise Broken(f"{command} recorded {key} as {prediction['regime']}, the history holds {row}")


def check_all(
    home: Home,
    ledger: Ledger,
    served: dict[str, dict[str, str]],
    today: str,
    *,
    killed: bool,
    succeeded: bool,
) -> None:
    """Every invariant, from the files, after a round with a kill and/or a success (or not)."""
    check_history(home.history, ledger, today)
    check_no_leftovers(home.root, ledger, killed=killed, succeeded=succeeded)
    check_cache(home.cache, ledger, served, today, killed=killed, succeeded=succeeded)
    check_models(home.models, ledger)
    check_key_absent(home.root, _key(home), ledger, {home.key_file})


# -- the soak -----------------------------------------------------------------------------------


@dataclass
class State:
    """The soak's moving parts: where it runs, what it knows, what it counted."""

    home: Home
    fake: FakeSources
    served: dict[str, dict[str, str]]
    today: date
    end: date
    ledger: Ledger
    small_cap: str
    tally: Tally = field(default_factory=Tally)
    round: int = 0  # the round being played

    def last_close(self, day: str) -> str:
        """The last real small-cap close on or before `day` (what the fake Yahoo serves up to)."""
        return self.fake.reference.window(self.small_cap, "0000-00-00", day)[-1][0]


def soak(rounds: int, seed: int, max_procs: int, fresh: bool, keep: bool, verbose: bool) -> int:
    rng = random.Random(seed)
    config = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
    fred_ids = [s for role in config["series"].values() for s in role.values()]
    small_cap = config["indices"]["small_cap"]
    indices = config["indices"]
    symbols = list(dict.fromkeys([indices["small_cap"], indices["large_cap"], *indices["pooled"]]))
    reference = Reference(PROJECT / "data", fred_ids, symbols)
    last = date.fromisoformat(reference.market[small_cap][-1][0])
    end = last + timedelta(days=(4 - last.weekday()) % 7)  # its Friday
    today = max(end - timedelta(weeks=rounds), date(1995, 1, 6))
    key = f"{rng.getrandbits(128):032x}"
    root = Path(tempfile.mkdtemp(prefix="regime-soak-"))
    home = make_home(root, today, key)
    served = {k.lstrip("^"): dict(v) for k, v in {**reference.fred, **reference.market}.items()}
    state = State(
        home,
        FakeSources(reference, key, TIMEOUT),
        served,
        today,
        end,
        Ledger(models=snapshot_models(home.models)),
        small_cap,
    )
    began = time.monotonic()
    failure = None
    try:
        with FakeServer(state.fake) as server:
            env = process_env(home, server)
            launcher = Fresh() if fresh else ForkServer(env)
            try:
                _check_loadable(home, on_day(env, state.today), launcher)
                for number in range(1, rounds + 1):
                    plan = draw_round(rng, number, fred_ids, symbols, max_procs)
                    play_round(state, plan, env, launcher, keep)
                    if verbose or number % max(1, rounds // 10) == 0:
                        print(
                            f"round {number}/{rounds}: week {state.today}, "
                            f"{len(state.ledger.rows)} rows, {time.monotonic() - began:.0f} s",
                            file=sys.stderr,
                        )
                final_run(state, env, launcher)
            except Broken as exc:
                failure = f"round {state.round or 'setup'}: {exc}"
            finally:
                launcher.close()
    finally:
        if failure is None and not keep:
            shutil.rmtree(root, ignore_errors=True)
    return report(
        state,
        failure,
        f"--rounds {rounds} --seed {seed} --max-procs {max_procs}" + (" --fresh" if fresh else ""),
        time.monotonic() - began,
    )


def play_round(
    state: State,
    plan: Round,
    env: dict[str, str],
    launcher: Launcher,
    keep: bool,
) -> None:
    """Advance the week, damage the cache, run the processes, check every invariant."""
    home, ledger, tally = state.home, state.ledger, state.tally
    state.round = plan.number
    if plan.advance and state.today < state.end:
        state.today += timedelta(weeks=1)
    if plan.damage is not None and damage_cache(home, ledger, *plan.damage):
        tally.damage += 1
    state.fake.set_round(state.today.isoformat(), plan.faults)
    outcomes = play(home, plan, on_day(env, state.today), launcher)
    tally.rounds += 1
    tally.runs += len(outcomes)
    tally.kills += sum(o.code == -signal.SIGKILL for o in outcomes)
    today = state.today.isoformat()
    check_outcomes(outcomes, home.history, state.small_cap, today, state.last_close(today))
    check_all(
        home,
        ledger,
        state.served,
        today,
        killed=any(o.code == -signal.SIGKILL for o in outcomes),
        succeeded=any(o.code == 0 for o in outcomes),
    )
    if not keep:
        shutil.rmtree(home.logs / f"round-{plan.number:05d}")


def report(state: State, failure: str | None, replay: str, seconds: float) -> int:
    """Print the summary and the final line; the exit code."""
    tally, fake = state.tally, state.fake
    if failure is not None:
        tally.broken += 1
        tally.rows_lost = _rows_lost(state.home, state.ledger)
        print(f"INVARIANT BROKEN at {failure}", file=sys.stderr)
        print(
            f"replay: python benchmarks/soak.py {replay}; scratch home and logs kept in "
            f"{state.home.root}",
            file=sys.stderr,
        )
    print(
        f"soak: {replay}, {seconds:.0f} s; source faults served: "
        f"{dict(sorted(fake.served.items()))}; {tally.damage} cache files damaged; "
        f"{len(state.ledger.rows)} history rows",
        file=sys.stderr,
    )
    print(tally.line(fake.faults_served()))
    return 0 if tally.broken == 0 and tally.rows_lost == 0 else 1


def _exempt_all(home: Home, ledger: Ledger) -> None:
    """A damaged manifest makes every data file unverifiable until a process refetches it."""
    for kind in ("fred", "market", "vintages"):
        for path in sorted((home.cache / kind).glob("*")) if (home.cache / kind).is_dir() else []:
            rel = path.relative_to(home.cache).as_posix()
            if not path.name.startswith(".") and rel not in ledger.damaged:
                ledger.damage(rel, sha256(path))


def _check_loadable(home: Home, env: dict[str, str], launcher: Launcher) -> None:
    """`regime models show` of the version LATEST names: the product itself loads and checks it."""
    version = (home.models / "LATEST").read_text(encoding="utf-8").strip()
    args = ["models", "show", version, "--format", "json", "--config", str(home.config)]
    code, out, err = _run_once(home, launcher, "models-show", args, env)
    if code != 0 or json.loads(out).get("problem") is not None:
        raise Broken(f"models/LATEST names {version}, which does not load: {err}")


def _run_once(
    home: Home, launcher: Launcher, name: str, args: list[str], env: dict[str, str]
) -> tuple[int | None, str, str]:
    """One `regime` process outside the rounds: its exit code, stdout and stderr."""
    out, err = home.logs / f"{name}.out", home.logs / f"{name}.err"
    code = launcher.wait(launcher.spawn(args, env, home.root, out, err), ROUND_LIMIT)
    texts = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    out.unlink()
    err.unlink()
    return code, *texts


def final_run(state: State, env: dict[str, str], launcher: Launcher) -> None:
    """One clean run after the last round: it must record this week and repair the cache."""
    home, today = state.home, state.today.isoformat()
    state.fake.set_round(today, {})
    args = ["run", "--json", "--config", str(home.config)]
    env = on_day(env, state.today)
    keyed = dict(env, FRED_API_KEY=_key(home))
    code, out, err = _run_once(home, launcher, "final-run", args, keyed)
    state.tally.runs += 1
    where = "a clean run after the last round"
    if code != 0:
        raise Broken(f"{where} exited {code}: {err}")
    if _key(home) in out + err:
        raise Broken(f"the FRED API key appears in the output of {where}")
    as_of = json.loads(out)["as_of"]
    if as_of != today:
        raise Broken(f"{where} predicted the week of {as_of}, not {today}")
    check_all(home, state.ledger, state.served, today, killed=False, succeeded=True)
    if state.ledger.damaged:
        raise Broken(f"{where} left damaged cache files: {sorted(state.ledger.damaged)}")
    _check_loadable(home, env, launcher)


def _rows_lost(home: Home, ledger: Ledger) -> int:
    try:
        with sqlite3.connect(f"{home.history.as_uri()}?mode=ro", uri=True) as con:
            keys = set(con.execute("SELECT as_of, model_version FROM predictions").fetchall())
    except sqlite3.Error:
        return len(ledger.rows)
    return len(set(ledger.rows) - keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None, help="default: a random one, printed")
    parser.add_argument(
        "--max-procs",
        type=int,
        default=4,
        choices=range(1, 5),
        help="most processes in one round (default 4)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="a new interpreter per process, as cron starts it (slower)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch home and logs")
    parser.add_argument("--verbose", action="store_true", help="one line per round on stderr")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    sys.exit(soak(args.rounds, seed, args.max_procs, args.fresh, args.keep, args.verbose))


if __name__ == "__main__":
    main()
