"""How the soak starts `regime` processes: fresh interpreters, or forks of a warmed-up one.

A fresh `regime` process spends about two seconds importing scikit-learn, pandas and regime
before it touches a file. `ForkServer` pays that once: a helper process imports the installed
console entry point (whatever module it lives in) and the libraries it loads lazily, then forks
one child per command. Each child is a real process with its own pid, environment, working
folder, stdout and stderr files, running the same `main()` a cron job runs; SIGKILL ends it the
same way. Only the import phase, which writes nothing, is skipped. `Fresh` starts a new
interpreter per command, exactly as cron does.

Protocol (JSON lines): the soak sends {"spawn": {...}} or {"kill": pid}; the helper answers
{"pid": n} to a spawn and sends {"exit": pid, "code": c} when a child ends (c < 0: killed by
signal -c, as `subprocess` reports it).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Protocol

ENTRY = "import importlib.metadata as m; m.entry_points(group='console_scripts')['regime']"
REGIME = [sys.executable, "-c", f"{ENTRY}.load()()"]


class Launcher(Protocol):
    """Starts `regime ARGS` with an environment, a folder and stdout/stderr files."""

    def spawn(
        self, args: list[str], env: dict[str, str], cwd: Path, out: Path, err: Path
    ) -> int: ...

    def kill(self, pid: int) -> None: ...

    def wait(self, pid: int, timeout: float) -> int | None: ...

    def running(self, pid: int) -> bool: ...

    def close(self) -> None: ...


class Fresh:
    """One new interpreter per command."""

    def __init__(self) -> None:
        self._procs: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(self, args: list[str], env: dict[str, str], cwd: Path, out: Path, err: Path) -> int:
        with out.open("wb") as o, err.open("wb") as e:
            proc = subprocess.Popen([*REGIME, *args], stdout=o, stderr=e, env=env, cwd=cwd)
        self._procs[proc.pid] = proc
        return proc.pid

    def kill(self, pid: int) -> None:
        if self._procs[pid].poll() is None:
            self._procs[pid].send_signal(signal.SIGKILL)

    def wait(self, pid: int, timeout: float) -> int | None:
        try:
            return self._procs.pop(pid).wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def running(self, pid: int) -> bool:
        return self._procs[pid].poll() is None

    def close(self) -> None:
        for proc in self._procs.values():
            proc.kill()
            proc.wait()


class ForkServer:
    """Children forked from one helper that has already imported `regime`."""

    def __init__(self, env: dict[str, str]) -> None:
        self._helper = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self._exits: dict[int, int] = {}
        self._buffer = b""
        self._receive(lambda m: m.get("ready") is True, 120.0)

    def spawn(self, args: list[str], env: dict[str, str], cwd: Path, out: Path, err: Path) -> int:
        request = {"args": args, "env": env, "cwd": str(cwd), "out": str(out), "err": str(err)}
        self._send({"spawn": request})
        return int(self._receive(lambda m: "pid" in m, 30.0)["pid"])

    def kill(self, pid: int) -> None:
        self._send({"kill": pid})

    def wait(self, pid: int, timeout: float) -> int | None:
        if pid not in self._exits:
            try:
                self._receive(lambda m: m.get("exit") == pid, timeout)
            except TimeoutError:
                return None
        return self._exits.pop(pid)

    def running(self, pid: int) -> bool:
        try:
            self._receive(lambda m: False, 0.0)
        except TimeoutError:
            pass  # nothing more to read now
        return pid not in self._exits

    def close(self) -> None:
        if self._helper.stdin is not None:
            self._helper.stdin.close()
        try:
            self._helper.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._helper.kill()
            self._helper.wait()

    def _send(self, message: dict[str, Any]) -> None:
        assert self._helper.stdin is not None
        self._helper.stdin.write(json.dumps(message).encode() + b"\n")
        self._helper.stdin.flush()

    def _receive(self, wanted: Any, timeout: float) -> dict[str, Any]:
        """Read messages until one satisfies `wanted`; exit reports are kept on the way."""
        assert self._helper.stdout is not None
        fd = self._helper.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                message = json.loads(line)
                if "exit" in message:
                    self._exits[message["exit"]] = message["code"]
                if wanted(message):
                    return dict(message)
            left = max(0.0, deadline - time.monotonic())
            if not select.select([fd], [], [], left)[0]:
                raise TimeoutError("the fork server did not answer")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("the fork server ended unexpectedly")
            self._buffer += chunk


# -- the helper process -------------------------------------------------------------------------


def _serve() -> None:
    import importlib.metadata

    main = importlib.metadata.entry_points(group="console_scripts")["regime"].load()
    # What `regime run` imports lazily: the model loader and the libraries behind it.
    import pandas  # noqa: F401
    import sklearn.linear_model  # noqa: F401

    import regime.model.predict  # noqa: F401

    children: set[int] = set()
    _tell({"ready": True})
    buffer = b""
    open_input = True
    while open_input or children:
        if open_input and select.select([0], [], [], 0.02)[0]:
            chunk = os.read(0, 65536)
            open_input = bool(chunk)
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                message = json.loads(line)
                if "spawn" in message:
                    pid = _fork(main, message["spawn"])
                    children.add(pid)
                    _tell({"pid": pid})
                elif message.get("kill") in children:
                    os.kill(message["kill"], signal.SIGKILL)
        elif not open_input:
            for pid in children:  # the soak is gone: nobody will read these children's results
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            children.discard(pid)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            _tell({"exit": pid, "code": code})


def _tell(message: dict[str, Any]) -> None:
    os.write(1, json.dumps(message).encode() + b"\n")


def _fork(main: Any, spawn: dict[str, Any]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        os.chdir(spawn["cwd"])
        os.environ.clear()
        os.environ.update(spawn["env"])
        for fd, path in ((1, spawn["out"]), (2, spawn["err"])):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.argv = ["regime", *spawn["args"]]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # as a fresh interpreter would: a traceback and exit 1
            traceback.print_exc()
            code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    _serve()
