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
    """`predecessor` up to `until`, then `successor`, chained by returns where they meet.

    They meet at the last day both have on or before the switch, the switch being the
    successor's first date (`until` None) or its first date after `until`. From that day on
    every level is the successor's; before it the predecessor's returns are kept, rescaled to
    meet the successor there, so no day's return is lost or invented. When either series is
    empty, or the predecessor starts after the switch, the successor is returned unchanged.
    """
    if successor.empty or predecessor.empty:
        return successor
    later = successor if until is None else successor.loc[successor.index > pd.Timestamp(until)]
    if later.empty:
        return successor
    switch = later.index[0]
    shared = predecessor.index.intersection(successor.index)
    shared = shared[shared <= switch]
    if len(shared):
        meet = shared[-1]
        scale = float(successor.loc[meet]) / float(predecessor.loc[meet])
    else:  # no common day: the predecessor's last close before the switch meets it
        known = predecessor.loc[:switch]
        if known.empty:
            return successor
        meet = switch
        scale = float(later.iloc[0]) / float(known.iloc[-1])
    earlier = predecessor.loc[predecessor.index < meet] * scale
    return pd.concat([earlier, successor.loc[successor.index >= meet]]).rename(successor.name)
