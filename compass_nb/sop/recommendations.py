"""Recommendations: actions that close a gap, valued by re-running the supply plan.

For each gap (a family's consecutive months of unmet demand) the candidate action is
extra capacity on the family's bottleneck resource over those months — a shift, overtime
or a subcontractor — sized to the gap and capped at ``max_increase``. The plan is re-run
with that change; the units, revenue and margin it recovers are the action's value.

Stock above the maximum cover is a gap too (money tied up): the candidate action holds
back that many units of receipts or production, valued at the carrying cost it saves
(``holding_rate`` a year on the excess value, over the months it lasts).

All recommendations are ranked together by ``value`` (money: recovered margin or
carrying cost saved).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

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
    "value",
    "gap_value",
    "share_of_gap_closed",
]


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


def rank_recommendations(
    gaps: pd.DataFrame,
    base: SupplyPlan,
    replan: Callable[[list[dict]], SupplyPlan],
    *,
    max_increase: float = 0.25,
    limit: int = 5,
) -> pd.DataFrame:
    """Value a capacity action per gap and rank them.

    Parameters
    ----------
    gaps
        :func:`compass_nb.sop.gaps.gap_periods` output.
    base
        The base supply plan.
    replan
        Re-runs the base plan with a list of capacity changes and returns the new plan.
    max_increase
        Largest capacity increase proposed on one resource (fraction).
    limit
        Number of gaps (largest revenue at risk first) to value.

    Returns
    -------
    pandas.DataFrame
        The ``COLUMNS`` of this module, ranked by recovered margin (rank 1 = most).
    """
    rows = []
    for gap in gaps.head(limit).itertuples():
        found = _bottleneck(base.capacity, gap.family, gap.first_month, gap.last_month)
        if found is None:
            continue
        resource, capacity_units = found
        change = (
            min(max_increase, gap.gap_units / capacity_units)
            if capacity_units > 0
            else max_increase
        )
        change = min(max(math.ceil(change * 100 - 1e-9) / 100, 0.01), max_increase)
        spec = [
            {
                "resource": resource,
                "change": change,
                "from": gap.first_month.strftime("%Y-%m"),
                "to": gap.last_month.strftime("%Y-%m"),
            }
        ]
        new = replan(spec)
        recovered = base.plan["unmet"].sum() - new.plan["unmet"].sum()
        rows.append(
            {
                "kind": "capacity",
                "gap_id": gap.gap_id,
                "family": gap.family,
                "action": (
                    f"add {change:.0%} capacity on {resource} "
                    f"{gap.first_month:%Y-%m} to {gap.last_month:%Y-%m}"
                ),
                "resource": resource,
                "first_month": gap.first_month,
                "last_month": gap.last_month,
                "capacity_change": change,
                "units": float(recovered),
                "recovered_revenue": float(new.plan["revenue"].sum() - base.plan["revenue"].sum()),
                "value": float(new.plan["margin"].sum() - base.plan["margin"].sum()),
                "gap_value": float(gap.revenue_at_risk),
            }
        )
    out = pd.DataFrame(
        rows, columns=[c for c in COLUMNS if c not in ("rank", "share_of_gap_closed")]
    )
    out["share_of_gap_closed"] = (
        out["recovered_revenue"] / out["gap_value"].where(out["gap_value"] > 0)
    ).clip(upper=1.0)
    return ranked(out)


def ranked(recommendations: pd.DataFrame) -> pd.DataFrame:
    """Recommendations sorted by value, largest first, with ``rank`` 1..n."""
    out = recommendations.sort_values("value", ascending=False, kind="stable").reset_index(
        drop=True
    )
    out["rank"] = range(1, len(out) + 1)
    return out[COLUMNS]


def excess_recommendations(
    plan: pd.DataFrame, *, holding_rate: float = 0.25, limit: int = 5
) -> pd.DataFrame:
    """Hold back stock above the maximum cover, one action per SKU × location run of months.

    ``plan`` is ``SupplyPlan.plan``. The action's ``units`` is the largest excess of the
    run and ``gap_value`` its value at cost; ``value`` is the carrying cost saved,
    Σ excess × unit cost × ``holding_rate`` / 12 over the run's months.
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
    x = x.assign(_run=new_run.cumsum(), _value=x["excess"] * x["unit_cost"])
    runs = x.groupby("_run").agg(
        family=("family", "first"),
        sku=("sku", "first"),
        location=("location", "first"),
        first_month=("month", "min"),
        last_month=("month", "max"),
        units=("excess", "max"),
        tied=("_value", "sum"),
        cost=("unit_cost", "first"),
    )
    runs = runs.sort_values("tied", ascending=False).head(limit)
    span = (
        runs["first_month"].dt.strftime("%Y-%m") + " to " + runs["last_month"].dt.strftime("%Y-%m")
    )
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
            + runs["units"].round(0).map("{:,.0f}".format)
            + " units of "
            + runs["sku"]
            + " at "
            + runs["location"]
            + " (receipts or production), "
            + span,
            "resource": "",
            "first_month": runs["first_month"],
            "last_month": runs["last_month"],
            "capacity_change": 0.0,
            "units": runs["units"],
            "recovered_revenue": 0.0,
            "value": runs["tied"] * holding_rate / 12.0,
            "gap_value": runs["units"] * runs["cost"],
            "share_of_gap_closed": 1.0,
        }
    )
    return out
