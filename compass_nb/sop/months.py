"""Monthly buckets: period labels, plan months and monthly actuals from order lines.

Every S&OP table works in calendar months, keyed by a ``month`` column holding the
month's first day as a ``Timestamp``; cycles are labelled by their period ``YYYY-MM``.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.errors import ParameterError

DAYS_PER_MONTH = 365.25 / 12


def month_of(dates) -> pd.Series:
    """First day of the month of each date (or ``YYYY-MM`` label)."""
    return pd.to_datetime(pd.Series(dates)).dt.to_period("M").dt.to_timestamp()


def period_month(period: str) -> pd.Timestamp:
    """First day of a period ``YYYY-MM``; a malformed label raises ``ParameterError``."""
    try:
        return pd.Period(str(period), freq="M").to_timestamp()
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            f"period {period!r} is not a month; write it as YYYY-MM, e.g. 2026-10."
        ) from exc


def period_months(periods) -> pd.Series:
    """First day of each ``YYYY-MM`` label, vectorised; a malformed label raises ``ParameterError``."""
    labels = pd.Series(periods).astype(str)
    try:
        return pd.Series(pd.PeriodIndex(labels, freq="M").to_timestamp(), index=labels.index)
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            "a period column holds a value that is not a month; write periods as YYYY-MM, e.g. 2026-10."
        ) from exc


def period_label(month) -> str:
    """``YYYY-MM`` label of a month."""
    return pd.Timestamp(month).strftime("%Y-%m")


def plan_months(period: str, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` months after the cycle's period, first days."""
    if int(horizon) < 1:
        raise ParameterError(f"horizon must be at least 1 month, got {horizon!r}.")
    first = period_month(period) + pd.DateOffset(months=1)
    return pd.date_range(first, periods=int(horizon), freq="MS")


def months_between(start, end) -> pd.Series:
    """Whole months from ``start`` to ``end`` (both month-like)."""
    s = pd.to_datetime(pd.Series(start)).dt.to_period("M")
    e = pd.to_datetime(pd.Series(end)).dt.to_period("M")
    return (e.dt.year - s.dt.year) * 12 + (e.dt.month - s.dt.month)


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
