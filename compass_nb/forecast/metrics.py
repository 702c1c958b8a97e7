"""Forecast accuracy metrics, with the formulas of the M4 competition's evaluation code.

Point metrics take arrays of actuals ``y`` and forecasts ``f`` of one series over the
horizon; scaled metrics also take the in-sample history ``insample`` and the seasonal
period ``m``. ``accuracy_table`` applies them to long DataFrames, one row per series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "mae",
    "rmse",
    "smape",
    "mase",
    "rmsse",
    "wape",
    "bias",
    "tracking_signal",
    "coverage",
    "msis",
    "owa",
    "seasonal_scale",
    "accuracy_table",
]


def _arrays(y, f) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    f = np.asarray(f, dtype=float)
    assert y.shape == f.shape, "actuals and forecasts must have the same length"
    return y, f


def mae(y, f) -> float:
    """Mean absolute error."""
    y, f = _arrays(y, f)
    return float(np.mean(np.abs(y - f)))


def rmse(y, f) -> float:
    """Root mean squared error."""
    y, f = _arrays(y, f)
    return float(np.sqrt(np.mean((y - f) ** 2)))


def smape(y, f) -> float:
    """Symmetric MAPE in percent, M4 definition: mean of 200 |y - f| / (|y| + |f|).

    Periods where actual and forecast are both zero count as a perfect forecast (0).
    """
    y, f = _arrays(y, f)
    den = np.abs(y) + np.abs(f)
    terms = np.divide(200.0 * np.abs(y - f), den, out=np.zeros_like(den), where=den > 0)
    return float(np.mean(terms))


def seasonal_scale(insample, m: int = 1, power: int = 1) -> float:
    """Mean of |y_t - y_{t-m}|**power over the in-sample history (the MASE/RMSSE scale).

    Falls back to lag 1 when the history is not longer than ``m``; NaN when even that
    is impossible.
    """
    x = np.asarray(insample, dtype=float)
    lag = m if len(x) > m else 1
    if len(x) <= lag:
        return float("nan")
    return float(np.mean(np.abs(x[lag:] - x[:-lag]) ** power))


def _scaled(num: float, scale: float) -> float:
    if not np.isfinite(scale) or scale == 0:
        return float("nan")
    return num / scale


def mase(y, f, insample, m: int = 1) -> float:
    """Mean absolute scaled error: MAE over the in-sample seasonal-naive MAE (lag ``m``)."""
    return _scaled(mae(y, f), seasonal_scale(insample, m))


def rmsse(y, f, insample, m: int = 1) -> float:
    """Root mean squared scaled error (M5): RMSE scaled by the in-sample lag-``m`` RMS change."""
    y, f = _arrays(y, f)
    scale = seasonal_scale(insample, m, power=2)
    return float(np.sqrt(_scaled(float(np.mean((y - f) ** 2)), scale)))


def wape(y, f) -> float:
    """Weighted absolute percentage error: sum |y - f| / sum |y| (NaN when all actuals are 0)."""
    y, f = _arrays(y, f)
    den = np.sum(np.abs(y))
    return float(np.sum(np.abs(y - f)) / den) if den > 0 else float("nan")


def bias(y, f) -> float:
    """Relative bias: sum (f - y) / sum |y|; positive means over-forecasting."""
    y, f = _arrays(y, f)
    den = np.sum(np.abs(y))
    return float(np.sum(f - y) / den) if den > 0 else float("nan")


def tracking_signal(y, f) -> float:
    """Tracking signal: cumulative error (actual - forecast) over the mean absolute error.

    Values beyond ±4 say the forecast is biased. 0 when every error is 0.
    """
    y, f = _arrays(y, f)
    err = y - f
    mad = np.mean(np.abs(err))
    return float(np.sum(err) / mad) if mad > 0 else 0.0


def coverage(y, lo, hi) -> float:
    """Share of actuals inside [lo, hi]."""
    y = np.asarray(y, dtype=float)
    return float(np.mean((y >= np.asarray(lo, float)) & (y <= np.asarray(hi, float))))


def msis(y, lo, hi, insample, m: int = 1, level: float = 95) -> float:
    """Mean scaled interval score (M4), for a ``level`` % interval [lo, hi]."""
    y = np.asarray(y, dtype=float)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    a = 1 - level / 100
    score = (hi - lo) + 2 / a * (lo - y) * (y < lo) + 2 / a * (y - hi) * (y > hi)
    return _scaled(float(np.mean(score)), seasonal_scale(insample, m))


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average: mean of sMAPE and MASE relative to Naive2's (M4)."""
    return 0.5 * (smape_model / smape_naive2 + mase_model / mase_naive2)


def accuracy_table(
    actuals: pd.DataFrame,
    forecasts: pd.DataFrame,
    history: pd.DataFrame,
    m: int = 12,
    model_col: str = "yhat",
    level: int | None = 95,
) -> pd.DataFrame:
    """Per-series accuracy of one forecast column against actuals.

    Parameters
    ----------
    actuals : DataFrame
        ``unique_id``, ``ds``, ``y`` over the horizon.
    forecasts : DataFrame
        ``unique_id``, ``ds`` and ``model_col`` (and ``<model_col>_lo_<level>`` /
        ``_hi_<level>`` or ``yhat_lo_<level>`` / ``yhat_hi_<level>`` for interval metrics).
    history : DataFrame
        ``unique_id``, ``ds``, ``y`` in-sample, for the scaled metrics.
    m : int
        Seasonal period of the MASE scale.
    model_col : str
        The forecast column to score.
    level : int or None
        Interval level to score (coverage, MSIS) when its columns are present.

    Returns
    -------
    DataFrame
        One row per series: ``unique_id``, ``mae``, ``rmse``, ``smape``, ``mase``,
        ``rmsse``, ``wape``, ``bias``, ``tracking_signal`` and, with intervals,
        ``coverage`` and ``msis``.
    """
    joined = actuals.merge(forecasts, on=["unique_id", "ds"], how="inner").sort_values(
        ["unique_id", "ds"]
    )
    lo_col, hi_col = _interval_columns(joined, model_col, level)
    hist = {k: g["y"].to_numpy(float) for k, g in history.sort_values("ds").groupby("unique_id")}
    rows = []
    for uid, g in joined.groupby("unique_id", sort=True):
        y, f, ins = g["y"].to_numpy(float), g[model_col].to_numpy(float), hist.get(uid, [])
        row = {
            "unique_id": uid,
            "mae": mae(y, f),
            "rmse": rmse(y, f),
            "smape": smape(y, f),
            "mase": mase(y, f, ins, m),
            "rmsse": rmsse(y, f, ins, m),
            "wape": wape(y, f),
            "bias": bias(y, f),
            "tracking_signal": tracking_signal(y, f),
        }
        if lo_col:
            row["coverage"] = coverage(y, g[lo_col], g[hi_col])
            row["msis"] = msis(y, g[lo_col], g[hi_col], ins, m, level)
        rows.append(row)
    return pd.DataFrame(rows)


def _interval_columns(df: pd.DataFrame, model_col: str, level) -> tuple[str | None, str | None]:
    if level is None:
        return None, None
    for base in (model_col, "yhat"):
        lo, hi = f"{base}_lo_{level}", f"{base}_hi_{level}"
        if lo in df and hi in df:
            return lo, hi
    for lo, hi in ((f"{model_col}-lo-{level}", f"{model_col}-hi-{level}"),):
        if lo in df and hi in df:
            return lo, hi
    return None, None
