"""Scenarios: the supply plan re-run under other demand or capacity, compared with base.

A scenario is a dict (from ``pre_sop_review.scenarios`` or built in)::

    {name: upside, demand: upside}                       # consensus × forecast 80 % upper bound
    {name: line-a-plus-15, capacity: [{resource: Line-A, change: 0.15, from: "2027-01"}]}

``demand`` is ``base`` (the consensus), ``upside`` (consensus scaled to the upper bound
of the forecast's 80 % interval) or ``downside`` (the lower bound); ``capacity`` is a
list of changes (:func:`compass_nb.sop.capacity.apply_capacity_changes`).
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import DAYS_PER_MONTH
from compass_nb.errors import ParameterError
from compass_nb.sop.capacity import apply_capacity_changes, resource_load
from compass_nb.sop.supply import SupplyPlan, supply_plan

DEMAND_COLUMNS = {"base": "consensus", "upside": "consensus_hi_80", "downside": "consensus_lo_80"}
STANDARD = [
    {"name": "base", "demand": "base"},
    {"name": "upside", "demand": "upside"},
    {"name": "downside", "demand": "downside"},
]
METRICS = {
    "revenue": "Revenue served",
    "margin": "Margin served",
    "fill_rate": "Fill rate",
    "inventory_value": "Average inventory value",
    "days_of_supply": "Days of supply",
    "utilisation": "Average utilisation",
    "unmet_units": "Unmet demand (units)",
    "unmet_revenue": "Unmet demand (revenue)",
}


def scenario_specs(extra: list[dict] | None = None) -> list[dict]:
    """Base, upside and downside, then the parameter scenarios; checks each spec."""
    specs = [dict(s) for s in STANDARD] + [dict(s) for s in (extra or [])]
    names = [s.get("name") for s in specs]
    for spec in specs:
        if not spec.get("name"):
            raise ParameterError("every scenario in pre_sop_review.scenarios needs a name.")
        if spec.get("demand", "base") not in DEMAND_COLUMNS:
            raise ParameterError(
                f"scenario {spec['name']!r}: demand must be one of {', '.join(DEMAND_COLUMNS)}, "
                f"got {spec.get('demand')!r}."
            )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParameterError(
            f"scenario names must be unique; rename: {', '.join(map(str, dupes))}."
        )
    return specs


def scenario_demand(consensus: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The demand a scenario plans for (``family``, ``sku``, ``location``, ``month``, ``demand``)."""
    col = DEMAND_COLUMNS[spec.get("demand", "base")]
    return consensus[["family", "sku", "location", "month"]].assign(
        demand=consensus[col].to_numpy()
    )


def run_scenario(
    consensus: pd.DataFrame, spec: dict, capacity: pd.DataFrame, **plan_inputs
) -> SupplyPlan:
    """Re-run the supply plan for one scenario.

    ``capacity`` is capacity by month; ``plan_inputs`` are the other arguments of
    :func:`compass_nb.sop.supply.supply_plan` (``opening``, ``safety``, ``receipts``,
    ``products``, ``months``, ``priority``, ``max_cover_months``).
    """
    changed = apply_capacity_changes(capacity, spec.get("capacity"))
    return supply_plan(scenario_demand(consensus, spec), capacity=changed, **plan_inputs)


def plan_metrics(plan: SupplyPlan) -> dict[str, float]:
    """Headline figures of a supply plan (the scenario comparison's rows)."""
    p = plan.plan
    demand = p["demand"].sum()
    months = max(p["month"].nunique(), 1)
    on_hand_by_month = p.groupby("month")["on_hand"].sum()
    daily = demand / months / DAYS_PER_MONTH
    util = (
        resource_load(plan.load)["planned_utilisation"]
        if not plan.load.empty
        else pd.Series(dtype=float)
    )
    return {
        "revenue": float(p["revenue"].sum()),
        "margin": float(p["margin"].sum()),
        "fill_rate": float(p["met"].sum() / demand) if demand > 0 else float("nan"),
        "inventory_value": float(p.groupby("month")["inventory_value"].sum().mean()),
        "days_of_supply": float(on_hand_by_month.mean() / daily) if daily > 0 else float("nan"),
        "utilisation": float(util.mean()) if len(util) else float("nan"),
        "unmet_units": float(p["unmet"].sum()),
        "unmet_revenue": float(p["unmet_revenue"].sum()),
    }


def scenario_table(metrics: dict[str, dict[str, float]], base: str = "base") -> pd.DataFrame:
    """Scenarios side by side: one row per scenario × metric with its delta against base.

    Returns ``scenario``, ``metric``, ``label``, ``value``, ``base_value``, ``delta``.
    """
    if base not in metrics:
        raise ParameterError(
            f"the base scenario {base!r} is missing; keep a scenario named {base!r}."
        )
    rows = [
        {
            "scenario": name,
            "metric": key,
            "label": METRICS[key],
            "value": values[key],
            "base_value": metrics[base][key],
            "delta": values[key] - metrics[base][key],
        }
        for name, values in metrics.items()
        for key in METRICS
    ]
    return pd.DataFrame(rows)


def assumptions_ledger(specs: list[dict], priority: str) -> pd.DataFrame:
    """What each scenario assumes, one row per assumption (``scenario``, ``topic``, ``assumption``)."""
    wording = {
        "base": "consensus demand plan",
        "upside": "consensus scaled to the upper bound of the forecast's 80 % interval",
        "downside": "consensus scaled to the lower bound of the forecast's 80 % interval",
    }
    rows = []
    for spec in specs:
        name = spec["name"]
        rows.append(
            {"scenario": name, "topic": "demand", "assumption": wording[spec.get("demand", "base")]}
        )
        changes = spec.get("capacity") or []
        for c in changes:
            span = f" from {c['from']}" if c.get("from") else ""
            span += f" to {c['to']}" if c.get("to") else ""
            rows.append(
                {
                    "scenario": name,
                    "topic": "capacity",
                    "assumption": f"{c['resource']} {float(c.get('change', 0)):+.0%}{span}",
                }
            )
        if not changes:
            rows.append(
                {
                    "scenario": name,
                    "topic": "capacity",
                    "assumption": "capacity as in the capacity table",
                }
            )
        rows.append(
            {
                "scenario": name,
                "topic": "allocation",
                "assumption": f"shortage allocated by {priority} priority",
            }
        )
        if spec.get("description"):
            rows.append({"scenario": name, "topic": "note", "assumption": str(spec["description"])})
    return pd.DataFrame(rows)


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """Scenarios as columns: each metric's base value and every other scenario's delta against it."""
    base = table[table["scenario"] == "base"].set_index("label")["value"].rename("base")
    deltas = table[table["scenario"] != "base"].pivot_table(
        index="label", columns="scenario", values="delta", sort=False
    )
    deltas.columns = [f"{c} vs base" for c in deltas.columns]
    return (
        pd.concat([base, deltas], axis=1)
        .reindex(list(METRICS.values()))
        .rename_axis("metric")
        .reset_index()
    )
