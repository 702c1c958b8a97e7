"""Step 03 · supply planning: safety stock, the constrained plan, its exceptions and exports."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb import sop
from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import SupplyReview
from compass_nb.steps.step import Step


@dataclass(frozen=True)
class SupplyPlanningSettings:
    """The ``supply_planning`` section of ``parameters/default.yaml``."""

    service_level: float
    history_months: int
    priority: str
    max_cover_months: float


STEP = Step(
    "supply_planning",
    notebook="03_supply_planning",
    inputs=("orders", "products", "inventory", "capacity", "receipts"),
    reads=("consensus",),
    writes=("supply_plan", "exceptions"),
    settings=SupplyPlanningSettings,
)


@STEP.compute
def run(ctx: Context) -> SupplyReview:
    """The supply plan against capacity, its inventory projection, exceptions and exports."""
    t = ctx.inputs("orders", "products", "inventory", "capacity", "receipts")
    s = ctx.settings
    consensus = ctx.read("consensus").drop(columns=["period", "run_id"], errors="ignore")
    review = cycle.supply_review(
        consensus,
        t["products"],
        t["inventory"],
        t["capacity"],
        t["receipts"],
        t["orders"],
        period=ctx.period,
        service_level=s.service_level,
        history_months=s.history_months,
        priority=s.priority,
        max_cover_months=s.max_cover_months,
        currency=ctx.shared.currency,
    )
    ctx.write("supply_plan", review.stored)
    ctx.write("exceptions", review.exceptions)
    if ctx.makes_files:
        written = sop.write_exports(
            {"consensus": consensus, "supply_plan": review.stored, "exceptions": review.exceptions},
            ctx.export_dir(),
        )
        review.exports = [path.name for path in written]
    families = review.families
    ctx.metric(
        "fill_rate",
        float(families["met"].sum() / families["demand"].sum()),
        label="Planned fill rate",
        fmt="{:.1%}",
    )
    ctx.metric(
        "unmet_revenue",
        float(families["unmet_revenue"].sum()),
        label="Unmet demand (revenue)",
        fmt="{:,.0f}",
    )
    ctx.metric("exceptions", len(review.exceptions), label="Supply exceptions", fmt="{:,}")
    return review
