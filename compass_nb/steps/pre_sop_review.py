"""Step 04 · pre-S&OP review: gaps, scenarios and ranked recommendations."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import PreSopReview
from compass_nb.steps.step import Step


@dataclass(frozen=True)
class PreSopSettings:
    """The ``pre_sop_review`` section of ``parameters/default.yaml``."""

    scenarios: list
    max_capacity_increase: float
    recommendations: int
    holding_rate: float


STEP = Step(
    "pre_sop_review",
    notebook="04_pre_sop_review",
    inputs=("products", "capacity"),
    reads=("consensus", "supply_plan"),
    writes=("scenarios", "recommendations"),
    settings=PreSopSettings,
)


@STEP.compute
def run(ctx: Context) -> PreSopReview:
    """Where demand exceeds supply, what the scenarios change, and what to recommend."""
    t = ctx.inputs("products", "capacity")
    s = ctx.settings
    review = cycle.pre_sop_review(
        ctx.read("consensus"),
        ctx.read("supply_plan"),
        t["capacity"],
        t["products"],
        scenarios=s.scenarios,
        max_increase=s.max_capacity_increase,
        recommendations=s.recommendations,
        holding_rate=s.holding_rate,
        currency=ctx.shared.currency,
    )
    ctx.write("scenarios", review.scenarios_for_store())
    ctx.write("recommendations", review.recommendations)
    ctx.metric(
        "revenue_at_risk",
        float(review.gaps["revenue_at_risk"].sum()),
        label="Revenue at risk",
        fmt="{:,.0f}",
    )
    ctx.metric("scenarios", int(review.scenarios["scenario"].nunique()), label="Scenarios compared")
    ctx.metric("recommendations", len(review.recommendations), label="Recommendations")
    return review
