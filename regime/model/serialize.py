"""The model as plain data: a fitted `SplitGateClassifier` to and from a JSON-ready dict.

The artifact holds only numbers and names (coefficients, scalings, medians, class priors,
column names), so loading it runs no code, and the same model always gives the same bytes.
Only the indicator form of the rest (`rest_features`) is stored: a learned tree has no place here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regime.learning.logistic import gate_from_dict, gate_to_dict
from regime.model.classifier import SplitGateClassifier

__all__ = ["classifier_from_dict", "classifier_to_dict", "gate_from_dict", "gate_to_dict"]

_PARAMS = (
    "side_feature",
    "entry_features",
    "exit_features",
    "entry_C",
    "exit_C",
    "gate_class",
    "decision",
    "hysteresis",
    "class_prior",
    "min_proba",
    "logistic_max_iter",
)


def classifier_to_dict(model: SplitGateClassifier) -> dict[str, Any]:
    """Everything `classifier_from_dict` needs to rebuild `model` exactly."""
    if model.rest_features is None:
        raise ValueError("only a SplitGateClassifier with rest_features can be stored as data")
    params = {name: _plain(getattr(model, name)) for name in _PARAMS}
    params["entry_calibration"] = [float(v) for v in model.entry_calibration]
    params["exit_calibration"] = [float(v) for v in model.exit_calibration]
    params["rest_features"] = {str(k): v for k, v in model.rest_features.items()}
    return {
        "params": params,
        "classes": [str(c) for c in model.classes_],
        "class_prior": [float(v) for v in model.class_prior_],
        "feature_names": [str(c) for c in getattr(model, "feature_names_in_", [])],
        "n_features": int(model.n_features_in_),
        "gate_index": int(model.gate_index_),
        "side_index": model.side_index_,
        "entry_columns": [int(i) for i in model.entry_columns_],
        "exit_columns": [int(i) for i in model.exit_columns_],
        "rest_columns": {str(k): int(v) for k, v in model.rest_columns_.items()},
        "entry_gate": gate_to_dict(model.entry_gate_),
        "exit_gate": gate_to_dict(model.exit_gate_),
    }


def classifier_from_dict(data: dict[str, Any]) -> SplitGateClassifier:
    """The fitted classifier `data` describes (KeyError/ValueError/TypeError if malformed)."""
    params = dict(data["params"])
    params["entry_calibration"] = tuple(float(v) for v in params["entry_calibration"])
    params["exit_calibration"] = tuple(float(v) for v in params["exit_calibration"])
    model = SplitGateClassifier(**params)
    model.classes_ = np.asarray(data["classes"])
    model.class_prior_ = np.asarray(data["class_prior"], dtype=float)
    if data["feature_names"]:
        model.feature_names_in_ = np.asarray(data["feature_names"], dtype=object)
    model.n_features_in_ = int(data["n_features"])
    model.gate_index_ = int(data["gate_index"])
    side = data["side_index"]
    model.side_index_ = None if side is None else int(side)
    model.entry_columns_ = [int(i) for i in data["entry_columns"]]
    model.exit_columns_ = [int(i) for i in data["exit_columns"]]
    model.rest_columns_ = {str(k): int(v) for k, v in data["rest_columns"].items()}
    model.rest_ = None
    model.entry_gate_ = gate_from_dict(data["entry_gate"])
    model.exit_gate_ = gate_from_dict(data["exit_gate"])
    return model


def _plain(value: Any) -> Any:
    """JSON-ready: tuples to lists, numpy scalars to Python ones."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
