"""Step 03 · supply planning: safety stock, the constrained plan, its exceptions and exports."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb import sop
from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import SupplyReview, span
from compass_nb.steps.step import Step, derived_assumptions, held_inputs


@dataclass(frozen=True)
class SupplyPlanningSettings:
    """The ``supply_planning`` section of ``parameters/default.yaml``."""

    service_level: float
    history_months: int
    priority: str
    max_cover_months: float
    lead_time_sd_share: float
    capacity_lead_months: int
    owners: dict


STEP = Step(
    "supply_planning",
    notebook="03_supply_planning",
    inputs=("orders", "products"),
    optional_inputs=("inventory", "capacity", "receipts"),
    reads=("consensus",),
    optional_reads=("forecast_residuals", "plan_vs_history"),
    history=("exceptions",),
    writes=("supply_plan", "exceptions"),
    settings=SupplyPlanningSettings,
)

UNIT_COLUMNS = [
    "demand",
    "receipts",
    "safety_stock",
    "requirement",
    "production",
    "shortfall",
    "closing",
    "opening",
    "met",
    "unmet",
    "on_hand",
    "backlog",
    "max_stock",
    "excess",
]


@STEP.compute
def run(ctx: Context) -> SupplyReview:
    """The supply plan against capacity, its inventory projection, exceptions and exports."""
    t = held_inputs(ctx, ("orders", "products"), ("inventory", "capacity", "receipts"))
    s = ctx.settings
    consensus = ctx.read("consensus").drop(columns=["period", "run_id"], errors="ignore")
    earlier = ctx.read("exceptions", periods="all")
    if not earlier.empty:
        earlier = earlier[earlier["period"].astype(str) < ctx.period]
        earlier = earlier[earlier["period"] == earlier["period"].max()] if len(earlier) else earlier
    review = cycle.supply_review(
        consensus,
        t["products"],
        t.get("inventory"),
        t.get("capacity"),
        t.get("receipts"),
        t["orders"],
        period=ctx.period,
        service_level=s.service_level,
        history_months=s.history_months,
        priority=s.priority,
        max_cover_months=s.max_cover_months,
        lead_time_sd_share=s.lead_time_sd_share,
        capacity_lead_months=s.capacity_lead_months,
        owners=s.owners,
        currency=ctx.shared.currency,
        residuals=ctx.read("forecast_residuals"),
        above_history=ctx.read("plan_vs_history"),
        previous_exceptions=earlier,
        assumed=derived_assumptions(ctx, t),
    )
    ctx.write("supply_plan", review.stored)
    ctx.write("exceptions", review.exceptions)
    if ctx.makes_files:
        review.exports = [path.name for path in export(ctx, consensus, review)]
    record(ctx, review)
    return review


def export(ctx: Context, consensus, review: SupplyReview):
    """The CSV and XLSX files for ERP and planners, every quantity in whole units."""
    plan_columns = ["family", "sku", "location", "month", "consensus", "net_price", "revenue"]
    tables = {
        "planned_production": review.orders.drop(columns="planned"),
        "consensus": sop.whole_units(consensus[plan_columns], ["consensus"]).assign(unit="units"),
        "supply_plan": sop.whole_units(
            review.stored.drop(columns=["priority", "max_cover_months", "capacity_lead_months"]),
            UNIT_COLUMNS,
        ).assign(unit="units"),
        "exceptions": sop.whole_units(review.exceptions, ["size"]),
    }
    return sop.write_exports(tables, ctx.export_dir())


def record(ctx: Context, review: SupplyReview) -> None:
    """The headline figures of 03 (05 repeats fill rate, inventory and days of supply)."""
    currency, horizon = ctx.shared.currency, span(review.months)
    kpis = sop.cycle_kpis(review.stored, review.stored, review.months)
    ctx.metric(
        "fill_rate",
        kpis["fill_rate"] if review.capacity_known else None,
        label=f"Planned fill rate ({horizon})"
        + ("" if review.capacity_known else ", not assessed: no capacity data"),
        fmt="{:.1%}",
    )
    ctx.metric(
        "unmet_revenue",
        float(review.plan["unmet_revenue"].sum()) if review.capacity_known else None,
        label=f"Unmet demand at net price ({currency}, {horizon})"
        + ("" if review.capacity_known else ", not assessed: no capacity data"),
        fmt="{:,.0f}",
    )
    known = review.inventory_known
    stock = "" if known else ", not assessed: no stock data"
    ctx.metric(
        "inventory_value",
        kpis["inventory_value"] if known else None,
        label=f"Average inventory value ({currency}, {horizon}){stock}",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "days_of_supply",
        kpis["days_of_supply"] if known else None,
        label=f"Days of supply (average, {horizon}){stock}",
        fmt="{:,.0f}",
    )
    live = review.exceptions[review.exceptions["status"] != "resolved"]
    ctx.metric("exceptions", len(live), label="Open supply exceptions", fmt="{:,}")
    short = live[live["exception"] == "capacity short"]
    for (family, resource), rows in short.groupby(["family", "resource"]):
        ctx.metric(
            f"attention_capacity_{family}_{resource}",
            float(rows["value"].sum()),
            label=f"Capacity short · {family} on {resource}: {rows['month'].nunique()} month(s), "
            f"revenue at risk ({currency})",
            fmt="{:,.0f}",
        )
