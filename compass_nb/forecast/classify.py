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
    y = history["y"].to_numpy(float)
    nz = pd.Series(np.where(y != 0, y, np.nan), index=history.index)
    g = nz.groupby(history["unique_id"].to_numpy(), sort=True)
    n_obs, n_nz = g.size(), g.count()
    mean, std = g.mean(), g.std(ddof=0)
    adi = (n_obs / n_nz.where(n_nz > 0)).astype(float)
    cv2 = ((std / mean.where(mean != 0)) ** 2).fillna(0.0).where(n_nz > 0)
    return pd.DataFrame(
        {
            "unique_id": n_obs.index,
            "adi": adi.to_numpy(),
            "cv2": cv2.to_numpy(),
            "demand_class": [demand_class(a, c) for a, c in zip(adi, cv2, strict=True)],
            "n_obs": n_obs.to_numpy(),
        }
    )
