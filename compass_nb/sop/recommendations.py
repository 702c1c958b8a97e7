"""Recommendations: actions that close a gap, valued net of what they cost.

**Capacity.** For each gap of the base plan (a family's consecutive months of demand not
served in its month) the candidate action is extra capacity on the family's bottleneck
resource — a shift, overtime or a subcontractor — sized to the gap, capped at
``max_increase``, and starting no earlier than the lead time it takes to add capacity
allows (``earliest``); a gap that ends before then cannot be closed by capacity and is
reported as such. Two windows are tried — the gap's own months, and from the earliest
month capacity can be added, so that the plan builds ahead — and the better one by net
value is kept. The plan is re-run with the change:

* gross value = the margin (at net price) it recovers;
* cost = the added capacity (units) × its cost per unit (``capacity.cost_per_unit``, else
  a share of the family's unit cost) + the carrying cost of any extra stock it builds
  (``holding_rate`` a year on the change in average inventory value);
* net value = gross − cost; cash = recovered margin − capacity cost − the change in the
  inventory value at the end of the horizon.

**Inventory.** Stock above the maximum cover that planned receipts or production still
feed: hold back that supply (at most the smallest excess of the run, so the stock never
drops below the maximum cover). Gross value = the carrying cost saved; no cost is
assumed for moving a receipt; cash = the stock not bought, at unit cost.

All recommendations are ranked together by net value.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.sop.capacity import family_capacity
from compass_nb.sop.supply import SupplyPlan

COLUMNS = [
    "rank",
    "kind",
    "gap_id",
    "family",
    "action",
    "resource",
    "first_month",
    "last_month",
    "capacity_change",
    "units",
    "recovered_revenue",
    "gross_value",
    "cost",
    "net_value",
    "fill_rate",
    "inventory_value",
    "cash",
    "gap_value",
    "share_of_gap_closed",
    "owner",
    "due",
]


def plan_figures(plan: SupplyPlan) -> dict[str, float]:
    """Margin, fill rate, average and ending inventory value of a supply plan."""
    p = plan.plan
    by_month = p.groupby("month")["inventory_value"].sum()
    demand = float(p["demand"].sum())
    return {
        "margin": float(p["margin"].sum()),
        "revenue": float(p["revenue"].sum()),
        "unmet": float(p["unmet"].sum()),
        "fill_rate": float(p["met"].sum()) / demand if demand > 0 else float("nan"),
        "inventory_value": float(by_month.mean()) if len(by_month) else 0.0,
        "end_inventory": float(by_month.iloc[-1]) if len(by_month) else 0.0,
        "months": float(max(len(by_month), 1)),
    }


def added_capacity_cost(
    capacity: pd.DataFrame, products: pd.DataFrame, *, default_share: float
) -> pd.DataFrame:
    """Cost of one unit of added capacity per resource × family.

    ``capacity.cost_per_unit`` (its mean over the periods given) where the table has it,
    else ``default_share`` × the family's mean unit cost. Returns ``resource``, ``family``,
    ``cost_per_unit``, ``cost_source`` (``capacity`` or ``default``).
    """
    if capacity is None or capacity.empty:
        return pd.DataFrame(columns=["resource", "family", "cost_per_unit", "cost_source"])
    given = capacity["cost_per_unit"] if "cost_per_unit" in capacity else np.nan
    c = capacity.assign(cost_per_unit=given)
    out = c.groupby(["resource", "family"], as_index=False)["cost_per_unit"].mean()
    unit_cost = products.drop_duplicates("sku").groupby("family")["unit_cost"].mean()
    fallback = out["family"].map(unit_cost) * default_share
    out["cost_source"] = np.where(out["cost_per_unit"].notna(), "capacity", "default")
    out["cost_per_unit"] = out["cost_per_unit"].fillna(fallback).fillna(0.0).astype(float)
    return out


def _bottleneck(capacity: pd.DataFrame, family: str, first, last) -> tuple[str, float] | None:
    """The resource limiting ``family`` most often in the months, and its capacity there."""
    caps = family_capacity(capacity)
    rows = caps[(caps["family"] == family) & caps["month"].between(first, last)]
    if rows.empty:
        return None
    resource = rows["bottleneck"].value_counts().sort_index().idxmax()
    units = capacity[
        (capacity["resource"] == resource)
        & (capacity["family"] == family)
        & capacity["month"].between(first, last)
    ]["capacity_units"].sum()
    return str(resource), float(units)


def _capacity_option(gap, first, base, replan, figures, costs, max_increase, holding_rate):
    """One capacity action for ``gap`` starting in ``first``, valued by re-running the plan.

    From the gap's own first month the action adds what the gap lacks in those months;
    from an earlier month it spreads the same units over more months, for the plan to
    build ahead (paying the carrying cost of that stock).
    """
    found = _bottleneck(base.capacity, gap.family, first, gap.last_month)
    if found is None:
        return None
    resource, capacity_units = found
    change = (
        min(max_increase, gap.gap_units / capacity_units) if capacity_units > 0 else max_increase
    )
    change = min(max(math.ceil(change * 100 - 1e-9) / 100, 0.01), max_increase)
    spec = [
        {
            "resource": resource,
            "change": change,
            "from": first.strftime("%Y-%m"),
            "to": gap.last_month.strftime("%Y-%m"),
        }
    ]
    after = plan_figures(replan(spec))
    added = capacity_units * change
    capacity_cost = added * float(costs.get((resource, gap.family), 0.0))
    carrying = (
        (after["inventory_value"] - figures["inventory_value"])
        * holding_rate
        * figures["months"]
        / 12.0
    )
    gross = after["margin"] - figures["margin"]
    return {
        "kind": "capacity",
        "gap_id": gap.gap_id,
        "family": gap.family,
        "action": (
            f"add {change:.0%} capacity on {resource} for {gap.family}, "
            f"{first:%Y-%m} to {gap.last_month:%Y-%m} ({added:,.0f} units)"
        ),
        "resource": resource,
        "first_month": first,
        "last_month": gap.last_month,
        "capacity_change": change,
        "units": figures["unmet"] - after["unmet"],
        "recovered_revenue": after["revenue"] - figures["revenue"],
        "gross_value": gross,
        "cost": capacity_cost + carrying,
        "net_value": gross - capacity_cost - carrying,
        "fill_rate": after["fill_rate"],
        "inventory_value": after["inventory_value"],
        "cash": gross - capacity_cost - (after["end_inventory"] - figures["end_inventory"]),
        "gap_value": float(gap.revenue_at_risk),
    }


def rank_recommendations(
    gaps: pd.DataFrame,
    base: SupplyPlan,
    replan: Callable[[list[dict]], SupplyPlan],
    *,
    max_increase: float,
    limit: int,
    earliest,
    lead_months: int,
    unit_costs: pd.DataFrame,
    holding_rate: float,
    resource_owner: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Value a capacity action per gap, net of its cost, and rank them (see the module docstring).

    Parameters
    ----------
    gaps
        :func:`compass_nb.sop.gaps.gap_periods` of the base plan.
    base
        The base supply plan.
    replan
        Re-runs the base plan with a list of capacity changes and returns the new plan.
    max_increase
        Largest capacity increase proposed on one resource (fraction).
    limit
        Number of gaps (largest revenue at risk first) to value.
    earliest
        The first month capacity can be added in (first plan month + the lead time).
    lead_months
        That lead time in months (a decision is due that many months before the action).
    unit_costs
        :func:`added_capacity_cost`.
    holding_rate
        Yearly carrying cost of inventory, as a share of its value.
    resource_owner
        Owner per resource.

    Returns
    -------
    (recommendations, out_of_reach)
        The ranked :data:`COLUMNS`; and the gaps no capacity action can reach in time
        (``gap_id``, ``family``, ``last_month``, ``revenue_at_risk``).
    """
    rows, late = [], []
    figures = plan_figures(base)
    earliest = pd.Timestamp(earliest)
    costs = unit_costs.set_index(["resource", "family"])["cost_per_unit"] if len(unit_costs) else {}
    for gap in gaps.head(limit).itertuples():
        if gap.last_month < earliest:
            late.append((gap.gap_id, gap.family, gap.last_month, gap.revenue_at_risk))
            continue
        starts = sorted({max(gap.first_month, earliest), earliest})
        options = [
            _capacity_option(gap, first, base, replan, figures, costs, max_increase, holding_rate)
            for first in starts
        ]
        options = [o for o in options if o is not None]
        if not options:
            continue
        best = max(options, key=lambda o: o["net_value"])
        best["owner"] = str(resource_owner.get(best["resource"], "unassigned"))
        best["due"] = best["first_month"] - pd.DateOffset(months=int(lead_months))
        rows.append(best)
    out = pd.DataFrame(
        rows, columns=[c for c in COLUMNS if c not in ("rank", "share_of_gap_closed")]
    )
    out["share_of_gap_closed"] = (
        out["recovered_revenue"] / out["gap_value"].where(out["gap_value"] > 0)
    ).clip(upper=1.0)
    reach = pd.DataFrame(late, columns=["gap_id", "family", "last_month", "revenue_at_risk"])
    return ranked(out), reach


