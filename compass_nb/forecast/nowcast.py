"""Nowcast of the open month from its month-to-date orders.

The month-to-date quantity is scaled up by the share of a normal month's demand that
the elapsed days usually carry (weekday pattern from history, or the share of days),
and blended with the forecast: the more of the month has passed, the more the run-rate
counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["weekday_weights", "elapsed_share", "nowcast"]


def weekday_weights(daily_orders: pd.DataFrame) -> np.ndarray:
    """Relative demand by weekday (Monday = 0), mean 1, from daily order history."""
    d = daily_orders.assign(order_date=pd.to_datetime(daily_orders["order_date"]))
    per_day = d.groupby("order_date")["quantity"].sum()
    full = per_day.reindex(pd.date_range(per_day.index.min(), per_day.index.max()), fill_value=0)
    w = full.groupby(full.index.weekday).mean().reindex(range(7), fill_value=0).to_numpy(float)
    return w / w.mean() if w.mean() > 0 else np.ones(7)


def elapsed_share(month_start: pd.Timestamp, as_of: pd.Timestamp, weights=None) -> float:
    """Share of the month's expected demand falling on days up to ``as_of`` (inclusive)."""
    days = pd.date_range(month_start, month_start + pd.offsets.MonthEnd(0))
    w = np.ones(7) if weights is None else np.asarray(weights, float)
    per_day = w[days.weekday]
    return float(per_day[days <= as_of].sum() / per_day.sum()) if per_day.sum() > 0 else 0.0


def nowcast(
    forecast: pd.DataFrame, mtd_orders: pd.DataFrame, month: str, as_of=None, weights=None
) -> pd.DataFrame:
    """Nowcast of ``month`` for every series.

    Parameters
    ----------
    forecast : DataFrame
        ``unique_id`` and ``yhat`` of the month (one row per series).
    mtd_orders : DataFrame
        Month-to-date orders: ``order_date``, ``unique_id``, ``quantity``.
    month : str
        ``YYYY-MM``.
    as_of : Timestamp, optional
        The last day with orders; default the latest order date in ``mtd_orders``.
    weights : array of 7, optional
        Weekday weights (:func:`weekday_weights`); default flat.

    Returns
    -------
    DataFrame
        ``unique_id``, ``forecast``, ``mtd``, ``share_elapsed``, ``run_rate`` (mtd / share)
        and ``nowcast`` (share × run_rate + (1 − share) × forecast).
    """
    start = pd.Period(month, freq="M").to_timestamp()
    mtd = mtd_orders.assign(order_date=pd.to_datetime(mtd_orders["order_date"]))
    mtd = mtd[(mtd["order_date"] >= start) & (mtd["order_date"] <= start + pd.offsets.MonthEnd(0))]
    as_of = (
        pd.Timestamp(as_of)
        if as_of is not None
        else (mtd["order_date"].max() if len(mtd) else start - pd.Timedelta(days=1))
    )
    share = elapsed_share(start, as_of, weights)
    got = mtd.groupby("unique_id")["quantity"].sum()
    out = forecast[["unique_id", "yhat"]].rename(columns={"yhat": "forecast"}).copy()
    out["mtd"] = out["unique_id"].map(got).fillna(0.0)
    out["share_elapsed"] = share
    out["run_rate"] = out["mtd"] / share if share > 0 else np.nan
    out["nowcast"] = (
        out["forecast"] if share <= 0 else share * out["run_rate"] + (1 - share) * out["forecast"]
    )
    return out
