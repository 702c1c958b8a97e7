"""Series with too few observations: a forecast no bolder than the data.

A SKU × location that sold in fewer than ``min_nonzero`` months of its history says
little about its rate of demand; whatever the model, its monthly forecast is capped at
its last ``window`` months' demand spread over those months (months before its first
order count as no demand), so its forecast over a year never exceeds what it sold in
the last one. Its interval is scaled with it, and the series is flagged
``thin-history``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["thin_series", "recent_rate", "cap_thin"]


def thin_series(history: pd.DataFrame, min_nonzero: int) -> set:
    """The series of ``history`` (``unique_id``, ``ds``, ``y``) with demand in fewer than
    ``min_nonzero`` months."""
    months = history.loc[history["y"] > 0].groupby("unique_id")["ds"].nunique()
    counts = months.reindex(history["unique_id"].unique(), fill_value=0)
    return set(counts.index[counts < int(min_nonzero)])


def recent_rate(history: pd.DataFrame, window: int) -> pd.Series:
    """Demand per month over the last ``window`` months of the panel, per series."""
    end = history["ds"].max()
    start = end - pd.DateOffset(months=int(window) - 1)
    recent = history[history["ds"] >= start]
    total = recent.groupby("unique_id")["y"].sum()
    return (total / int(window)).reindex(history["unique_id"].unique(), fill_value=0.0)


def cap_thin(fc: pd.DataFrame, history: pd.DataFrame, min_nonzero: int, window: int):
    """``fc`` with the thin series' forecasts capped at their recent rate, and flagged.

    Parameters
    ----------
    fc : DataFrame
        ``unique_id``, ``yhat``, bound columns and ``flag``.
    history : DataFrame
        ``unique_id``, ``ds``, ``y`` up to the forecast origin.

    Returns
    -------
    DataFrame
        A copy; ``yhat`` = min(``yhat``, rate) on thin series, bounds scaled by the same
        factor (or set to the rate's scale where the forecast was 0), ``flag`` tagged.
    """
    out = fc.copy()
    thin = thin_series(history, min_nonzero)
    sel = out["unique_id"].isin(thin).to_numpy()
    if not sel.any():
        return out
    rate = out.loc[sel, "unique_id"].map(recent_rate(history, window)).to_numpy(float)
    old = out.loc[sel, "yhat"].to_numpy(float)
    new = np.minimum(old, rate)
    factor = np.divide(new, old, out=np.zeros_like(new), where=old > 0)
    bounds = [c for c in out.columns if c.startswith(("yhat_lo_", "yhat_hi_"))]
    out.loc[sel, bounds] = out.loc[sel, bounds].to_numpy(float) * factor[:, None]
    out.loc[sel, "yhat"] = new
    flags = out.loc[sel, "flag"].fillna("").astype(str)
    out.loc[sel, "flag"] = np.where(flags == "", "thin-history", flags + ";thin-history")
    return out
