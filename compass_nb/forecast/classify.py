"""Demand classification by ADI and CV² (Syntetos, Boylan and Croston, 2005).

ADI is the average interval between non-zero demands; CV² the squared coefficient of
variation of the non-zero demand sizes. The cut-offs 1.32 and 0.49 split series into
smooth, erratic, intermittent and lumpy demand; a series without any demand is ``none``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ADI_CUTOFF", "CV2_CUTOFF", "demand_class", "classify_series", "INTERMITTENT_CLASSES"]

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
INTERMITTENT_CLASSES = ("intermittent", "lumpy")


def demand_class(adi: float, cv2: float) -> str:
    """The class of a series with the given ADI and CV² (``none`` when ADI is NaN)."""
    if not np.isfinite(adi):
        return "none"
    if adi < ADI_CUTOFF:
        return "smooth" if cv2 < CV2_CUTOFF else "erratic"
    return "intermittent" if cv2 < CV2_CUTOFF else "lumpy"


def _adi_cv2(y: np.ndarray) -> tuple[float, float]:
    nz = y[y != 0]
    if len(nz) == 0:
        return float("nan"), float("nan")
    adi = len(y) / len(nz)
    cv2 = float((nz.std() / nz.mean()) ** 2) if nz.mean() != 0 else 0.0
    return float(adi), cv2


def classify_series(history: pd.DataFrame) -> pd.DataFrame:
    """ADI, CV² and demand class of every series of a long panel.

    Parameters
    ----------
    history : DataFrame
        ``unique_id``, ``ds``, ``y``.

    Returns
    -------
    DataFrame
        One row per series: ``unique_id``, ``adi``, ``cv2``, ``demand_class``, ``n_obs``.
    """
    rows = []
    for uid, g in history.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(float)
        adi, cv2 = _adi_cv2(y)
        rows.append((uid, adi, cv2, demand_class(adi, cv2), len(y)))
    return pd.DataFrame(rows, columns=["unique_id", "adi", "cv2", "demand_class", "n_obs"])
