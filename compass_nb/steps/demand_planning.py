"""Step 02 · demand planning: the consensus plan, its value and its gap to budget."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import DemandReview
from compass_nb.steps.step import Step


@dataclass(frozen=True)
class DemandPlanningSettings:
    """The ``demand_planning`` section of ``parameters/default.yaml``."""

    movers: int
    author: str


STEP = Step(
    "demand_planning",
    notebook="02_demand_planning",
    inputs=("orders", "products", "overrides", "budget"),
    reads=("forecast",),
    optional_reads=("pipeline_commit",),
    history=("consensus",),
    writes=("consensus",),
    settings=DemandPlanningSettings,
)


@STEP.compute
def run(ctx: Context) -> DemandReview:
    """The consensus of forecast and overrides, valued, against budget and the last cycle."""
    t = ctx.inputs("orders", "products", "overrides", "budget")
    shared = ctx.shared
    review = cycle.demand_review(
        ctx.read("forecast"),
        t["overrides"],
        t["products"],
        t["budget"],
        t["orders"],
        period=ctx.period,
        horizon=shared.horizon,
        past_consensus=ctx.read("consensus", periods="all"),
        pipeline_commit=ctx.read("pipeline_commit"),
        fiscal_year_start=shared.fiscal_year_start,
        movers=ctx.settings.movers,
        currency=shared.currency,
    )
    ctx.write("consensus", review.consensus)
    ctx.metric(
        "consensus_units",
        float(review.waterfall["consensus"].sum()),
        label="Consensus units (horizon)",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "consensus_revenue",
        float(review.consensus["revenue"].sum()),
        label="Consensus revenue (horizon)",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "override_adjustment",
        float(review.waterfall["adjustment"].sum()),
        label="Override adjustment (units)",
        fmt="{:+,.0f}",
    )
    return review