def ranked(recommendations: pd.DataFrame) -> pd.DataFrame:
    """Recommendations sorted by net value, largest first, with ``rank`` 1..n."""
    out = recommendations.sort_values("net_value", ascending=False, kind="stable").reset_index(
        drop=True
    )
    out["rank"] = range(1, len(out) + 1)
    return out[COLUMNS]


def excess_recommendations(
    plan: pd.DataFrame,
    *,
    holding_rate: float,
    limit: int,
    first_month,
    item_owner: pd.Series,
    base_fill: float,
    base_inventory: float,
) -> pd.DataFrame:
    """Hold back supply that feeds stock above the maximum cover (see the module docstring).

    ``plan`` is ``SupplyPlan.plan`` (with ``lead_time_months`` for the due month). One
    action per SKU × location run of months with excess that planned receipts or
    production feed.
    """
    x = plan[plan["excess"] > 1e-6].sort_values(["sku", "location", "month"])
    if x.empty:
        return pd.DataFrame(columns=COLUMNS)
    month_no = x["month"].dt.year * 12 + x["month"].dt.month
    new_run = (
        (month_no.diff() != 1)
        | (x["sku"] != x["sku"].shift())
        | (x["location"] != x["location"].shift())
    )
    x = x.assign(_run=new_run.cumsum())
    runs = x.groupby("_run").agg(
        family=("family", "first"),
        sku=("sku", "first"),
        location=("location", "first"),
        first_month=("month", "min"),
        last_month=("month", "max"),
        smallest=("excess", "min"),
        months=("month", "size"),
        cost=("unit_cost", "first"),
        lead=("lead_time_months", "first")
        if "lead_time_months" in x
        else ("excess", lambda s: 0.0),
    )
    incoming = plan.assign(incoming=plan["receipts"] + plan["production"])
    fed = []
    for run in runs.itertuples():
        mine = incoming[
            (incoming["sku"] == run.sku)
            & (incoming["location"] == run.location)
            & (incoming["month"] <= run.last_month)
        ]
        fed.append(float(mine["incoming"].sum()))
    runs["held"] = np.minimum(runs["smallest"], fed)
    runs = runs[runs["held"] > 0.5]
    if runs.empty:
        return pd.DataFrame(columns=COLUMNS)
    runs["saved"] = runs["held"] * runs["cost"] * holding_rate / 12.0 * runs["months"]
    runs = runs.sort_values("saved", ascending=False).head(limit)
    span = (
        runs["first_month"].dt.strftime("%Y-%m") + " to " + runs["last_month"].dt.strftime("%Y-%m")
    )
    lead = np.ceil(runs["lead"].astype(float) - 1e-9).astype(int)
    due = [
        max(pd.Timestamp(first_month), m - pd.DateOffset(months=int(k)))
        for m, k in zip(runs["first_month"], lead, strict=True)
    ]
    value = runs["held"] * runs["cost"]
    out = pd.DataFrame(
        {
            "kind": "inventory",
            "gap_id": "excess:"
            + runs["sku"]
            + "|"
            + runs["location"]
            + "|"
            + span.str.replace(" to ", "|"),
            "family": runs["family"],
            "action": "hold back "
            + runs["held"].round(0).map("{:,.0f}".format)
            + " units of "
            + runs["sku"]
            + " at "
            + runs["location"]
            + " (receipts or production due by "
            + runs["last_month"].dt.strftime("%Y-%m")
            + "), stock above maximum cover "
            + span,
            "resource": "",
            "first_month": runs["first_month"],
            "last_month": runs["last_month"],
            "capacity_change": 0.0,
            "units": runs["held"],
            "recovered_revenue": 0.0,
            "gross_value": runs["saved"],
            "cost": 0.0,
            "net_value": runs["saved"],
            "fill_rate": base_fill,
            "inventory_value": base_inventory
            - value * runs["months"] / max(plan["month"].nunique(), 1),
            "cash": value,
            "gap_value": value,
            "share_of_gap_closed": 1.0,
            "owner": runs["sku"].map(item_owner).fillna("unassigned"),
            "due": to_datetime(due),
        }
    )
    return out
