"""Step 02 · demand planning: the consensus plan at net price, its life cycles, its gap to
budget and its growth against history."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb import quality
from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import DemandReview, span
from compass_nb.steps.step import Step, derived_assumptions, held_inputs


@dataclass(frozen=True)
class DemandPlanningSettings:
    """The ``demand_planning`` section of ``parameters/default.yaml``."""

    movers: int
    author: str
    price_window_months: int
    history_multiple: float


STEP = Step(
    "demand_planning",
    notebook="02_demand_planning",
    inputs=("orders", "products"),
    optional_inputs=("overrides", "budget"),
    reads=("forecast",),
    optional_reads=("pipeline_commit", "quarantine_summary"),
    history=("consensus",),
    writes=("consensus", "plan_vs_history"),
    settings=DemandPlanningSettings,
)


@STEP.compute
def run(ctx: Context) -> DemandReview:
    """The consensus of forecast, life cycles and overrides, valued, against budget and history."""
    t = held_inputs(ctx, ("orders", "products"), ("overrides", "budget"))
    shared, s = ctx.shared, ctx.settings
    review = cycle.demand_review(
        ctx.read("forecast"),
        t.get("overrides"),
        t["products"],
        t.get("budget"),
        t["orders"],
        period=ctx.period,
        horizon=shared.horizon,
        past_consensus=ctx.read("consensus", periods="all"),
        pipeline_commit=ctx.read("pipeline_commit"),
        fiscal_year_start=shared.fiscal_year_start,
        movers=s.movers,
        currency=shared.currency,
        price_window=s.price_window_months,
        launch_ramp=shared.launch_ramp,
        history_multiple=s.history_multiple,
        assumed=derived_assumptions(ctx, t),
    )
    review.summary += quality.quarantine_lines(
        ctx.quarantine_summary(), STEP.inputs + STEP.optional_inputs
    )
    ctx.write("consensus", review.consensus)
    ctx.write("plan_vs_history", review.plan_vs_history_for_store())
    record(ctx, review)
    return review


def record(ctx: Context, review: DemandReview) -> None:
    """The headline figures of 02 (the same keys and labels as 05 where they are shared)."""
    currency, horizon = ctx.shared.currency, span(review.months)
    plan = review.consensus
    ctx.metric(
        "consensus_revenue",
        float(plan["revenue"].sum()),
        label=f"Plan revenue at net price ({currency}, {horizon})",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "consensus_units",
        float(plan["consensus"].sum()),
        label=f"Plan units ({horizon})",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "override_adjustment",
        float(plan["adjustment"].sum()),
        label=f"Override adjustment (units, {horizon})",
        fmt="{:+,.0f}",
    )
    total = review.history[review.history["family"] == "Total"]
    if len(total):
        ctx.metric(
            "growth_vs_last_12_months",
            float(total["growth_revenue"].iloc[0]),
            label="Plan revenue, next 12 months against the last 12",
            fmt="{:+.1%}",
        )
    b = review.budget
    if b["months"]:
        ctx.metric(
            "budget_gap_revenue",
            b["gap_revenue"],
            label=f"Gap to budget ({currency}, {span(b['months'])})",
            fmt="{:+,.0f}",
        )
        fam = review.budget_by_family
        share = fam["gap_revenue"] / fam["budget_revenue"].where(fam["budget_revenue"] > 0)
        worst = fam.assign(share=share).sort_values("share").head(3)
        for row in worst[worst["share"] < -0.05].itertuples():
            ctx.metric(
                f"attention_budget_gap_{row.family}",
                float(row.gap_revenue),
                label=f"Budget gap · {row.family}: {row.share:+.1%} ({currency}, {span(b['months'])})",
                fmt="{:+,.0f}",
            )
