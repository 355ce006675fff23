"""Where observations come from: the embedded snapshot, and the local cache of live pulls.

Everything downstream sees one `MarketData`: raw observations by series, dated by observation
date, each remembering where it came from. Its two names load `market_data` (and pandas) on
first use, so importing one client module does not import the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regime.sources.market_data import MarketData, load_market_data

__all__ = ["MarketData", "load_market_data"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'regime.sources' has no attribute {name!r}")
    from regime.sources import market_data

    value = getattr(market_data, name)
    globals()[name] = value
    return value
