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


def _demand_frame(demand: pd.DataFrame, products: pd.DataFrame, receipts, months) -> pd.DataFrame:
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
    prices = products[["sku", "unit_price", "unit_cost"]].drop_duplicates("sku")
    return df.merge(prices, on="sku", how="left").fillna({"unit_price": 0.0, "unit_cost": 0.0})


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
) -> SupplyPlan:
    """Plan supply against demand within capacity.

    Parameters
    ----------
    demand
        ``family``, ``sku``, ``location``, ``month``, ``demand`` (the consensus quantity).
    opening
        ``sku``, ``location``, ``on_hand`` before the first plan month.
    safety
        ``sku``, ``location``, ``safety_stock``.
    capacity
        Capacity by month (:func:`~compass_nb.sop.capacity.capacity_by_month`, possibly
        changed by a scenario) or the raw ``capacity`` input table (with ``period``).
    receipts
        The ``receipts`` input table (``period``, ``sku``, ``location``, ``quantity``).
    products
        ``sku``, ``unit_price``, ``unit_cost``.
    months
        Plan months in order.
    priority
        Allocation rule when capacity is short (see :mod:`compass_nb.sop.capacity`).
    max_cover_months
        Cover above which stock is excess.
    """
    months = pd.DatetimeIndex(months)
    if "month" not in capacity.columns:
        capacity = capacity_by_month(capacity, months)
    df = (
        _demand_frame(demand, products, receipts, months)
        .sort_values(KEYS + ["month"])
        .reset_index(drop=True)
    )
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
    plan["revenue"] = plan["met"] * plan["unit_price"]
    plan["margin"] = plan["met"] * (plan["unit_price"] - plan["unit_cost"])
    plan["unmet_revenue"] = plan["unmet"] * plan["unit_price"]
    plan["inventory_value"] = plan["on_hand"] * plan["unit_cost"]
    constrained = plan.groupby(["family", "month"], as_index=False).agg(
        production=("production", "sum")
    )
    load = rough_cut_load(capacity, family_load, "load")
    made = rough_cut_load(capacity, constrained, "production")
    load["planned_units"] = made["load_units"].to_numpy()
    load["planned_utilisation"] = made["utilisation"].to_numpy()
    return SupplyPlan(plan=plan, load=load, capacity=capacity)


def plan_settings(plan: pd.DataFrame, *, priority: str, max_cover_months: float) -> pd.DataFrame:
    """The supply plan as stored: the plan rows with the settings that made it.

    Scenarios re-run the plan from this table (:func:`inputs_from_plan`), so they use the
    same safety stocks, opening stock, receipts and allocation rule as step 03.
    """
    return plan.assign(priority=priority, max_cover_months=float(max_cover_months))


def inputs_from_plan(stored: pd.DataFrame) -> dict:
    """Arguments of :func:`supply_plan` (all but demand, capacity and products) from a stored plan."""
    rows = stored.sort_values(KEYS + ["month"])
    first = rows.groupby(KEYS, as_index=False).first()
    receipts = rows.loc[rows["receipts"] > 0, KEYS + ["month", "receipts"]]
    return {
        "opening": first[KEYS].assign(on_hand=first["opening"].to_numpy()),
        "safety": first[KEYS + ["safety_stock"]],
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
    """Projected on-hand, safety stock, backlog, days of supply and excess per family × month."""
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
