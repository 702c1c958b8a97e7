"""The supply plan: unconstrained requirements, the constrained plan and its projection.

:func:`supply_plan` chains the steps of 03: net requirements against safety stock,
rough-cut load, the capacity-constrained production and the projected inventory of
the constrained plan. Scenarios (04) call it again with other demand or capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb.calendar import DAYS_PER_MONTH, period_months
from compass_nb.sop.capacity import (
    capacity_by_month,
    constrained_production,
    family_capacity,
    rough_cut_load,
)
from compass_nb.sop.inventory import KEYS, net_requirements, projected_inventory


@dataclass
class SupplyPlan:
    """The tables of one supply plan.

    ``plan``: one row per family × SKU × location × month with ``demand``, ``receipts``,
    ``requirement`` (unconstrained production), ``production`` (constrained), the
    projection columns of :func:`~compass_nb.sop.inventory.projected_inventory`,
    ``shortfall`` (requirement not covered on time), prices, ``revenue``, ``margin``,
    ``unmet_revenue`` and ``inventory_value``. ``load``: per resource × family × month,
    the unconstrained load (``load_units``, ``utilisation``) and the constrained one
    (``planned_units``, ``planned_utilisation``) against ``capacity_units``. ``capacity``: capacity by resource × family × month as planned.
    """

    plan: pd.DataFrame
    load: pd.DataFrame
    capacity: pd.DataFrame


def receipts_by_month(receipts: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Scheduled receipts per SKU × location × plan month."""
    if receipts is None or receipts.empty:
        return pd.DataFrame(
            {"sku": [], "location": [], "month": pd.DatetimeIndex([]), "receipts": []}
        )
    r = receipts.assign(month=period_months(receipts["period"]).to_numpy())
    r = r[r["month"].isin(months)]
    return r.groupby(KEYS + ["month"], as_index=False).agg(receipts=("quantity", "sum"))


def plan_prices(products: pd.DataFrame) -> pd.DataFrame:
    """``sku``, ``unit_price`` (list), ``net_price`` (list where none), ``unit_cost``."""
    p = products.drop_duplicates("sku")
    net = p["net_price"] if "net_price" in p else p["unit_price"]
    return pd.DataFrame(
        {
            "sku": p["sku"].to_numpy(),
            "unit_price": p["unit_price"].astype(float).to_numpy(),
            "net_price": net.astype(float).to_numpy(),
            "unit_cost": p["unit_cost"].astype(float).to_numpy(),
        }
    )


def _demand_frame(demand: pd.DataFrame, prices: pd.DataFrame, receipts, months) -> pd.DataFrame:
    df = demand[["family", "sku", "location", "month", "demand"]].copy()
    df = df[df["month"].isin(months)]
    # every SKU × location gets every plan month, so the balance runs without gaps
    grid = (
        df[["family", "sku", "location"]]
        .drop_duplicates()
        .merge(pd.DataFrame({"month": months}), how="cross")
    )
    df = grid.merge(df, how="left").fillna({"demand": 0.0})
    df = df.merge(receipts_by_month(receipts, months), on=KEYS + ["month"], how="left").fillna(
        {"receipts": 0.0}
    )
    return df.merge(plan_prices(prices), on="sku", how="left").fillna(
        {"unit_price": 0.0, "net_price": 0.0, "unit_cost": 0.0}
    )


def _with_life(df: pd.DataFrame, safety: pd.DataFrame, life: pd.DataFrame | None) -> pd.DataFrame:
    """Add ``producible`` and the row's ``safety_stock`` (0 where stock is not held)."""
    if life is None or life.empty:
        df = df.assign(producible=True, hold_stock=True)
    else:
        flags = life[["sku", "month", "producible", "hold_stock"]]
        df = df.merge(flags, on=["sku", "month"], how="left")
        df = df.fillna({"producible": True, "hold_stock": True})
        df = df.astype({"producible": bool, "hold_stock": bool})
    on = KEYS + ["month"] if "month" in safety else KEYS
    df = df.merge(safety[on + ["safety_stock"]], on=on, how="left").fillna({"safety_stock": 0.0})
    df["safety_stock"] = df["safety_stock"].where(df["hold_stock"], 0.0)
    return df.drop(columns="hold_stock")


