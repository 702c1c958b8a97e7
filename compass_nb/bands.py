"""Bands of sellers that never stand for fewer people than the threshold: attainment (or
any share) cut at fixed edges, adjacent bands merged until each holds enough sellers. The
pipeline's attainment and compensation's pay-by-attainment views show these bands only."""

from __future__ import annotations

import numpy as np
import pandas as pd


def merged_bands(values: pd.Series, edges, min_group_size: int, keys: pd.Series | None = None):
    """Bands of ``values`` cut at ``edges``, adjacent bands merged until each holds at least
    ``min_group_size`` distinct ``keys`` (the values' own index when ``None``), so that no
    band stands for fewer people. Returns ``(labels per value, band table)`` where the table
    is ``band, low, high, count`` in order; empty when there are fewer than
    ``min_group_size`` in all."""
    keys = pd.Series(values.index, index=values.index) if keys is None else keys
    bounds = [-np.inf, *edges, np.inf]
    which = np.searchsorted(np.asarray(edges, dtype=float), values.to_numpy(float), side="right")
    groups, current = [], []
    for b in range(len(bounds) - 1):
        current.append(b)
        count = keys[np.isin(which, current)].nunique()
        if count >= min_group_size:
            groups.append(current)
            current = []
    if current:
        if groups:
            groups[-1] = groups[-1] + current
        elif keys.nunique() >= min_group_size:
            groups.append(current)
    rows, label_of = [], {}
    for members in groups:
        low, high = bounds[members[0]], bounds[members[-1] + 1]
        label = band_label(low, high)
        rows.append(
            {
                "band": label,
                "low": low,
                "high": high,
                "count": int(keys[np.isin(which, members)].nunique()),
            }
        )
        label_of.update(dict.fromkeys(members, label))
    labels = pd.Series([label_of.get(b) for b in which], index=values.index, dtype=object)
    return labels, pd.DataFrame(rows, columns=["band", "low", "high", "count"])


def band_label(low: float, high: float) -> str:
    """A band's reader label: "under 50%", "80%–100%", "200% or more"."""
    if np.isinf(low) and np.isinf(high):
        return "all attainments"
    if np.isinf(low):
        return f"under {high:.0%}"
    if np.isinf(high):
        return f"{low:.0%} or more"
    return f"{low:.0%}–{high:.0%}"
