"""Monthly actuals from order lines (the calendar itself: :mod:`compass_nb.calendar`).

Every S&OP table works in calendar months, keyed by a ``month`` column holding the
month's first day as a ``Timestamp``; cycles are labelled by their period ``YYYY-MM``.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import month_of


def monthly_actuals(orders: pd.DataFrame) -> pd.DataFrame:
    """Ordered quantity and net revenue per SKU × location × month.

    Parameters
    ----------
    orders
        Order lines with ``order_date``, ``sku``, ``location``, ``quantity``, ``net_revenue``.

    Returns
    -------
    pandas.DataFrame
        Columns ``sku``, ``location``, ``month``, ``actual``, ``actual_revenue``.
    """
    df = orders.assign(month=month_of(orders["order_date"]).to_numpy())
    out = df.groupby(["sku", "location", "month"], as_index=False).agg(
        actual=("quantity", "sum"), actual_revenue=("net_revenue", "sum")
    )
    return out.astype({"actual": float, "actual_revenue": float})


def complete_months(actuals: pd.DataFrame, last_month, window: int | None = None) -> pd.DataFrame:
    """Actuals on a full month grid per SKU × location, zeros where nothing was ordered.

    Each series runs from its first order month (or ``window`` months before
    ``last_month``, whichever is later) to ``last_month``.
    """
    last = pd.Timestamp(last_month)
    df = actuals[actuals["month"] <= last]
    if window:
        df = df[df["month"] > last - pd.DateOffset(months=int(window))]
    if df.empty:
        return pd.DataFrame(columns=["sku", "location", "month", "actual"])
    firsts = df.groupby(["sku", "location"])["month"].min()
    frames = [
        pd.DataFrame({"sku": s, "location": loc, "month": pd.date_range(first, last, freq="MS")})
        for (s, loc), first in firsts.items()
    ]
    grid = pd.concat(frames, ignore_index=True)
    out = grid.merge(df[["sku", "location", "month", "actual"]], how="left")
    return out.fillna({"actual": 0.0})