def supply_plan(
    demand: pd.DataFrame,
    opening: pd.DataFrame,
    safety: pd.DataFrame,
    capacity: pd.DataFrame,
    receipts: pd.DataFrame,
    products: pd.DataFrame,
    months: pd.DatetimeIndex,
    *,
    priority: str = "margin",
    max_cover_months: float = 6.0,
    life: pd.DataFrame | None = None,
) -> SupplyPlan:
    """Plan supply against demand within capacity.

    Parameters
    ----------
    demand
        ``family``, ``sku``, ``location``, ``month``, ``demand`` (the consensus quantity).
    opening
        ``sku``, ``location``, ``on_hand`` before the first plan month.
    safety
        ``sku``, ``location`` (and ``month``, when it changes), ``safety_stock``.
    capacity
        Capacity by month (:func:`~compass_nb.sop.capacity.capacity_by_month`, possibly
        changed by a scenario) or the raw ``capacity`` input table (with ``period``).
    receipts
        The ``receipts`` input table (``period``, ``sku``, ``location``, ``quantity``).
    products
        ``sku``, ``unit_price`` (list), ``net_price`` (the plan's value; list when absent),
        ``unit_cost``.
    months
        Plan months in order.
    priority
        Allocation rule when capacity is short (see :mod:`compass_nb.sop.capacity`).
    max_cover_months
        Cover above which stock is excess.
    life
        :func:`compass_nb.sop.lifecycle.life_shares` (``producible``, ``hold_stock``):
        nothing is made outside an item's life and no safety stock is held before its
        launch or in its last month; ``None`` = every item active.
    """
    months = pd.DatetimeIndex(months)
    if "month" not in capacity.columns:
        capacity = capacity_by_month(capacity, months)
    df = _demand_frame(demand, products, receipts, months)
    df = _with_life(df, safety, life).sort_values(KEYS + ["month"]).reset_index(drop=True)
    df["requirement"] = net_requirements(df, opening, safety).to_numpy()
    family_load = df.groupby(["family", "month"], as_index=False).agg(load=("requirement", "sum"))
    production, on_time = constrained_production(
        df, family_capacity(capacity), months, priority=priority
    )
    df = df.merge(production, on=KEYS + ["month"], how="left").merge(
        on_time, on=KEYS + ["month"], how="left"
    )
    df = df.fillna({"production": 0.0, "on_time": 0.0})
    df["shortfall"] = (df["requirement"] - df["on_time"]).clip(lower=0.0)
    plan = projected_inventory(
        df.drop(columns="on_time"), opening, safety, max_cover_months=max_cover_months
    )
    plan["revenue"] = plan["met"] * plan["net_price"]
    plan["margin"] = plan["met"] * (plan["net_price"] - plan["unit_cost"])
    plan["unmet_revenue"] = plan["unmet"] * plan["net_price"]
    plan["inventory_value"] = plan["on_hand"] * plan["unit_cost"]
    constrained = plan.groupby(["family", "month"], as_index=False).agg(
        production=("production", "sum")
    )
    load = rough_cut_load(capacity, family_load, "load")
    made = rough_cut_load(capacity, constrained, "production")
    load["planned_units"] = made["load_units"].to_numpy()
    load["planned_utilisation"] = made["utilisation"].to_numpy()
    return SupplyPlan(plan=plan, load=load, capacity=capacity)


def plan_settings(
    plan: pd.DataFrame, *, priority: str, max_cover_months: float, capacity_lead_months: int = 0
) -> pd.DataFrame:
    """The supply plan as stored: the plan rows with the settings that made it.

    Scenarios re-run the plan from this table (:func:`inputs_from_plan`), so they use the
    same safety stocks, opening stock, receipts and allocation rule as step 03; the
    pre-S&OP review takes the lead time to add capacity from it too.
    """
    return plan.assign(
        priority=priority,
        max_cover_months=float(max_cover_months),
        capacity_lead_months=int(capacity_lead_months),
    )


def inputs_from_plan(stored: pd.DataFrame) -> dict:
    """Arguments of :func:`supply_plan` (all but demand and capacity) from a stored plan."""
    rows = stored.sort_values(KEYS + ["month"])
    first = rows.groupby(KEYS, as_index=False).first()
    receipts = rows.loc[rows["receipts"] > 0, KEYS + ["month", "receipts"]]
    life = rows[["sku", "month", "producible"]].drop_duplicates(["sku", "month"])
    return {
        "opening": first[KEYS].assign(on_hand=first["opening"].to_numpy()),
        "safety": rows[KEYS + ["month", "safety_stock"]],
        "products": plan_prices(rows),
        "life": life.assign(hold_stock=True),
        "receipts": receipts.assign(period=receipts["month"].dt.strftime("%Y-%m")).rename(
            columns={"receipts": "quantity"}
        ),
        "months": pd.DatetimeIndex(sorted(rows["month"].unique())),
        "priority": str(rows["priority"].iloc[0]),
        "max_cover_months": float(rows["max_cover_months"].iloc[0]),
    }


def family_summary(plan: pd.DataFrame) -> pd.DataFrame:
    """Unconstrained against constrained plan per family over the horizon.

    Returns ``family``, ``demand``, ``requirement`` (unconstrained production),
    ``production`` (constrained), ``met``, ``unmet``, ``unmet_revenue``, ``fill_rate``,
    ``average_inventory_value``.
    """
    months = max(plan["month"].nunique(), 1)
    out = plan.groupby("family", as_index=False).agg(
        demand=("demand", "sum"),
        requirement=("requirement", "sum"),
        production=("production", "sum"),
        met=("met", "sum"),
        unmet=("unmet", "sum"),
        unmet_revenue=("unmet_revenue", "sum"),
        inventory=("inventory_value", "sum"),
    )
    out["fill_rate"] = out["met"] / out["demand"].where(out["demand"] > 0)
    out["average_inventory_value"] = out.pop("inventory") / months
    return out


def inventory_by_family(plan: pd.DataFrame) -> pd.DataFrame:
    """Projected on-hand against safety stock and maximum cover, backlog, days of supply and
    excess per family × month (units; ``inventory_value`` at cost)."""
    out = plan.groupby(["family", "month"], as_index=False).agg(
        opening=("opening", "sum"),
        receipts=("receipts", "sum"),
        production=("production", "sum"),
        demand=("demand", "sum"),
        closing=("closing", "sum"),
        on_hand=("on_hand", "sum"),
        safety_stock=("safety_stock", "sum"),
        backlog=("backlog", "sum"),
        excess=("excess", "sum"),
        max_stock=("max_stock", "sum"),
        inventory_value=("inventory_value", "sum"),
        below_safety_stock=("below_safety_stock", "sum"),
    )
    ahead = (
        plan.groupby(["family", "month"])["demand"]
        .sum()
        .groupby(level=0)
        .transform(
            lambda s: s[::-1].shift(1).rolling(3, min_periods=1).mean()[::-1].fillna(s.mean())
        )
    )
    out["days_of_supply"] = (out["on_hand"] / (ahead.to_numpy() / DAYS_PER_MONTH)).where(
        ahead.to_numpy() > 0
    )
    return out
