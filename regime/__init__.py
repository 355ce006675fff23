"""regime: classify the US small-cap versus large-cap market regime from macro signals.

>>> from regime import load_model
>>> prediction = load_model().predict_current()      # doctest: +SKIP
>>> prediction.regime, prediction.confidence         # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from regime.config import Settings, load_settings
from regime.errors import (
    ConfigError,
    DataSourceError,
    HistoryError,
    ModelArtifactError,
    RegimeError,
    StaleDataError,
)
from regime.features.table import build_features
from regime.model.predict import RegimeModel, RegimePrediction, load_model
from regime.sources import MarketData, load_market_data

try:
    __version__ = version("regime")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "ConfigError",
    "DataSourceError",
    "HistoryError",
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
