"""Outliers in demand history: one-off spikes and stock-out zeros.

Detection compares each point with a centred rolling median; points further than
``threshold`` robust standard deviations (1.4826 × MAD of the residuals) away, and
zeros inside a series that otherwise always sells, are outliers. Cleaning replaces
them by the rolling median for fitting only: the caller's data is never changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["outlier_mask", "clean_series", "flag_outliers"]


def _rolling_median(y: np.ndarray, window: int) -> np.ndarray:
    return pd.Series(y).rolling(window, center=True, min_periods=1).median().to_numpy()


def outlier_mask(y, window: int = 7, threshold: float = 5.0, min_obs: int = 12) -> np.ndarray:
    """Boolean mask of the outlying points of one (non-intermittent) series.

    Parameters
    ----------
    y : array-like
        The history.
    window : int
        Width of the centred rolling median the points are compared with.
    threshold : float
        How many robust standard deviations make a spike.
    min_obs : int
        Shorter series are left alone (too little history to tell).

    Returns
    -------
    ndarray of bool
    """
    y = np.asarray(y, dtype=float)
    mask = np.zeros(len(y), dtype=bool)
    if len(y) < min_obs:
        return mask
    base = _rolling_median(y, window)
    resid = y - base
    mad = np.median(np.abs(resid - np.median(resid))) * 1.4826
    if mad > 0:
        mask |= np.abs(resid) > threshold * mad
    zero_share = np.mean(y == 0)
    if 0 < zero_share <= 0.1:
        mask |= (y == 0) & (base > 0)
    return mask


def clean_series(y, mask) -> np.ndarray:
    """A copy of ``y`` with the masked points replaced by the centred rolling median of the rest."""
    y = np.asarray(y, dtype=float).copy()
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return y
    kept = pd.Series(np.where(mask, np.nan, y))
    fill = kept.rolling(7, center=True, min_periods=1).median()
    fill = fill.fillna(kept.median())
    y[mask] = fill.to_numpy()[mask]
    return y


def flag_outliers(history: pd.DataFrame, skip: set | None = None, **options) -> pd.DataFrame:
    """Flag and clean the outliers of every series of a long panel.

    Parameters
    ----------
    history : DataFrame
        ``unique_id``, ``ds``, ``y``, sorted by series and date.
    skip : set, optional
        Series left as they are (intermittent demand, where zeros are the signal).
    **options
        Passed to :func:`outlier_mask`.

    Returns
    -------
    DataFrame
        A new frame with the columns of ``history`` plus ``y_clean`` and ``outlier`` (bool).
    """
    skip = skip or set()
    out = history.copy()
    clean, flags = [], []
    for uid, g in out.groupby("unique_id", sort=False):
        y = g["y"].to_numpy(float)
        mask = np.zeros(len(y), bool) if uid in skip else outlier_mask(y, **options)
        flags.append(mask)
        clean.append(clean_series(y, mask))
    out["y_clean"] = np.concatenate(clean) if clean else np.array([], float)
    out["outlier"] = np.concatenate(flags) if flags else np.array([], bool)
    return out
