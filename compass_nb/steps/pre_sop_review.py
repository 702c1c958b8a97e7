"""Step 04 · pre-S&OP review: gaps, scenarios and recommendations ranked by net value."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import PreSopReview, span
from compass_nb.steps.step import Step, derived_assumptions, held_inputs


@dataclass(frozen=True)
class PreSopSettings:
    """The ``pre_sop_review`` section of ``parameters/default.yaml``."""

    scenarios: list
    max_capacity_increase: float
    recommendations: int
    holding_rate: float
    capacity_cost_share: float


STEP = Step(
    "pre_sop_review",
    notebook="04_pre_sop_review",
    inputs=("products",),
    optional_inputs=("capacity",),
    reads=("consensus", "supply_plan", "exceptions"),
    writes=("scenarios", "recommendations"),
    settings=PreSopSettings,
)


def owners(exceptions) -> dict:
    """The owners step 03 gave its exceptions, by resource and by SKU."""
    if exceptions is None or exceptions.empty:
        return {}
    rows = exceptions[exceptions["owner"].astype(str) != "unassigned"]
    by_resource = rows[rows["resource"].astype(str) != ""].groupby("resource")["owner"].first()
    by_sku = rows[rows["sku"].astype(str) != ""].groupby("sku")["owner"].first()
    return {**by_sku.to_dict(), **by_resource.to_dict()}


def _assumed(ctx: Context, tables: dict) -> list[str]:
    """The scenarios re-run 03's supply plan: its stock assumption holds here too."""
    stock = [] if "inventory" in ctx.held_tables else [cycle.NO_INVENTORY]
    return stock + derived_assumptions(ctx, tables)


@STEP.compute
def run(ctx: Context) -> PreSopReview:
    """Where demand exceeds supply, what the scenarios change, and what to recommend."""
    t = held_inputs(ctx, ("products",), ("capacity",))
    s = ctx.settings
    review = cycle.pre_sop_review(
        ctx.read("consensus"),
        ctx.read("supply_plan"),
        t.get("capacity"),
        t["products"],
        period=ctx.period,
        scenarios=s.scenarios,
        max_increase=s.max_capacity_increase,
        recommendations=s.recommendations,
        holding_rate=s.holding_rate,
        capacity_cost_share=s.capacity_cost_share,
        owners=owners(ctx.read("exceptions")),
        currency=ctx.shared.currency,
        demo=ctx.source.startswith("demo"),
        assumed=_assumed(ctx, t),
    )
    ctx.write("scenarios", review.scenarios_for_store())
    ctx.write("recommendations", review.recommendations)
    currency, horizon = ctx.shared.currency, span(review.months)
    ctx.metric(
        "revenue_at_risk",
        float(review.gaps["revenue_at_risk"].sum()) if review.capacity_known else None,
        label=f"Revenue at risk in the base plan ({currency}, {horizon})"
        + ("" if review.capacity_known else ", not assessed: no capacity data"),
        fmt="{:,.0f}",
    )
    ctx.metric("scenarios", int(review.scenarios["scenario"].nunique()), label="Scenarios compared")
    ctx.metric("recommendations", len(review.recommendations), label="Recommendations")
    if len(review.recommendations):
        ctx.metric(
            "best_net_value",
            float(review.recommendations["net_value"].iloc[0]),
            label=f"Best recommendation, net value ({currency})",
            fmt="{:,.0f}",
        )
    return review
