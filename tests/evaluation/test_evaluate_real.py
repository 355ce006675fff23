"""The whole walk-forward comparison on the real embedded data (refitted every two years)."""

from __future__ import annotations

import pytest

from regime.config import load_settings
from regime.evaluation.evaluate import MODEL_NAMES, OURS, evaluate

from .conftest import write_config


@pytest.mark.slow
def test_full_span_evaluation_scores_every_model_on_the_same_weeks(tmp_path, embedded_data):
    settings = load_settings(write_config(tmp_path, refit_weeks=104))
    evaluation = evaluate(embedded_data, settings)
    result = evaluation.to_dict()
    assert list(result["models"]) == list(MODEL_NAMES)
    assert result["period"][0] == "2000-01-07"
    for run in evaluation.runs.values():
        assert run.predicted.index.equals(evaluation.truth.index)
    ours = result["models"][OURS]
    # Behaviour, not a frozen score: our model must beat the naive peers by a wide margin.
    assert ours["balanced_accuracy"] > result["models"]["majority"]["balanced_accuracy"] + 0.3
    assert ours["log_loss"] < result["models"]["majority"]["log_loss"]
    assert result["backtest"]["strategies"]["buy_hold_spx"]["turnover"] == 0.0
