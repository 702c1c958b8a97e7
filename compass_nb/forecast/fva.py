"""Forecast value added: naive → statistical → after overrides, error at each step."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["STEPS", "fva_stairstep"]

STEPS = ("naive", "statistical", "override")


def _errors(g: pd.DataFrame, col: str) -> tuple[float, float, float]:
    y, f = g["y"].to_numpy(float), g[col].to_numpy(float)
    den = np.abs(y).sum()
    wape = float(np.abs(y - f).sum() / den) if den > 0 else float("nan")
    bias = float((f - y).sum() / den) if den > 0 else float("nan")
    return wape, bias, float(np.mean(np.abs(y - f)))


def fva_stairstep(df: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Error of each forecasting step and the value each step adds over the one before.

    Parameters
    ----------
    df : DataFrame
        One row per series and period: ``y`` (actual), ``naive``, ``statistical`` and
        ``override`` (the forecast after judgmental overrides; equal to ``statistical``
        where nobody overrode), plus the ``by`` column.
    by : str, optional
        Group column (e.g. ``family``); ``None`` for the overall stairstep.

    Returns
    -------
    DataFrame
        ``<by>`` (or ``All``), ``step``, ``wape``, ``bias``, ``mae``, ``fva`` (WAPE of the
        previous step minus this step's, in points of WAPE; positive = the step helped).
    """
    groups = df.groupby(by, sort=True) if by else [("All", df)]
    rows = []
    for key, g in groups:
        prev = None
        for step in STEPS:
            wape, bias, mae = _errors(g, step)
            rows.append((key, step, wape, bias, mae, np.nan if prev is None else prev - wape))
            prev = wape
    return pd.DataFrame(rows, columns=[by or "group", "step", "wape", "bias", "mae", "fva"])
