"""Intervals of the upper levels (family, location, total) calibrated on their own backtest.

The engine calibrates intervals over all series of a demand group at once, which the
many SKU × location series dominate; an aggregate's errors are fewer and more biased, so
its interval can cover far less than its level says. Each upper level gets one widening
factor per interval level: the split-conformal quantile of the backtest errors divided by
the interval's half-width on the side of the error (normalised conformal; a factor below
1 narrows an interval that covered too much). The interval keeps its shape over the
horizon and its asymmetry; the wider level always holds the narrower one.

In the backtest each origin is scored with the factor learnt from the other origins
(cross-fitted), so that the coverage reported is not the coverage fitted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["UPPER_LEVELS", "normalised_errors", "widening_factors", "widen", "cross_fitted"]

UPPER_LEVELS = ("family", "location", "total")


def normalised_errors(frame: pd.DataFrame, lv: int) -> np.ndarray:
    """|error| over the interval's half-width on the error's side (NaN where undefined)."""
    y, f = frame["y"].to_numpy(float), frame["yhat"].to_numpy(float)
    lo, hi = frame[f"yhat_lo_{lv}"].to_numpy(float), frame[f"yhat_hi_{lv}"].to_numpy(float)
    half = np.where(y >= f, hi - f, f - lo)
    err = np.abs(y - f)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(half > 0, err / half, np.where(err == 0, 0.0, np.nan))
    return r


def _conformal(r: np.ndarray, lv: int) -> float:
    r = r[np.isfinite(r)]
    n = len(r)
    if n == 0:
        return float("nan")
    k = int(np.ceil((n + 1) * lv / 100))  # the k-th smallest (split conformal); the largest past n
    return float(np.sort(r)[min(k, n) - 1])


def widening_factors(bt: pd.DataFrame, level) -> dict:
    """Per upper level and interval level, the factor that makes the backtest cover it.

    Returns
    -------
    dict
        ``{node level: {interval level: factor}}`` (levels without backtest are left out).
    """
    out = {}
    for node_level, g in bt[bt["level"].isin(UPPER_LEVELS)].groupby("level"):
        factors = {int(lv): _conformal(normalised_errors(g, int(lv)), int(lv)) for lv in level}
        out[node_level] = {lv: k for lv, k in factors.items() if np.isfinite(k)}
    return out


def widen(frame: pd.DataFrame, factors: dict, level) -> pd.DataFrame:
    """``frame`` with each upper node's bounds moved ``factor`` × their distance from
    ``yhat``, clipped at 0 and nested (95 % holds 80 %)."""
    out = frame.copy()
    for node_level, by_lv in factors.items():
        sel = (out["level"] == node_level).to_numpy()
        if not sel.any():
            continue
        f = out.loc[sel, "yhat"].to_numpy(float)
        lo_prev, hi_prev = f.copy(), f.copy()
        for lv in sorted(int(v) for v in level):
            k = by_lv.get(lv)
            lo = out.loc[sel, f"yhat_lo_{lv}"].to_numpy(float)
            hi = out.loc[sel, f"yhat_hi_{lv}"].to_numpy(float)
            if k is not None:
                lo, hi = f - k * (f - lo), f + k * (hi - f)
            lo, hi = np.minimum(np.clip(lo, 0, None), lo_prev), np.maximum(hi, hi_prev)
            out.loc[sel, f"yhat_lo_{lv}"], out.loc[sel, f"yhat_hi_{lv}"] = lo, hi
            lo_prev, hi_prev = lo, hi
    return out


def cross_fitted(bt: pd.DataFrame, level) -> pd.DataFrame:
    """The backtest with each origin's upper-level bounds widened by the factors learnt on
    the other origins (on all of them when there is only one)."""
    origins = sorted(bt["origin"].dropna().unique())
    if len(origins) < 2:
        return widen(bt, widening_factors(bt, level), level)
    parts = []
    for origin in origins:
        mine = bt["origin"] == origin
        parts.append(widen(bt[mine], widening_factors(bt[~mine], level), level))
    return pd.concat(parts).loc[bt.index]
