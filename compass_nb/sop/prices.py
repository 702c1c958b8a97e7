"""The net price the plan is valued at: what a unit really brought in, not the list price.

Each SKU's net price is its trailing net revenue per unit over the ``window`` months up to
the cycle (orders book net revenue: discounts, promotions and rebates included). A SKU
without sales in the window takes its family's net-to-list ratio over the same months
times its own list price; a SKU whose family sold nothing either keeps its list price,
flagged, so the reader knows that part of the plan is valued at list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import month_of

SOURCES = ("sku", "family", "list")


def net_prices(
    orders: pd.DataFrame, products: pd.DataFrame, last_month, *, window: int
) -> pd.DataFrame:
    """Net price per SKU with where it came from.

    Parameters
    ----------
    orders
        Order lines (``order_date``, ``sku``, ``quantity``, ``net_revenue``).
    products
        ``sku``, ``family``, ``unit_price`` (list), ``unit_cost``.
    last_month
        The cycle's month (first day); the window ends with it.
    window
        Months of orders behind each price.

    Returns
    -------
    pandas.DataFrame
        ``sku``, ``family``, ``unit_price``, ``unit_cost``, ``net_price``, ``price_source``
        (``sku``, ``family`` or ``list``) and ``net_to_list`` (net price ÷ list price).

    Examples
    --------
    >>> o = pd.DataFrame({"order_date": ["2026-10-03"], "sku": ["A"], "quantity": [4],
    ...                   "net_revenue": [36.0]})
    >>> p = pd.DataFrame({"sku": ["A", "B"], "family": ["F", "F"], "unit_price": [10.0, 20.0],
    ...                   "unit_cost": [5.0, 9.0]})
    >>> net_prices(o, p, pd.Timestamp("2026-10-01"), window=12)[["sku", "net_price", "price_source"]].values.tolist()
    [['A', 9.0, 'sku'], ['B', 18.0, 'family']]
    """
    items = products.drop_duplicates("sku")[["sku", "family", "unit_price", "unit_cost"]].copy()
    items = items.astype({"unit_price": float, "unit_cost": float})
    last = pd.Timestamp(last_month)
    first = last - pd.DateOffset(months=int(window) - 1)
    if orders is None or orders.empty:
        recent = pd.DataFrame(columns=["sku", "quantity", "net_revenue"])
    else:
        month = month_of(orders["order_date"]).to_numpy()
        recent = orders.loc[(month >= first) & (month <= last), ["sku", "quantity", "net_revenue"]]
    recent = recent.astype({"quantity": float, "net_revenue": float})
    sold = recent.groupby("sku")[["quantity", "net_revenue"]].sum()
    sold = sold[(sold["quantity"] > 0) & (sold["net_revenue"] > 0)]
    items = items.merge(sold, left_on="sku", right_index=True, how="left")
    items["list_value"] = items["quantity"] * items["unit_price"]
    family = items.groupby("family")[["net_revenue", "list_value"]].sum(min_count=1)
    ratio = (family["net_revenue"] / family["list_value"].where(family["list_value"] > 0)).rename(
        "family_ratio"
    )
    items = items.merge(ratio, left_on="family", right_index=True, how="left")
    own = (items["net_revenue"] / items["quantity"]).astype(float)
    by_family = (items["unit_price"] * items["family_ratio"]).astype(float)
    items["price_source"] = np.select(
        [own.notna(), by_family.notna()], ["sku", "family"], default="list"
    )
    items["net_price"] = own.fillna(by_family).fillna(items["unit_price"]).astype(float)
    items["net_to_list"] = items["net_price"] / items["unit_price"].where(items["unit_price"] > 0)
    columns = ["sku", "family", "unit_price", "unit_cost", "net_price", "price_source"]
    return items[[*columns, "net_to_list"]].reset_index(drop=True)
