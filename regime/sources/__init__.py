"""Where observations come from: the embedded snapshot, and (later) the local cache of live pulls.

Everything downstream sees one `MarketData`: raw observations by series, dated by observation
date, each remembering where it came from.
"""

from regime.sources.market_data import MarketData, load_market_data

__all__ = ["MarketData", "load_market_data"]
