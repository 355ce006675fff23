"""regime: classify the US small-cap versus large-cap market regime from macro signals.

>>> from regime import load_model
>>> prediction = load_model().predict_current()      # doctest: +SKIP
>>> prediction.regime, prediction.confidence         # doctest: +SKIP

Importing `regime` is cheap: each public name (and `__version__`) loads its module, with pandas
and scikit-learn behind it, on first use. So `regime --help` and the light commands start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from regime.errors import (
    ConfigError,
    DataSourceError,
    HistoryError,
    ModelArtifactError,
    RegimeError,
    StaleDataError,
)

if TYPE_CHECKING:
    from regime.config import Settings, load_settings
    from regime.features.table import build_features
    from regime.model.predict import RegimeModel, RegimePrediction, load_model
    from regime.sources.market_data import MarketData, load_market_data

    __version__: str

# Public name -> the module that defines it, imported on first access (PEP 562).
_LAZY = {
    "Settings": "regime.config",
    "load_settings": "regime.config",
    "build_features": "regime.features.table",
    "RegimeModel": "regime.model.predict",
    "RegimePrediction": "regime.model.predict",
    "load_model": "regime.model.predict",
    "MarketData": "regime.sources.market_data",
    "load_market_data": "regime.sources.market_data",
}

__all__ = [
    "ConfigError",
    "DataSourceError",
    "HistoryError",
    "MarketData",
    "ModelArtifactError",
    "RegimeError",
    "RegimeModel",
    "RegimePrediction",
    "Settings",
    "StaleDataError",
    "__version__",
    "build_features",
    "load_market_data",
    "load_model",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _installed_version()
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'regime' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("regime")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"
