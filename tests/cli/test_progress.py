"""The progress bar: its ETA follows the recent pace, and other lines print above it, never on
its line. A fake clock drives the unit tests; one test runs `regime train` on a terminal."""

from __future__ import annotations

import io
import os
import pty
import subprocess

import pytest

from regime.cli._progress import CLEAR_LINE, ProgressLine
from tests.deployment import REGIME


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_eta_follows_the_recent_pace_when_the_steps_slow_down():
    # `regime evaluate`: 50 quick refits of our model (0.1 s), then 50 slow peer refits (2 s).
    clock, stream = Clock(), io.StringIO()
    bar = ProgressLine("evaluating", stream, clock)
    for done in range(1, 51):
        clock.now += 0.1
        bar(done, 100)
    assert bar.eta_seconds() == pytest.approx(50 * 0.1)

    for done in range(51, 61):
        clock.now += 2.0
        bar(done, 100)

    assert bar.eta_seconds() == pytest.approx(40 * 2.0)  # the average since the start: 21 s


def test_no_eta_before_two_steps_and_done_at_the_end():
    clock, stream = Clock(), io.StringIO()
    bar = ProgressLine("refits", stream, clock)
    bar(1, 4)
    assert bar.eta_seconds() is None and "eta --:--" in bar.line()
    for done in (2, 3, 4):
        clock.now += 1
        bar(done, 4)
    assert bar.line().endswith("4/4  done")


def test_a_note_prints_on_its_own_line_and_the_bar_is_drawn_again_below_it():
    stream = io.StringIO()
    bar = ProgressLine("refits", stream, Clock())
    bar(1, 4)

    bar.note("- fitting the final model")
    bar.close()

    pieces = stream.getvalue().split(CLEAR_LINE)
    assert pieces[2] == "- fitting the final model\n"
    assert pieces[1].startswith("refits [") and pieces[3].startswith("refits [")
    assert stream.getvalue().endswith("\n")


def test_train_on_a_terminal_never_prints_stage_text_on_the_bar_line(fast_training):
    deployment = fast_training
    parent, child = pty.openpty()
    train = subprocess.Popen(
        [*REGIME, "train", "--config", str(deployment.config)],
        stdout=subprocess.PIPE,
        stderr=child,
        env=deployment.env,
        cwd=deployment.root,
    )
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the terminal closed: train has exited
            break
        if not chunk:
            break
        seen += chunk
    train.communicate(timeout=300)
    os.close(parent)

    assert train.returncode == 0
    # What the terminal shows on each line: the text after the line's last clear.
    lines = [line.split(CLEAR_LINE)[-1] for line in seen.decode().split("\r\n")]
    stages = [line for line in lines if line.startswith("- ")]
    assert stages == [
        "- building features and labels",
        "- walk-forward: every candidate at every refit",
        "- fitting the final model and the walk-forward's own models",
        "- fitting the recession nowcast's models",
    ]
    assert [line for line in lines if "refits [" in line and "- " in line.split("]")[-1]] == []
    assert any(line.startswith("  refits [") and line.endswith("done") for line in lines)
