"""The `regime run --on-change CMD` hook: run an alert when the call or the recession call
changes since last week.

CMD is split into words as a POSIX shell would split it (`shlex.split`: quotes group words,
nothing else is special) and run directly, never through a shell: no pipes, redirections,
variables or globs, and nothing from the data ever lands on the command line. The change goes to
the command on stdin as one JSON object, and in environment variables (REGIME_*): a hook may
read either. A hook that fails (not found, non-zero exit, timeout) is a warning in the run's
log, never a failed run: the prediction is recorded either way.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
from typing import TYPE_CHECKING, Any

from regime.errors import UsageError

if TYPE_CHECKING:
    from regime.model.predict import RegimePrediction
    from regime.model.week_change import WeekChange

log = logging.getLogger("regime.jobs")

TIMEOUT_SECONDS = 60.0
# What the hook's stderr may add to the warning about its failure.
SHOWN_STDERR = 300


def hook_words(command: str) -> list[str]:
    """CMD as the words it runs; UsageError when it does not split (an open quote) or is empty."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"--on-change {command!r} does not split into words ({exc})") from None
    if not words:
        raise UsageError("--on-change needs a command")
    return words


def alert_payload(prediction: RegimePrediction, change: WeekChange) -> dict[str, Any]:
    """What the hook reads on stdin: the change, and the whole prediction it belongs to."""
    return {
        "event": "change",
        "as_of": prediction.as_of,
        "regime_changed": change.regime_changed,
        "recession_call_changed": change.recession_call_changed,
        "summary": change.sentence,
        "change": change.to_dict(),
        "prediction": prediction.to_dict(),
    }


def alert_environment(prediction: RegimePrediction, change: WeekChange) -> dict[str, str]:
    """The REGIME_* variables the hook gets beside the run's own environment."""

    def flag(value: bool | None) -> str:
        return "" if value is None else str(value).lower()

    return {
        "REGIME_AS_OF": prediction.as_of,
        "REGIME_REGIME": prediction.regime,
        "REGIME_PREVIOUS_WEEK": change.previous_week,
        "REGIME_PREVIOUS_REGIME": change.previous_regime,
        "REGIME_REGIME_CHANGED": flag(change.regime_changed),
        "REGIME_RECESSION_CALL": flag(change.recession_call_now),
        "REGIME_RECESSION_CALL_CHANGED": flag(change.recession_call_changed),
        "REGIME_SUMMARY": change.sentence,
        "REGIME_MODEL_VERSION": prediction.model["version"],
    }


def run_hook(
    command: str,
    prediction: RegimePrediction,
    change: WeekChange,
    timeout: float = TIMEOUT_SECONDS,
) -> bool:
    """Run the hook with the change on stdin; True when it exited 0, else a logged warning."""
    words = hook_words(command)
    payload = json.dumps(alert_payload(prediction, change))
    env = {**os.environ, **alert_environment(prediction, change)}
    try:
        done = subprocess.run(
            words,
            input=payload,
            text=True,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("--on-change hook %s ran longer than %g s and was stopped", words[0], timeout)
        return False
    except OSError as exc:
        log.warning("--on-change hook %s could not start (%s)", words[0], exc.strerror or exc)
        return False
    if done.returncode != 0:
        said = " ".join((done.stderr or "").split())[:SHOWN_STDERR]
        log.warning(
            "--on-change hook %s exited %d%s",
            words[0],
            done.returncode,
            f": {said}" if said else "",
            extra={"fields": {"hook_exit_code": done.returncode}},
        )
        return False
    log.info("--on-change hook %s ran", words[0])
    return True
