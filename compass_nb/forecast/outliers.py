"""Outliers in demand history: one-off spikes and stock-out zeros.

A spike is a point that jumps away from both its neighbours, in the same direction, by
more than ``threshold`` robust standard deviations of the period-to-period changes
(1.4826 × MAD), after seasonal adjustment; a level shift (one jump) is not a spike.
Zeros inside a series that otherwise always sells are stock-outs; zeros that run to the
end of the series are not (an end-of-life drop, or a drop not yet understood, is never
"cleaned" away). Cleaning replaces outliers by the rolling median for fitting only: the
caller's data is never changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.forecast.seasonality import seasonal_indices

__all__ = ["outlier_mask", "clean_series", "flag_outliers"]


def _rolling_median(y: np.ndarray, window: int) -> np.ndarray:
    return pd.Series(y).rolling(window, center=True, min_periods=1).median().to_numpy()


def outlier_mask(
    y, window: int = 7, threshold: float = 6.0, min_obs: int = 12, m: int = 1
) -> np.ndarray:
    """Boolean mask of the outlying points of one (non-intermittent) series.

    Parameters
    ----------
    y : array-like
        The history.
    window : int
        Width of the centred rolling median a zero is compared with (stock-outs).
    threshold : float
        How many robust standard deviations make a spike.
    min_obs : int
        Shorter series are left alone (too little history to tell).
    m : int
        Seasonal period: a seasonal series is compared after seasonal adjustment, so
        that its regular peaks are not mistaken for spikes.

    Returns
    -------
    ndarray of bool
    """
    y = np.asarray(y, dtype=float)
    mask = np.zeros(len(y), dtype=bool)
    if len(y) < min_obs:
        return mask
    si, _ = seasonal_indices(y, m, 0) if m > 1 else (np.ones(len(y)), None)
    x = y / si
    step = np.diff(x)
    scale = 1.4826 * np.median(np.abs(step - np.median(step)))
    if scale > 0:
        up, down = np.r_[np.nan, step], np.r_[-step, np.nan]  # x_t - x_{t-1}, x_t - x_{t+1}
        with np.errstate(invalid="ignore"):
            jump = np.minimum(np.abs(up), np.abs(down))
            mask |= (np.sign(up) == np.sign(down)) & (jump > threshold * scale)
    base = _rolling_median(x, window) * si
    zero_share = np.mean(y == 0)
    if 0 < zero_share <= 0.1:
        mask |= (y == 0) & (base > 0) & ~_trailing_zeros(y)
    return mask


def _trailing_zeros(y: np.ndarray) -> np.ndarray:
    """The zeros that run to the end of the series (none when the last value is not zero)."""
    nonzero = np.flatnonzero(y != 0)
    start = nonzero[-1] + 1 if len(nonzero) else 0
    return np.arange(len(y)) >= start


def clean_series(y, mask, m: int = 1) -> np.ndarray:
    """A copy of ``y`` with the masked points replaced by the centred rolling median of the rest
    (of the seasonally adjusted rest, re-seasonalised, for a seasonal series)."""
    y = np.asarray(y, dtype=float).copy()
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return y
    si, _ = seasonal_indices(y, m, 0) if m > 1 else (np.ones(len(y)), None)
    kept = pd.Series(np.where(mask, np.nan, y / si))
    fill = kept.rolling(7, center=True, min_periods=1).median()
    fill = fill.fillna(kept.median())
    y[mask] = (fill.to_numpy() * si)[mask]
    return y


def flag_outliers(
    history: pd.DataFrame, skip: set | None = None, m: int = 1, **options
) -> pd.DataFrame:
    """Flag and clean the outliers of every series of a long panel.

    Parameters
    ----------
    history : DataFrame
        ``unique_id``, ``ds``, ``y``, sorted by series and date.
    skip : set, optional
        Series left as they are (intermittent demand, where zeros are the signal).
    m : int
        Seasonal period.
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
        mask = np.zeros(len(y), bool) if uid in skip else outlier_mask(y, m=m, **options)
        flags.append(mask)
        clean.append(clean_series(y, mask, m))
    out["y_clean"] = np.concatenate(clean) if clean else np.array([], float)
    out["outlier"] = np.concatenate(flags) if flags else np.array([], bool)
    return out
