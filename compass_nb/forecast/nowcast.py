"""Nowcast of the open month from its month-to-date orders.

The month-to-date quantity is scaled up by the share of a normal month's demand that
the elapsed days usually carry (weekday pattern from history, or the share of days),
and blended with the forecast: the more of the month has passed, the more the run-rate
counts. Gaps between nowcast and forecast are ranked by their size in money (units at
each SKU's net revenue per unit), the largest first, so that a 3-unit series never leads
because its percent gap is large.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

__all__ = ["weekday_weights", "elapsed_share", "nowcast", "net_unit_prices", "ranked_gaps"]


def weekday_weights(daily_orders: pd.DataFrame) -> np.ndarray:
    """Relative demand by weekday (Monday = 0), mean 1, from daily order history."""
    d = daily_orders.assign(order_date=to_datetime(daily_orders["order_date"]))
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
    mtd = mtd_orders.assign(order_date=to_datetime(mtd_orders["order_date"]))
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


def net_unit_prices(orders: pd.DataFrame, products: pd.DataFrame, months: int = 12) -> pd.Series:
    """Each SKU's net revenue per unit over the last ``months`` months of orders.

    Falls back to ``products.unit_price`` for a SKU without orders (or without
    ``net_revenue``) in the window.
    """
    list_price = products.drop_duplicates("sku").set_index("sku")["unit_price"].astype(float)
    if orders.empty or "net_revenue" not in orders:
        return list_price
    day = to_datetime(orders["order_date"])
    recent = orders[day > day.max() - pd.DateOffset(months=int(months))]
    g = recent.groupby("sku")[["net_revenue", "quantity"]].sum()
    net = (g["net_revenue"] / g["quantity"].where(g["quantity"] > 0)).dropna()
    return net.combine_first(list_price)


def ranked_gaps(now: pd.DataFrame, prices: pd.Series) -> pd.DataFrame:
    """The nowcast beside the forecast, ranked by the absolute gap in money.

    Parameters
    ----------
    now : DataFrame
        :func:`nowcast`'s output with ``sku``, ``location``, ``family``, ``month``.
    prices : Series
        SKU → price per unit (:func:`net_unit_prices`).

    Returns
    -------
    DataFrame
        ``unique_id``, ``sku``, ``location``, ``family``, ``month``, ``forecast``, ``mtd``,
        ``share_elapsed``, ``nowcast``, ``gap_units`` (nowcast − forecast),
        ``gap_value`` (at the price), ``rank_units`` and ``rank_value`` (1 = largest
        absolute gap), sorted by ``rank_value``.
    """
    cols = ["unique_id", "sku", "location", "family", "month", "forecast", "mtd"]
    cols += ["share_elapsed", "nowcast", "gap_units", "gap_value", "rank_units", "rank_value"]
    if now.empty:
        return pd.DataFrame(columns=cols)
    out = now.copy()
    out["gap_units"] = out["nowcast"] - out["forecast"]
    out["gap_value"] = out["gap_units"] * out["sku"].map(prices).astype(float).fillna(0.0)
    out["rank_units"] = out["gap_units"].abs().rank(ascending=False, method="first").astype(int)
    out["rank_value"] = out["gap_value"].abs().rank(ascending=False, method="first").astype(int)
    return out.sort_values("rank_value")[cols].reset_index(drop=True)
