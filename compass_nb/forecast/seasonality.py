"""Seasonality test and classical multiplicative decomposition, as in the M4 benchmarks.

The M4 evaluation code deseasonalises a series before fitting its non-seasonal
benchmarks (Naive2, SES, Holt, damped, Theta) when the autocorrelation at the seasonal
lag is significant at 90 %; the same rule is used here.
"""

from __future__ import annotations

import numpy as np
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.stattools import acf

__all__ = ["is_seasonal", "seasonal_indices", "seasonal_profile"]

_TCRIT_90 = 1.645


def is_seasonal(y, m: int) -> bool:
    """M4 seasonality test: |ACF at lag m| above its 90 % limit.

    The limit is ``1.645 / sqrt(n) * sqrt(1 + 2 * sum(acf[1:m-1] ** 2))``. Series shorter
    than three seasons, constant series and ``m <= 1`` are not seasonal.
    """
    y = np.asarray(y, dtype=float)
    if m <= 1 or len(y) < 3 * m or np.nanstd(y) == 0:
        return False
    r = acf(y, nlags=m, fft=False)[1:]
    limit = _TCRIT_90 / np.sqrt(len(y)) * np.sqrt(1 + 2 * np.sum(r[: m - 1] ** 2))
    return bool(abs(r[m - 1]) > limit)


def seasonal_profile(y, m: int) -> np.ndarray:
    """Multiplicative seasonal indices of a positive series by position in its cycle.

    Classical decomposition (centred moving average, mean ratio per position,
    normalised to mean 1), as R's ``decompose(type = "multiplicative")``. Element ``i``
    is the index of the series' observations ``i, i + m, i + 2m, ...``.
    """
    y = np.asarray(y, dtype=float)
    dec = seasonal_decompose(y, model="multiplicative", period=m, two_sided=True)
    return np.asarray(dec.seasonal[:m], dtype=float)


def seasonal_indices(y, m: int, h: int, test: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """In-sample and future multiplicative seasonal indices of one series.

    Parameters
    ----------
    y : array-like
        The history.
    m : int
        Seasonal period.
    h : int
        Horizon of the future indices.
    test : bool
        Apply the M4 seasonality test first; a non-seasonal series gets indices of 1.

    Returns
    -------
    (ndarray, ndarray)
        Indices for the ``len(y)`` history points and for the ``h`` future periods. All
        ones when the series is not seasonal, too short, or not strictly positive.
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    ones = (np.ones(n), np.ones(h))
    if m <= 1 or n < 2 * m or np.any(y <= 0) or (test and not is_seasonal(y, m)):
        return ones
    profile = seasonal_profile(y, m)
    return profile[np.arange(n) % m], profile[np.arange(n, n + h) % m]
