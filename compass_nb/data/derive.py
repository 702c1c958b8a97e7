"""Items derived from the orders, for a source that has orders but no ``products`` table.

A plain order-line export (a web shop's, an ERP's sales lines) names its items but says
nothing about their family, cost or lead time. Rather than refuse the whole S&OP chain,
Compass derives one row per SKU the orders name, as of each cycle's cut-off:

* ``family``: one family for every item (``products_from_orders.family``);
* ``unit_price``: the item's net revenue ÷ its units over the ``price_months`` before the
  cut-off (all its history up to the cut-off when it sold nothing in them; never below 0);
* ``unit_cost``: ``cost_share`` × that price;
* ``lead_time_days``: one lead time for every item;
* no launch or discontinue dates, lot sizes, MOQs or planners.

Each of these is an assumption, and every page that rests on it says so
(:func:`assumption`): margins and stock values follow from the assumed cost share, safety
stock from the assumed lead time, and no item is phased in or out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb.calendar import period_end

#: The tables that can be derived, and the table each is derived from.
DERIVABLE = {"products": "orders"}


@dataclass(frozen=True)
class ProductsFromOrders:
    """The ``products_from_orders`` parameters (defaults in ``parameters/default.yaml``)."""

    family: str
    cost_share: float
    lead_time_days: float
    price_months: int

    @classmethod
    def from_params(cls, values: dict) -> ProductsFromOrders:
        """From the merged ``products_from_orders`` section."""
        return cls(
            family=str(values["family"]),
            cost_share=float(values["cost_share"]),
            lead_time_days=float(values["lead_time_days"]),
            price_months=int(values["price_months"]),
        )


def derived_tables(wanted: list[str], available: set[str]) -> list[str]:
    """The tables of ``wanted`` the source lacks but can be derived from tables it holds."""
    return [
        t
        for t, base in DERIVABLE.items()
        if t in wanted and t not in available and base in available
    ]


def products_sql(orders_view: str, period: str, spec: ProductsFromOrders) -> str:
    """SQL of the derived ``products`` rows from the orders visible at ``period``'s cut-off.

    The columns and types are the clean ``products`` table's (see the module docstring).
    """
    end = period_end(period)
    start = (end - pd.DateOffset(months=spec.price_months) + pd.Timedelta(days=1)).date()
    recent = f"order_date >= DATE '{start.isoformat()}'"
    family = spec.family.replace("'", "''")
    return f"""
        SELECT sku, '{family}' AS family, CAST(NULL AS VARCHAR) AS category,
               price * {spec.cost_share!r} AS unit_cost, price AS unit_price,
               CAST({spec.lead_time_days!r} AS DOUBLE) AS lead_time_days,
               CAST(NULL AS DOUBLE) AS lead_time_sd_days, CAST(NULL AS DOUBLE) AS service_level,
               CAST(NULL AS DATE) AS launch_date, CAST(NULL AS DATE) AS discontinue_date,
               CAST(NULL AS DOUBLE) AS lot_size, CAST(NULL AS DOUBLE) AS moq,
               CAST(NULL AS VARCHAR) AS planner
        FROM (
            SELECT sku, greatest(coalesce(
                sum(net_revenue) FILTER (WHERE {recent})
                    / nullif(sum(quantity) FILTER (WHERE {recent}), 0),
                sum(net_revenue) / nullif(sum(quantity), 0),
                0), 0) AS price,
                min(order_date) AS first_order
            FROM {orders_view}
            GROUP BY sku
        )
        ORDER BY first_order, sku
    """


def assumption(spec: ProductsFromOrders, items: int | None = None) -> str:
    """The assumption a page states when its items were derived from the orders."""
    count = f"the {items:,} items" if items is not None else "the items"
    return (
        f"no products table: {count} are derived from the orders — one family "
        f"'{spec.family}', unit price = net revenue ÷ units over the last "
        f"{spec.price_months} months, unit cost {spec.cost_share:.0%} of it (so margins and "
        f"stock values are assumed), lead time {spec.lead_time_days:g} days, and no launch or "
        "discontinue dates"
    )
