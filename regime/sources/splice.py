"""Chaining an older history before a series' first observation, by returns.

FRED's Russell 2000 price index (RU2000PR) starts in December 1978 on its own base (100), while
Yahoo's ^RUT starts in September 1987 at official levels. Chaining by returns keeps every ^RUT
observation as it is and prepends the older series rescaled to meet ^RUT on its first day: before
that day the spliced series moves exactly as the older one did. Total returns switch the other
way round: FRED's Russell total-return indices are used up to their last day (January 2019),
then the ETFs' adjusted closes, whose own history starts earlier but carries fund costs.
"""

from __future__ import annotations

from datetime import date

import pandas as pd


def chain_before(
    successor: pd.Series, predecessor: pd.Series, until: date | None = None
) -> pd.Series:
    """`predecessor` up to `until`, then `successor`, chained by returns at the switch.

    The switch is the successor's first date (None), or its first date after `until`. The
    predecessor is rescaled by successor[switch] / predecessor[anchor], `anchor` being its last
    date on or before the switch: returns before the switch are the predecessor's and every
    level from it on is the successor's. When either series is empty, or the predecessor starts
    after the switch, the successor is returned unchanged.
    """
    if successor.empty or predecessor.empty:
        return successor
    later = successor if until is None else successor.loc[successor.index > pd.Timestamp(until)]
    if later.empty:
        return successor
    switch = later.index[0]
    known = predecessor.loc[:switch]
    if known.empty:
        return successor
    scale = float(later.iloc[0]) / float(known.iloc[-1])
    earlier = predecessor.loc[predecessor.index < switch] * scale
    return pd.concat([earlier, later]).rename(successor.name)
