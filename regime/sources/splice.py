"""Chaining an older history before a series' first observation, by returns.

FRED's Russell 2000 price index (RU2000PR) starts in December 1978 on its own base (100), while
Yahoo's ^RUT starts in September 1987 at official levels. Chaining by returns keeps every ^RUT
observation as it is and prepends the older series rescaled to meet ^RUT on its first day: before
that day the spliced series moves exactly as the older one did.
"""

from __future__ import annotations

import pandas as pd


def chain_before(successor: pd.Series, predecessor: pd.Series) -> pd.Series:
    """`successor`, preceded by `predecessor`'s observations dated before its first one.

    The predecessor is rescaled by successor[first] / predecessor[anchor], where `first` is the
    successor's first date and `anchor` the predecessor's last date on or before it, so returns
    before `first` are the predecessor's and every level from `first` on is the successor's.
    When either series is empty, or the predecessor starts after `first`, the successor is
    returned unchanged.
    """
    if successor.empty or predecessor.empty:
        return successor
    first = successor.index[0]
    known = predecessor.loc[:first]
    if known.empty:
        return successor
    scale = float(successor.iloc[0]) / float(known.iloc[-1])
    earlier = predecessor.loc[predecessor.index < first] * scale
    return pd.concat([earlier, successor]).rename(successor.name)
