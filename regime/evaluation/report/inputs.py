"""What a report is drawn from: a saved evaluation (read back, or made in memory) and "now".

`EvaluationRecord` is a saved evaluation (`regime evaluate --save`, saved.py) read into pandas.
A fresh evaluation goes through the same dict (`record_of`), so a report drawn from a saved
file and one drawn from a fresh run are the same report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from regime.config import Settings
from regime.constants import REGIMES
from regime.errors import ConfigError
from regime.evaluation.evaluate import OURS, Evaluation
from regime.evaluation.report.macro.series import FamilyHistory, RecessionSeries, backdrop_history
from regime.evaluation.saved import FORMAT, VERSION, saved_evaluation


@dataclass(frozen=True)
class EvaluationRecord:
    """A saved evaluation: its `to_dict()` (`result`) and its weekly columns.

    `calls` and `proba` hold every model's out-of-sample calls and probabilities (None for a
    model without) on the judged weeks; `ours` is our model's weekly frame: `label`,
    `predicted`, `p_<regime>`, `threshold`, `refit`.
    """

    made_with: dict[str, Any]
    result: dict[str, Any]
    truth: pd.Series
    calls: dict[str, pd.Series]
    proba: dict[str, pd.DataFrame | None]
    ours: pd.DataFrame
    closes: pd.DataFrame
    equity: pd.DataFrame | None = field(default=None)
    drawdown: pd.DataFrame | None = field(default=None)
    # The recession nowcast week by week, and each macro family's last two years (None: the
    # evaluation had no nowcast inputs).
    recession: RecessionSeries | None = field(default=None)
    backdrop: tuple[FamilyHistory, ...] | None = field(default=None)

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> EvaluationRecord:
        weeks = pd.DatetimeIndex(pd.to_datetime(saved["weeks"]), name="date")
        calls = {
            n: pd.Series(m["predicted"], index=weeks, name=n) for n, m in saved["models"].items()
        }
        proba = {
            n: None
            if m["probabilities"] is None
            else pd.DataFrame(m["probabilities"], index=weeks)[list(REGIMES)]
            for n, m in saved["models"].items()
        }
        truth = pd.Series(saved["label"], index=weeks, name="label")
        ours_proba = proba[OURS]
        assert ours_proba is not None, "our model always has probabilities"
        ours = ours_proba.add_prefix("p_")
        ours.insert(0, "predicted", calls[OURS])
        ours.insert(0, "label", truth)
        ours["threshold"] = pd.Series(saved["threshold"], index=weeks, dtype=float)
        ours["refit"] = pd.to_datetime(pd.Series(saved["refit"], index=weeks))
        backtest = saved.get("backtest") or {}
        series = {}
        for key in ("equity", "drawdown"):
            if backtest.get(key):
                index = pd.DatetimeIndex(pd.to_datetime(backtest["weeks"]), name="date")
                series[key] = pd.DataFrame(backtest[key], index=index, dtype=float)
        return cls(
            made_with=dict(saved["made_with"]),
            result=saved["evaluation"],
            truth=truth,
            calls=calls,
            proba=proba,
            ours=ours,
            closes=pd.DataFrame(saved["closes"], index=weeks, dtype=float),
            recession=RecessionSeries.from_dict(saved["recession"]) if saved["recession"] else None,
            backdrop=backdrop_history(saved["backdrop"]) if saved["backdrop"] else None,
            **series,
        )

    @property
    def last_judged(self) -> pd.Timestamp:
        return pd.Timestamp(self.truth.index[-1])


def record_of(evaluation: Evaluation, settings: Settings) -> EvaluationRecord:
    """A fresh evaluation as a record: through the very dict `--save` writes."""
    return EvaluationRecord.from_dict(saved_evaluation(evaluation, settings))


def read_record(path: Path, settings: Settings, data_through: pd.Timestamp) -> EvaluationRecord:
    """The saved evaluation at `path`, if it was made with `settings` on today's data.

    ConfigError (one line: what differs and what to run) for a file that is not a saved
    evaluation, is of an older format, or was made with other settings or other data.
    """
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the evaluation {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise ConfigError(f"{path} is not JSON; write it with `regime evaluate --save`") from None
    check_made_with(saved, path, settings, data_through)
    return EvaluationRecord.from_dict(saved)


def check_made_with(saved: Any, path: Path, settings: Settings, data_through: pd.Timestamp) -> None:
    """Refuse a saved evaluation this report cannot honestly use (see `read_record`)."""
    redo = f"re-run `regime evaluate --save {path}` with this --config"
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise ConfigError(
            f"{path} is not a saved evaluation; write one with `regime evaluate --save`"
        )
    if saved.get("version") != VERSION or not isinstance(saved.get("made_with"), dict):
        raise ConfigError(
            f"{path} is a saved evaluation of format {saved.get('version')}, this regime reads "
            f"format {VERSION} (with the recession nowcast and the macro backdrop); {redo}"
        )
    made = saved["made_with"]
    if made.get("config_hash") != settings.fingerprint():
        raise ConfigError(
            f"{path} was made with other settings (config hash {made.get('config_hash')}, "
            f"these settings {settings.fingerprint()}); {redo}"
        )
    through = data_through.date().isoformat()
    if made.get("data_through") != through:
        raise ConfigError(
            f"{path} was made on data through {made.get('data_through')}, the data now runs "
            f"through {through}; {redo}"
        )
