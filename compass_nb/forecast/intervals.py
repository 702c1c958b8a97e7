"""Prediction intervals checked against the backtest, conformal where models mis-cover.

For each group of series (continuous or intermittent demand) and level, the coverage of
the models' own intervals is measured on the backtest. Where it is off by more than a
tolerance, or the models give none, the interval becomes split-conformal: the
``level`` quantile of the backtest's absolute errors, scaled per series by its
in-sample mean absolute change, per horizon step (widened as sqrt(step) past the
backtest horizon).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.forecast.metrics import seasonal_scale

__all__ = [
    "series_scales",
    "model_coverage",
    "conformal_quantiles",
    "calibrate_intervals",
    "clip_at_zero",
]


def series_scales(history: pd.DataFrame) -> pd.Series:
    """In-sample mean absolute one-step change of each series (NaN or 0 for flat series)."""
    return history.groupby("unique_id", sort=True)["y"].apply(
        lambda s: seasonal_scale(s.to_numpy(), 1)
    )


def model_coverage(bt: pd.DataFrame, level) -> pd.DataFrame:
    """Backtest coverage of the chosen forecasts' own intervals, per group and level.

    Returns
    -------
    DataFrame
        ``group``, ``level``, ``coverage`` (NaN where the intervals are missing), ``n``.
    """
    rows = []
    for grp, g in bt.groupby("group", sort=True):
        for lv in level:
            lo, hi = g[f"yhat_lo_{lv}"], g[f"yhat_hi_{lv}"]
            ok = lo.notna() & hi.notna()
            cov = (
                float(((g["y"] >= lo) & (g["y"] <= hi))[ok].mean())
                if ok.all() and len(g)
                else np.nan
            )
            rows.append((grp, lv, cov, len(g)))
    return pd.DataFrame(rows, columns=["group", "level", "coverage", "n"])


def conformal_quantiles(bt: pd.DataFrame, scales: pd.Series, level: int) -> pd.DataFrame:
    """Per group and horizon step, the ``level`` % quantile of |error| / series scale."""
    s = bt["unique_id"].map(scales).to_numpy(float)
    err = np.abs(bt["y"].to_numpy(float) - bt["yhat"].to_numpy(float))
    # a window the chosen forecast could not be backtested in (too short a history then)
    # has no error: it must not turn the quantile into NaN (and the interval into none)
    ok = np.isfinite(s) & (s > 0) & np.isfinite(err)
    frame = pd.DataFrame({"group": bt["group"], "step": bt["step"], "q": err / np.where(ok, s, 1)})[
        ok
    ]
    rows = []
    for (grp, step), g in frame.groupby(["group", "step"], sort=True):
        n = len(g)
        rank = min(1.0, np.ceil((n + 1) * level / 100) / n)  # finite-sample conformal rank
        rows.append((grp, int(step), float(np.quantile(g["q"].to_numpy(), rank, method="higher"))))
    return pd.DataFrame(rows, columns=["group", "step", "q"])


def _extend_steps(q: pd.DataFrame, h: int) -> pd.DataFrame:
    rows = []
    for grp, g in q.groupby("group"):
        g = g.sort_values("step")
        last_step, last_q = int(g["step"].iloc[-1]), float(g["q"].iloc[-1])
        vals = dict(zip(g["step"].astype(int), g["q"], strict=True))
        for k in range(1, h + 1):
            vals.setdefault(k, last_q * np.sqrt(k / last_step) if k > last_step else np.nan)
        filled = pd.Series(vals).sort_index().ffill().bfill()
        rows += [(grp, k, float(v)) for k, v in filled.items()]
    return pd.DataFrame(rows, columns=["group", "step", "q"])


def calibrate_intervals(
    fc: pd.DataFrame, bt: pd.DataFrame, scales: pd.Series, level, tolerance: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace mis-covering model intervals by conformal ones.

    Parameters
    ----------
    fc : DataFrame
        Final forecasts with ``unique_id``, ``group``, ``step``, ``yhat`` and
        ``yhat_lo_<l>`` / ``yhat_hi_<l>``.
    bt : DataFrame
        Backtest of the chosen forecasts: ``unique_id``, ``group``, ``step``, ``y``,
        ``yhat`` and the same bound columns.
    scales : Series
        Per-series scale (:func:`series_scales`).
    level : sequence of int
    tolerance : float
        Accepted gap between measured and nominal coverage.

    Returns
    -------
    (DataFrame, DataFrame)
        The forecasts with calibrated bounds, and per group and level the measured model
        coverage and the method used (``model`` or ``conformal``).
    """
    fc = fc.copy()
    report = (
        model_coverage(bt, level)
        if len(bt)
        else pd.DataFrame(columns=["group", "level", "coverage", "n"])
    )
    report["method"] = "model"
    h = int(fc["step"].max()) if len(fc) else 0
    s = fc["unique_id"].map(scales).fillna(0).to_numpy(float)
    off = ~(
        report["coverage"].notna()
        & ((report["coverage"] - report["level"] / 100).abs() <= tolerance)
    )
    redo = set(report.loc[off, "group"])  # one method per group, so that levels stay nested
    for i, row in report.iterrows():
        lv, grp = int(row["level"]), row["group"]
        if grp not in redo:
            continue
        q = conformal_quantiles(bt[bt["group"] == grp], scales, lv)
        if q.empty:
            continue
        q = _extend_steps(q, h)
        sel = (fc["group"] == grp).to_numpy()
        qk = fc.loc[sel, "step"].map(dict(zip(q["step"], q["q"], strict=True))).to_numpy(float)
        half = qk * s[sel]
        fc.loc[sel, f"yhat_lo_{lv}"] = fc.loc[sel, "yhat"].to_numpy() - half
        fc.loc[sel, f"yhat_hi_{lv}"] = fc.loc[sel, "yhat"].to_numpy() + half
        report.loc[i, "method"] = "conformal"
    _fill_missing(fc, level)
    _nest(fc, level)
    return fc, report


def _nest(fc: pd.DataFrame, level) -> None:
    """Wider levels never inside narrower ones (the point forecast inside all)."""
    lo, hi = fc["yhat"].to_numpy(float).copy(), fc["yhat"].to_numpy(float).copy()
    for lv in sorted(level):
        lo = np.minimum(lo, fc[f"yhat_lo_{lv}"].to_numpy(float))
        hi = np.maximum(hi, fc[f"yhat_hi_{lv}"].to_numpy(float))
        fc[f"yhat_lo_{lv}"], fc[f"yhat_hi_{lv}"] = lo, hi


def _fill_missing(fc: pd.DataFrame, level) -> None:
    for lv in level:
        for side in ("lo", "hi"):
            col = f"yhat_{side}_{lv}"
            fc[col] = fc[col].fillna(fc["yhat"])


def clip_at_zero(fc: pd.DataFrame, nonnegative: set, level) -> pd.DataFrame:
    """Forecasts and bounds of non-negative series clipped at 0."""
    fc = fc.copy()
    sel = fc["unique_id"].isin(nonnegative)
    cols = ["yhat"] + [f"yhat_{s}_{lv}" for lv in level for s in ("lo", "hi")]
    fc.loc[sel, cols] = fc.loc[sel, cols].clip(lower=0)
    return fc
