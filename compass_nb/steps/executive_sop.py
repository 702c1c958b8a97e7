"""Step 05 · executive S&OP: the one-page decision pack and the cycle's decision log."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb import sop
from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import ExecutiveReview
from compass_nb.steps.step import Step


@dataclass(frozen=True)
class ExecutiveSettings:
    """The ``executive_sop`` section of ``parameters/default.yaml``."""

    approved_scenario: str
    decisions: list
    targets: dict
    kpi_months: int


STEP = Step(
    "executive_sop",
    notebook="05_executive_sop",
    inputs=("orders", "budget"),
    reads=("consensus", "supply_plan", "scenarios", "recommendations"),
    history=("consensus", "supply_plan"),
    writes=("decisions",),
    settings=ExecutiveSettings,
)


@STEP.compute
def run(ctx: Context) -> ExecutiveReview:
    """KPIs against budget and targets, risks, decisions required, and the decision log."""
    t = ctx.inputs("orders", "budget")
    s = ctx.settings
    scenarios = ctx.read("scenarios")
    review = cycle.executive_review(
        ctx.read("consensus", periods="all"),
        ctx.read("supply_plan", periods="all"),
        scenarios,
        ctx.read("recommendations"),
        t["budget"],
        t["orders"],
        period=ctx.period,
        targets=s.targets,
        kpi_months=s.kpi_months,
        currency=ctx.shared.currency,
    )
    review.log = sop.decision_log(
        s.approved_scenario, s.decisions, list(scenarios["scenario"].unique())
    )
    ctx.write("decisions", review.log)
    kpis = review.kpis.set_index("kpi")["value"]
    ctx.metric(
        "revenue_plan",
        float(kpis["revenue_plan"]),
        label=f"Revenue plan ({s.kpi_months} months)",
        fmt="{:,.0f}",
    )
    ctx.metric("fill_rate_plan", float(kpis["fill_rate"]), label="Planned fill rate", fmt="{:.1%}")
    ctx.metric("approved_scenario", s.approved_scenario, label="Approved scenario")
    return review
