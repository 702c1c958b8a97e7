"""Step 05 · executive S&OP: the one-page decision pack and the cycle's decision log."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb import sop
from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import ExecutiveReview, span
from compass_nb.steps.step import Step, derived_assumptions, held_inputs


@dataclass(frozen=True)
class ExecutiveSettings:
    """The ``executive_sop`` section of ``parameters/default.yaml``."""

    approved_scenario: str
    decisions: list
    targets: dict
    materiality_share: float
    plan_owner: str


STEP = Step(
    "executive_sop",
    notebook="05_executive_sop",
    inputs=("orders", "products"),
    optional_inputs=("budget", "inventory", "capacity"),
    reads=("consensus", "supply_plan", "scenarios", "recommendations"),
    optional_reads=("plan_vs_history",),
    history=("consensus", "supply_plan"),
    writes=("decisions",),
    settings=ExecutiveSettings,
)


def family_owners(products, owners) -> pd.Series:
    """The owner of each family: the planner most of its items name (``products.planner``,
    then the ``supply_planning.owners`` mapping, as step 03 assigns exceptions)."""
    items = sop.item_owners(products, owners)
    family = products.drop_duplicates("sku").set_index("sku")["family"]
    table = items.rename("owner").to_frame().assign(family=family)
    return table.groupby("family")["owner"].agg(lambda s: s.mode().iloc[0])


@STEP.compute
def run(ctx: Context) -> ExecutiveReview:
    """KPIs over the horizon, budget, risks, the decisions required, and the decision log."""
    t = held_inputs(ctx, ("orders", "products"), ("budget", "inventory", "capacity"))
    s = ctx.settings
    review = cycle.executive_review(
        ctx.read("consensus", periods="all"),
        ctx.read("supply_plan", periods="all"),
        ctx.read("scenarios"),
        ctx.read("recommendations"),
        t.get("budget"),
        t["orders"],
        period=ctx.period,
        targets=s.targets,
        materiality_share=s.materiality_share,
        plan_owner=s.plan_owner,
        approved_scenario=s.approved_scenario,
        decisions=s.decisions,
        currency=ctx.shared.currency,
        plan_vs_history=ctx.read("plan_vs_history"),
        family_owner=family_owners(
            t["products"], ctx.params.get("supply_planning", {}).get("owners")
        ),
        inventory_known="inventory" in t,
        capacity_known="capacity" in t,
        costs_known=not (assumed := derived_assumptions(ctx, t)),
        assumed=assumed,
    )
    ctx.write("decisions", review.log)
    record(ctx, review)
    return review


def record(ctx: Context, review: ExecutiveReview) -> None:
    """The headline figures of 05: the plan's (same keys and labels as 02 and 03) and the
    decisions."""
    currency, horizon = ctx.shared.currency, span(review.months)
    k = review.kpis.set_index("kpi")

    def known(key):
        return None if str(k.loc[key, "status"]).startswith("not assessed") else k.loc[key, "value"]

    ctx.metric(
        "revenue_plan",
        float(k.loc["revenue_plan", "value"]),
        label=f"Plan revenue at net price ({currency}, {horizon})",
        fmt="{:,.0f}",
    )
    assumed = (
        ", on assumed unit costs" if "unit costs assumed" in k.loc["margin_plan", "status"] else ""
    )
    ctx.metric(
        "margin_plan",
        float(k.loc["margin_plan", "value"]),
        label=f"Plan margin at net price ({currency}, {horizon}){assumed}",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "fill_rate_plan", known("fill_rate"), label=f"Planned fill rate ({horizon})", fmt="{:.1%}"
    )
    ctx.metric(
        "inventory_value",
        known("inventory_value"),
        label=f"Average inventory value ({currency}, {horizon})",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "days_of_supply",
        known("days_of_supply"),
        label=f"Days of supply (average, {horizon})",
        fmt="{:,.0f}",
    )
    ctx.metric(
        "forecast_accuracy",
        k.loc["forecast_accuracy", "value"],
        label="Forecast accuracy (1 − lag-1 WAPE, last 3 months)",
        fmt="{:.1%}",
    )
    if review.budget["months"]:
        ctx.metric(
            "budget_gap_revenue",
            review.budget["gap_revenue"],
            label=f"Gap to budget ({currency}, {span(review.budget['months'])})",
            fmt="{:+,.0f}",
        )
    waiting = review.decisions_pending
    approved = review.log.loc[review.log["kind"] == "scenario", "option"]
    ctx.metric(
        "approved_scenario",
        "decisions pending" if not approved.iloc[0] else str(approved.iloc[0]),
        label="Approved scenario",
    )
    ctx.metric("decisions_pending", len(waiting), label="Decisions pending", fmt="{:,}")
    if len(waiting):
        ctx.metric(
            "attention_decisions_pending",
            len(waiting),
            label="Decisions pending — " + "; ".join(waiting["title"].str.lower().head(4)),
            fmt="{:,}",
        )
