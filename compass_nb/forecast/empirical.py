"""Empirical intervals for intermittent demand: quantiles of what the series has sold.

Croston-type models give a demand rate, not a distribution, so an interval built from
their errors says little. For intermittent and lumpy series the interval of a month is
the range of the series' own monthly demand over its last ``window`` months (the
``(1 − level)/2`` and ``(1 + level)/2`` quantiles, interpolated linearly), widened to
hold the point forecast; the interval of the demand over a lead time is the same range
of its sums over that many consecutive months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

__all__ = [
    "monthly_quantiles",
    "apply_empirical",
    "lead_time_demand",
    "lead_time_months",
    "lead_time_backtest",
]


def _quantiles(values: np.ndarray, level: int) -> tuple[float, float]:
    if len(values) == 0:
        return np.nan, np.nan
    a = (1 - level / 100) / 2
    lo, hi = np.quantile(values, [a, 1 - a], method="linear")
    return float(lo), float(hi)


def _recent(history: pd.DataFrame, months: int) -> pd.DataFrame:
    end = history.groupby("unique_id")["ds"].transform("max")
    return history[history["ds"] > end - pd.DateOffset(months=int(months))]


def monthly_quantiles(history: pd.DataFrame, level, window: int) -> pd.DataFrame:
    """Per series the empirical bounds of one month's demand over its last ``window`` months.

    Returns
    -------
    DataFrame
        ``unique_id`` and ``yhat_lo_<l>`` / ``yhat_hi_<l>`` for each level.
    """
    rows = []
    for uid, g in _recent(history, window).groupby("unique_id", sort=True):
        y = g["y"].to_numpy(float)
        row = {"unique_id": uid}
        for lv in level:
            row[f"yhat_lo_{lv}"], row[f"yhat_hi_{lv}"] = _quantiles(y, int(lv))
        rows.append(row)
    cols = ["unique_id"] + [f"yhat_{s}_{lv}" for lv in level for s in ("lo", "hi")]
    return pd.DataFrame(rows, columns=cols)


def apply_empirical(fc: pd.DataFrame, history: pd.DataFrame, ids, level, window: int):
    """``fc`` with the bounds of the series ``ids`` replaced by their empirical bounds.

    The bounds are widened where needed so that each holds the point forecast and the
    wider level holds the narrower one.
    """
    out = fc.copy()
    sel = out["unique_id"].isin(set(ids)).to_numpy()
    if not sel.any():
        return out
    q = monthly_quantiles(history[history["unique_id"].isin(set(ids))], level, window)
    q = q.set_index("unique_id")
    yhat = out.loc[sel, "yhat"].to_numpy(float)
    lo, hi = yhat.copy(), yhat.copy()
    for lv in sorted(int(v) for v in level):
        lo_q = out.loc[sel, "unique_id"].map(q[f"yhat_lo_{lv}"]).to_numpy(float)
        hi_q = out.loc[sel, "unique_id"].map(q[f"yhat_hi_{lv}"]).to_numpy(float)
        lo = np.fmin(lo, lo_q)
        hi = np.fmax(hi, hi_q)
        out.loc[sel, f"yhat_lo_{lv}"] = lo
        out.loc[sel, f"yhat_hi_{lv}"] = hi
    return out


def lead_time_months(lead_time_days: pd.Series) -> pd.Series:
    """Lead times in whole months (days ÷ 30.44, rounded up, at least 1)."""
    days = pd.to_numeric(lead_time_days, errors="coerce")
    return np.ceil(days / (365.25 / 12)).clip(lower=1).fillna(1).astype(int)


def lead_time_demand(history: pd.DataFrame, lead: pd.Series, level, window: int) -> pd.DataFrame:
    """Empirical distribution of each series' demand over its lead time.

    Parameters
    ----------
    history : DataFrame
        ``unique_id``, ``ds``, ``y``.
    lead : Series
        ``unique_id`` → lead time in months.
    level : sequence of int
    window : int
        Months of history the sums are taken from (the sums end inside them).

    Returns
    -------
    DataFrame
        ``unique_id``, ``lead_time_months``, ``sums`` (how many lead-time totals the
        quantiles rest on), ``mean_demand`` (their mean) and ``lo_<l>`` / ``hi_<l>``.
    """
    rows = []
    for uid, g in history.sort_values("ds").groupby("unique_id", sort=True):
        k = int(lead.get(uid, 1))
        y = g["y"].to_numpy(float)[-(int(window) + k - 1) :]
        sums = np.convolve(y, np.ones(k), mode="valid") if len(y) >= k else np.array([])
        row = {
            "unique_id": uid,
            "lead_time_months": k,
            "sums": len(sums),
            "mean_demand": float(sums.mean()) if len(sums) else np.nan,
        }
        for lv in level:
            row[f"lo_{lv}"], row[f"hi_{lv}"] = _quantiles(sums, int(lv))
        rows.append(row)
    cols = ["unique_id", "lead_time_months", "sums", "mean_demand"]
    cols += [f"{s}_{lv}" for lv in level for s in ("lo", "hi")]
    return pd.DataFrame(rows, columns=cols)


def lead_time_backtest(
    history: pd.DataFrame, origins, lead: pd.Series, level, window: int
) -> pd.DataFrame:
    """Coverage check of :func:`lead_time_demand` at past origins.

    At each origin the intervals come from the history up to it; the actual is the demand
    of the ``lead`` months after it (origins whose lead time is not over yet are left out).

    Returns
    -------
    DataFrame
        ``unique_id``, ``origin``, ``lead_time_months``, ``actual`` and the bounds.
    """
    month = history["ds"].dt.year * 12 + history["ds"].dt.month
    end = int(month.max())
    parts = []
    for origin in to_datetime(pd.Series(list(origins))):
        at = origin.year * 12 + origin.month
        past = history[month <= at]
        if past.empty:
            continue
        q = lead_time_demand(past, lead, level, window)
        k = history["unique_id"].map(q.set_index("unique_id")["lead_time_months"])
        inside = (month > at) & (month <= at + k.fillna(0))
        actual = history[inside].groupby("unique_id")["y"].sum()
        q = q[(q["lead_time_months"] + at <= end) & (q["sums"] > 0)].assign(origin=origin)
        q["actual"] = q["unique_id"].map(actual).fillna(0.0)
        parts.append(q)
    cols = ["unique_id", "origin", "lead_time_months", "actual"]
    cols += [f"{s}_{lv}" for lv in level for s in ("lo", "hi")]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
