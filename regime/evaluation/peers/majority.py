"""The majority-class peer: always the most frequent training label."""

from __future__ import annotations

import pandas as pd

from regime.constants import REGIMES


def majority_proba(training_labels: pd.Series, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """For every week, the class frequencies of `training_labels` (columns: the regimes).

    Its top class is the majority class, so its prediction never changes within a block.

    >>> import pandas as pd
    >>> y = pd.Series(["neutral", "neutral", "risk_off", "narrow_rally"])
    >>> majority_proba(y, pd.DatetimeIndex(["2000-01-07"])).iloc[0].tolist()
    [0.0, 0.25, 0.5, 0.25]
    """
    frequencies = training_labels.value_counts(normalize=True).reindex(
        list(REGIMES), fill_value=0.0
    )
    rows = [frequencies.to_numpy(dtype=float)] * len(weeks)
    return pd.DataFrame(rows, index=weeks, columns=list(REGIMES), dtype=float)
