"""Step 06 · implementation and tracking: plan against what happened, over past cycles."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb.context import Context
from compass_nb.sop import cycle
from compass_nb.sop.cycle import TrackingReview
from compass_nb.sop.months import monthly_actuals
from compass_nb.steps.step import Step, derived_assumptions, held_inputs


@dataclass(frozen=True)
class TrackingSettings:
    """The ``implementation_tracking`` section of ``parameters/default.yaml``."""

    lags: tuple[int, ...]
    fill_rate_target: float
    inventory_target: float | None


STEP = Step(
    "implementation_tracking",
    notebook="06_implementation_tracking",
    inputs=("orders", "products"),
    optional_inputs=("inventory",),
    reads=("consensus", "forecast", "supply_plan", "decisions"),
    history=("consensus", "forecast", "supply_plan", "decisions"),
    settings=TrackingSettings,
)


@STEP.compute
def run(ctx: Context) -> TrackingReview | None:
    """Accuracy by lag, FVA, adherence, fill rate, inventory, the plan's change and the ledger
    (in a store-only cycle, whose review no page shows: its headline figures alone)."""
    s = ctx.settings
    consensus = ctx.read("consensus", periods="all")
    if not ctx.makes_files:  # store only: no page shows the review; its figures are kept
        orders = ctx.inputs("orders")["orders"]
        cycles, trend = cycle.tracked_accuracy(
            consensus, monthly_actuals(orders), period=ctx.period, lags=s.lags
        )
        _metrics(ctx, cycles, trend)
        return None
    t = held_inputs(ctx, ("orders", "products"), ("inventory",))
    review = cycle.tracking_review(
        consensus,
        ctx.read("forecast", periods="all"),
        ctx.read("supply_plan", periods="all"),
        ctx.read("decisions", periods="all"),
        t["orders"],
        t.get("inventory"),
        t["products"],
        period=ctx.period,
        lags=s.lags,
        fill_rate_target=s.fill_rate_target,
        currency=ctx.shared.currency,
        capacity_known="capacity" in ctx.held_tables,
        assumed=derived_assumptions(ctx, t),
    )
    _metrics(ctx, review.cycles, review.accuracy_trend)
    return review


def _metrics(ctx: Context, cycles: list[str], trend: pd.DataFrame) -> None:
    ctx.metric("cycles_tracked", len(cycles), label="Cycles in the store")
    for lag, wape in cycle.overall_wape(trend).items():
        ctx.metric(f"wape_lag{lag}", wape, label=f"Consensus WAPE, lag {lag}", fmt="{:.1%}")
