"""One call per S&OP notebook: everything a step computes, with its summary sentences.

Each function takes the step's input tables and parameters and returns a dataclass of
DataFrames plus ``summary`` (the headline sentences, figures included) and
``assumptions`` (what an absent input forces the page to assume), so that a notebook is
one computing cell followed by tables and charts.

One horizon: every figure called *plan* covers the cycle's planning horizon
(``horizon`` months after the period). A figure over another window names its months:
the budget comparison (the months the budget covers), the comparison with history (the
next 12 months against the last 12), the change since last cycle (the months both plan).
A sentence is produced only when its premise holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compass_nb.calendar import (
    next_quarter_bounds,
    period_month,
    plan_months,
    quarter_label,
    to_datetime,
)
from compass_nb.errors import InputError
from compass_nb.formatting import assumed_lines, money, pct, units
from compass_nb.sop import tracking
from compass_nb.sop.bridge import budget_bridge, plan_change
from compass_nb.sop.capacity import capacity_by_month, resource_load, utilisation_grid
from compass_nb.sop.consensus import (
    budget_gap,
    budget_gap_by_family,
    consensus_plan,
    pipeline_comparison,
    statistical_forecast,
    unmatched_overrides,
    waterfall,
)
from compass_nb.sop.decisions import decision_log, decisions_required, pending
from compass_nb.sop.exceptions import (
    exception_summary,
    item_owners,
    lead_months,
    resource_owners,
    supply_exceptions,
)
from compass_nb.sop.exports import planned_orders, rounding_added
from compass_nb.sop.gaps import demand_supply_gaps, gap_periods
from compass_nb.sop.inventory import METHODS, opening_stock, safety_stock_table
from compass_nb.sop.kpis import budget_totals, check_bands, cycle_kpis, kpi_display, kpi_table
from compass_nb.sop.lifecycle import life_events, life_shares
from compass_nb.sop.months import monthly_actuals
from compass_nb.sop.prices import net_prices
from compass_nb.sop.recommendations import COLUMNS as RECOMMENDATION_COLUMNS
from compass_nb.sop.recommendations import (
    added_capacity_cost,
    excess_recommendations,
    plan_figures,
    rank_recommendations,
    ranked,
)
from compass_nb.sop.scenarios import (
    assumptions_ledger,
    coherent_bounds,
    plan_metrics,
    run_scenario,
    scenario_specs,
    scenario_table,
    side_by_side,
)
from compass_nb.sop.supply import (
    family_summary,
    inputs_from_plan,
    inventory_by_family,
    plan_settings,
    supply_plan,
)
from compass_nb.sop.value import cycle_changes, plan_vs_history, value_by_family

NO_INVENTORY = "no inventory data: opening stock assumed to be zero"
NO_CAPACITY = "no capacity data: unlimited capacity assumed"
NO_RECEIPTS = "no scheduled receipts: none assumed"
NO_BUDGET = "no budget: no budget comparison"
NO_STOCK_TRACKED = "no inventory data: actual stock against plan is not measured"


def span(months) -> str:
    """``N months, YYYY-MM to YYYY-MM`` (or ``YYYY-MM`` for one month)."""
    months = sorted(pd.DatetimeIndex(months))
    if not months:
        return "no months"
    if len(months) == 1:
        return f"1 month, {months[0]:%Y-%m}"
    return f"{len(months)} months, {months[0]:%Y-%m} to {months[-1]:%Y-%m}"


def _present(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty


# -- 02 demand planning ----------------------------------------------------------------------
@dataclass
class DemandReview:
    consensus: pd.DataFrame
    waterfall: pd.DataFrame
    budget_gap: pd.DataFrame
    budget_by_family: pd.DataFrame
    budget: dict
    bridge: pd.DataFrame
    bridge_by_family: pd.DataFrame
    value: pd.DataFrame
    movers: pd.DataFrame
    pipeline: pd.DataFrame
    fva: pd.DataFrame
    unmatched: pd.DataFrame
    quarter: str
    life_events: pd.DataFrame
    history: pd.DataFrame
    above_history: pd.DataFrame
    prices: pd.DataFrame
    months: pd.DatetimeIndex
    scenario_method: str
    history_multiple: float
    assumptions: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def horizon(self) -> str:
        """The planning horizon in words (``18 months, 2026-11 to 2028-04``)."""
        return span(self.months)

    @property
    def budget_months(self) -> str:
        """The months the budget comparison covers, in words."""
        return span(self.budget["months"])

    @property
    def history_table(self) -> pd.DataFrame:
        """The comparison with the last 12 months as shown (the flag in words)."""
        flag = np.where(self.history["above_multiple"], f"above {self.history_multiple:g}×", "")
        return self.history.drop(columns="above_multiple").assign(flag=flag)

    @property
    def budget_table(self) -> pd.DataFrame:
        """Plan against budget by family over the months the budget covers, as shown."""
        b = self.budget_by_family
        out = pd.DataFrame(
            {
                "family": b["family"],
                "plan_units": b["consensus"],
                "budget_units": b["budget_quantity"],
                "plan_revenue": b["revenue"],
                "budget_revenue": b["budget_revenue"],
                "gap_revenue": b["gap_revenue"],
            }
        )
        out["gap_share"] = out["gap_revenue"] / out["budget_revenue"].where(
            out["budget_revenue"] > 0
        )
        return out.sort_values("gap_share").reset_index(drop=True)

    def plan_vs_history_for_store(self) -> pd.DataFrame:
        """The comparison with history as stored: family and total rows, then flagged SKUs."""
        fam = self.history.assign(
            level=np.where(self.history["family"] == "Total", "total", "family"), sku=""
        )
        fam = fam.assign(excess_units=np.nan, excess_revenue=np.nan)
        sku = self.above_history.assign(
            level="sku",
            growth_units=self.above_history["plan_units"]
            / self.above_history["history_units"].where(self.above_history["history_units"] > 0)
            - 1,
            history_revenue=np.nan,
            plan_revenue=np.nan,
            growth_revenue=np.nan,
            above_multiple=True,
        )
        out = pd.concat([fam, sku], ignore_index=True)
        return out[PLAN_VS_HISTORY_COLUMNS].astype({"above_multiple": bool})


PLAN_VS_HISTORY_COLUMNS = [
    "level",
    "family",
    "sku",
    "history_units",
    "plan_units",
    "growth_units",
    "history_revenue",
    "plan_revenue",
    "growth_revenue",
    "above_multiple",
    "excess_units",
    "excess_revenue",
]


def demand_review(
    forecast: pd.DataFrame,
    overrides: pd.DataFrame | None,
    products: pd.DataFrame,
    budget: pd.DataFrame | None,
    orders: pd.DataFrame,
    *,
    period: str,
    horizon: int,
    previous: pd.DataFrame | None = None,
    past_consensus: pd.DataFrame | None = None,
    pipeline_commit: pd.DataFrame | None = None,
    fiscal_year_start: int,
    movers: int,
    currency: str,
    price_window: int,
    launch_ramp: Sequence[float],
    history_multiple: float,
    assumed: Sequence[str] = (),
) -> DemandReview:
    """Step 02: the consensus plan at net price, life cycles, budget gap and bridge, history.

    ``past_consensus`` is every stored cycle's consensus; the latest cycle before
    ``period`` is the ``previous`` one unless given.
    """
    months = plan_months(period, horizon)
    if forecast is None or forecast.empty or statistical_forecast(forecast, months).empty:
        raise InputError(
            f"the cycle store has no forecast for {period}: run the forecasting notebook for this "
            "period first (compass-nb run --only 02_demand_planning runs it too)."
        )
    last = period_month(period)
    prices = net_prices(orders, products, last, window=price_window)
    plan = consensus_plan(forecast, overrides, products, months, prices=prices, ramp=launch_ramp)
    plan, method = coherent_bounds(plan, forecast)
    plan["bounds_method"] = method
    quarter = quarter_label(next_quarter_bounds(last, fiscal_year_start)[0], fiscal_year_start)
    actuals = monthly_actuals(orders)
    past = past_consensus if _present(past_consensus) else None
    if past is not None:
        past = past[past["period"].astype(str) < str(period)]
    if previous is None and past is not None and len(past):
        previous = past[past["period"] == past["period"].max()]
    gap = budget_gap(plan, budget)
    steps, by_family = budget_bridge(plan, budget)
    history, above = plan_vs_history(
        plan, actuals, products, last, months=min(12, horizon), multiple=history_multiple
    )
    stat = statistical_forecast(forecast, months).merge(
        life_shares(products, months)[["sku", "month", "life_share"]],
        on=["sku", "month"],
        how="left",
    )
    review = DemandReview(
        consensus=plan,
        waterfall=waterfall(plan),
        budget_gap=gap,
        budget_by_family=budget_gap_by_family(gap),
        budget=budget_totals(gap),
        bridge=steps,
        bridge_by_family=by_family,
        value=value_by_family(plan),
        movers=cycle_changes(plan, previous)
        .head(movers)
        .drop(columns=["previous_revenue", "current_revenue"]),
        pipeline=pipeline_comparison(plan, pipeline_commit, quarter, fiscal_year_start),
        fva=tracking.override_value_added(past, actuals, last)
        if past is not None and len(past)
        else pd.DataFrame(columns=["family", "rows", "wape_statistical", "wape_consensus", "fva"]),
        unmatched=unmatched_overrides(stat.fillna({"life_share": 1.0}), overrides),
        quarter=quarter,
        life_events=_life_events(plan, products, months),
        history=history,
        above_history=above,
        prices=_price_sources(plan),
        months=months,
        scenario_method=method,
        history_multiple=history_multiple,
    )
    if not _present(budget):
        review.assumptions.append(NO_BUDGET)
    if not _present(overrides):
        review.assumptions.append("no overrides: the consensus is the statistical forecast")
    review.assumptions += list(assumed)
    review.summary = _demand_summary(review, currency)
    return review


def _life_events(plan: pd.DataFrame, products: pd.DataFrame, months) -> pd.DataFrame:
    """Launches and phase-outs in the horizon with what the plan does about them."""
    events = life_events(products, months)
    if events.empty:
        return events.assign(planned_units=[], lifecycle_units=[], planned_revenue=[])
    per = plan.groupby("sku").agg(
        planned_units=("consensus", "sum"),
        lifecycle_units=("lifecycle", "sum"),
        planned_revenue=("revenue", "sum"),
    )
    out = events.merge(per, left_on="sku", right_index=True, how="left")
    return out.fillna({"planned_units": 0.0, "lifecycle_units": 0.0, "planned_revenue": 0.0})


def _price_sources(plan: pd.DataFrame) -> pd.DataFrame:
    """Plan revenue by where its net price came from (SKU history, family ratio, list price)."""
    out = plan.groupby("price_source", as_index=False).agg(
        skus=("sku", "nunique"), revenue=("revenue", "sum")
    )
    total = out["revenue"].sum()
    out["share"] = out["revenue"] / total if total else np.nan
    return out


def _demand_summary(r: DemandReview, currency: str) -> list[str]:
    plan = r.consensus
    list_revenue = plan["list_revenue"].sum()
    revenue = plan["revenue"].sum()
    lines = [
        f"Demand plan for the {span(r.months)}: {units(plan['consensus'].sum())} units, revenue "
        f"{money(revenue, currency)} at net price, margin {money(plan['margin'].sum(), currency)}"
        + (
            f" (at list price the revenue would read {money(list_revenue, currency)})."
            if abs(list_revenue - revenue) > 0.005 * max(abs(revenue), 1)
            else "."
        )
    ]
    total = r.history[r.history["family"] == "Total"]
    if len(total) and total["history_units"].iloc[0] > 0:
        t = total.iloc[0]
        n = min(12, len(r.months))
        lines.append(
            f"The next {n} months plan {units(t['plan_units'])} units ({money(t['plan_revenue'], currency)}) "
            f"against {units(t['history_units'])} units ({money(t['history_revenue'], currency)}) sold "
            f"in the last {n}: growth {pct(t['growth_units'], True)} in units, "
            f"{pct(t['growth_revenue'], True)} in revenue."
        )
    high = r.history[(r.history["family"] != "Total") & r.history["above_multiple"]]
    if len(high):
        lines.append(
            f"Plan above {r.history_multiple:g}× history: "
            + ", ".join(high["family"].astype(str))
            + "."
        )
    if len(r.above_history):
        lines.append(
            f"{len(r.above_history)} item(s) plan more than {r.history_multiple:g}× their last year's "
            "sales; they are listed as exceptions."
        )
    overridden = plan["override"].notna()
    if overridden.any():
        moved = float((plan["adjustment"] * plan["net_price"]).sum())
        lines.append(
            f"Overrides move revenue by {money(moved, currency, signed=True)} on "
            f"{int(overridden.sum())} SKU × location × month rows."
        )
    ev = r.life_events
    if len(ev):
        launches, outs = (ev["event"] == "launch").sum(), (ev["event"] == "phase-out").sum()
        lines.append(
            f"Life cycle in the horizon: {launches} launch(es) and {outs} phase-out(s); "
            f"{units(-plan.loc[plan['lifecycle'] < 0, 'lifecycle'].sum())} units of statistical "
            "forecast removed outside items' lives"
            + (
                f", {units(plan.loc[plan['lifecycle'] > 0, 'lifecycle'].sum())} units started for new items."
                if (plan["lifecycle"] > 0).any()
                else "."
            )
        )
    elif (plan["lifecycle"] < 0).any():
        lines.append(
            f"{units(-plan.loc[plan['lifecycle'] < 0, 'lifecycle'].sum())} units of statistical "
            "forecast removed for items outside their life (after discontinuation or before launch)."
        )
    b = r.budget
    if b["months"]:
        lines.append(
            f"Against budget over the {span(b['months'])} it covers: plan {money(b['revenue'], currency)}, "
            f"budget {money(b['budget_revenue'], currency)}, gap {money(b['gap_revenue'], currency, signed=True)} "
            f"({pct(b['gap_share'], True)})."
        )
        fam = r.budget_by_family
        fam = fam.assign(
            share=fam["gap_revenue"] / fam["budget_revenue"].where(fam["budget_revenue"] > 0)
        )
        worst = fam.sort_values("share").head(1)
        if len(worst) and worst["share"].iloc[0] < 0:
            w = worst.iloc[0]
            lines.append(
                f"Largest shortfall: {w['family']}, {money(w['gap_revenue'], currency)} "
                f"({pct(w['share'], True)} of its budget)."
            )
    sources = r.prices.set_index("price_source")["share"]
    if sources.drop("sku", errors="ignore").sum() > 0.0005:
        lines.append(
            "Net price from each SKU's own sales for "
            f"{pct(sources.get('sku', 0.0))} of plan revenue, its family's net-to-list ratio for "
            f"{pct(sources.get('family', 0.0))}, list price (no sales to learn from) for "
            f"{pct(sources.get('list', 0.0))}."
        )
    if not r.movers.empty:
        top = r.movers.iloc[0]
        lines.append(
            f"Biggest change since last cycle (on the months both plan): {top['sku']} "
            f"({top['family']}), revenue {money(top['delta_revenue'], currency, signed=True)}, "
            f"driven by the {top['driver']}."
        )
    if not r.pipeline.empty and r.pipeline["weighted"].notna().any():
        lines.append(
            f"Pipeline weighted forecast for {r.quarter}: {money(r.pipeline['weighted'].sum(), currency)} "
            f"beside consensus revenue {money(r.pipeline['consensus_revenue'].sum(), currency)}."
        )
    measured = r.fva.dropna(subset=["fva"]) if not r.fva.empty else r.fva
    if not measured.empty:
        better = int((measured["fva"] > 0).sum())
        lines.append(
            f"Overrides improved the lag-1 forecast in {better} of the {len(measured)} families "
            "whose overrides can be measured against actuals."
        )
    if not r.unmatched.empty:
        lines.append(f"{len(r.unmatched)} override(s) were not applied (listed below with why).")
    return lines + assumed_lines(r.assumptions)


# -- 03 supply planning ----------------------------------------------------------------------
@dataclass
class SupplyReview:
    plan: pd.DataFrame
    stored: pd.DataFrame
    safety: pd.DataFrame
    load: pd.DataFrame
    resource_load: pd.DataFrame
    exceptions: pd.DataFrame
    exception_summary: pd.DataFrame
    families: pd.DataFrame
    inventory: pd.DataFrame
    utilisation: pd.DataFrame
    orders: pd.DataFrame
    months: pd.DatetimeIndex
    capacity_known: bool
    inventory_known: bool
    assumptions: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    exports: list = field(default_factory=list)

    @property
    def horizon(self) -> str:
        """The planning horizon in words."""
        return span(self.months)

    @property
    def balance(self) -> pd.DataFrame:
        """Demand against supply served in its month, per family over the horizon."""
        return demand_supply_gaps(self.plan, ["family"])

    @property
    def safety_table(self) -> pd.DataFrame:
        """Safety stock as shown: demand over the lead time, its spread, the lead time, method."""
        columns = ["sku", "location", "demand_mean", "demand_sd", "lead_time_months"]
        columns += ["lead_time_sd_months", "service_level", "method", "safety_stock"]
        return self.safety[columns]

    @property
    def open_exceptions(self) -> pd.DataFrame:
        """The exceptions still to act on (new or open), largest first within each kind."""
        return self.exceptions[self.exceptions["status"] != "resolved"]


def supply_review(
    consensus: pd.DataFrame,
    products: pd.DataFrame,
    inventory: pd.DataFrame | None,
    capacity: pd.DataFrame | None,
    receipts: pd.DataFrame | None,
    orders: pd.DataFrame,
    *,
    period: str,
    service_level: float,
    history_months: int,
    priority: str,
    max_cover_months: float,
    lead_time_sd_share: float,
    capacity_lead_months: int,
    owners: dict,
    currency: str,
    residuals: pd.DataFrame | None = None,
    above_history: pd.DataFrame | None = None,
    previous_exceptions: pd.DataFrame | None = None,
    assumed: Sequence[str] = (),
) -> SupplyReview:
    """Step 03: safety stock, the constrained plan, its projection, load and exceptions."""
    if consensus is None or consensus.empty:
        raise InputError(
            f"the cycle store has no consensus plan for {period}: run 02_demand_planning first."
        )
    months = pd.DatetimeIndex(sorted(consensus["month"].unique()))
    safety = safety_stock_table(
        consensus,
        monthly_actuals(orders),
        products,
        period_month(period),
        service_level=service_level,
        window=history_months,
        lead_time_sd_share=lead_time_sd_share,
        residuals=residuals,
    )
    cutoff = period_month(period) + pd.offsets.MonthEnd(0)
    empty = pd.DataFrame({"sku": [], "location": [], "on_hand": []}).astype({"on_hand": float})
    opening = opening_stock(inventory, cutoff) if _present(inventory) else empty
    cap = capacity_by_month(capacity if _present(capacity) else pd.DataFrame(), months)
    prices = consensus[["sku", "unit_price", "net_price", "unit_cost"]].drop_duplicates("sku")
    sp = supply_plan(
        consensus.rename(columns={"consensus": "demand"}),
        opening,
        safety,
        cap,
        receipts
        if _present(receipts)
        else pd.DataFrame(columns=["period", "sku", "location", "quantity"]),
        prices,
        months,
        priority=priority,
        max_cover_months=max_cover_months,
        life=life_shares(products, months),
    )
    plan = sp.plan.merge(lead_months(products), left_on="sku", right_index=True, how="left")
    plan["lead_time_months"] = plan["lead_time_months"].fillna(0.0)
    above = None
    if _present(above_history):
        above = above_history[above_history["level"] == "sku"]
    exc = supply_exceptions(
        plan,
        sp.load,
        first_month=months[0],
        item_owner=item_owners(products, owners),
        resource_owner=resource_owners(capacity, owners),
        capacity_lead_months=capacity_lead_months,
        above_history=above,
        previous=previous_exceptions,
    )
    stored = plan_settings(
        sp.plan,
        priority=priority,
        max_cover_months=max_cover_months,
        capacity_lead_months=capacity_lead_months,
    )
    r = SupplyReview(
        plan=plan,
        stored=stored,
        safety=safety.sort_values("safety_stock", ascending=False).reset_index(drop=True),
        load=sp.load,
        resource_load=resource_load(sp.load),
        exceptions=exc,
        exception_summary=exception_summary(exc),
        families=family_summary(sp.plan),
        inventory=inventory_by_family(sp.plan),
        utilisation=utilisation_grid(resource_load(sp.load), "planned_utilisation")
        if not sp.load.empty
        else pd.DataFrame(),
        orders=planned_orders(sp.plan, products),
        months=months,
        capacity_known=_present(capacity),
        inventory_known=_present(inventory),
    )
    r.assumptions = [
        text
        for text, frame in (
            (NO_INVENTORY, inventory),
            (NO_CAPACITY, capacity),
            (NO_RECEIPTS, receipts),
        )
        if not _present(frame)
    ] + list(assumed)
    r.summary = _supply_summary(r, currency)
    return r


def _supply_summary(r: SupplyReview, currency: str) -> list[str]:
    p = r.plan
    demand = p["demand"].sum()
    fill = p["met"].sum() / demand if demand > 0 else np.nan
    lines = []
    if r.capacity_known:
        lines.append(
            f"Over the {span(r.months)}, the constrained plan serves {pct(fill)} of consensus demand "
            f"in its month; unmet {units(p['unmet'].sum())} units ({money(p['unmet_revenue'].sum(), currency)} at net price)."
        )
    else:
        lines.append(
            f"Over the {span(r.months)}, with no capacity data every requirement is taken as "
            "feasible: the fill rate is not assessed."
        )
    by_month = p.groupby("month")["inventory_value"].sum()
    lines.append(
        f"Average projected inventory {money(by_month.mean(), currency)} a month; "
        f"{int(p['below_safety_stock'].sum())} SKU × location × months below safety stock; stock above "
        f"maximum cover worth {money((p['excess'] * p['unit_cost']).groupby(p['month']).sum().mean(), currency)} a month on average."
    )
    short = r.exceptions[
        (r.exceptions["exception"] == "capacity short") & (r.exceptions["status"] != "resolved")
    ]
    if len(short):
        fam = short.groupby(["family", "resource"])["month"].nunique().sort_values(ascending=False)
        (family, resource), n = fam.index[0], int(fam.iloc[0])
        lines.append(
            f"Capacity is short after levelling in {short['month'].nunique()} month(s): the largest, "
            f"{family} on {resource} in {n} month(s), {money(short.loc[short['family'] == family, 'value'].sum(), currency)} "
            "of revenue at risk."
        )
    elif r.capacity_known and not r.load.empty:
        peak = r.resource_load.sort_values("planned_utilisation", ascending=False).iloc[0]
        lines.append(
            f"Capacity covers demand after levelling; the busiest resource is {peak['resource']} "
            f"at {pct(peak['planned_utilisation'])} in {peak['month']:%Y-%m}."
        )
    open_ = r.exceptions[r.exceptions["status"] != "resolved"]
    if len(open_):
        counts = open_.groupby("exception", sort=False).size()
        new = int((open_["status"] == "new").sum())
        lines.append(
            "Exceptions: "
            + ", ".join(f"{int(c)} {k}" for k, c in counts.items())
            + f" ({new} new since last cycle)."
        )
    else:
        lines.append("No exception remains after levelling.")
    resolved = int((r.exceptions["status"] == "resolved").sum())
    if resolved:
        lines.append(f"{resolved} exception(s) of last cycle resolved.")
    methods = r.safety["method"].value_counts()
    parts = [f"{int(methods[m])} by {METHODS_SHORT[m]}" for m in methods.index]
    default_sd = int(r.safety["lead_time_sd_source"].str.startswith("default").sum())
    lines.append(
        f"Safety stock for {len(r.safety)} SKU × locations: "
        + ", ".join(parts)
        + "."
        + (
            f" {default_sd} without a lead-time spread in the products table use the default share."
            if default_sd
            else ""
        )
    )
    if len(r.orders):
        added, share = rounding_added(r.orders)
        lines.append(
            f"Exported planned orders in whole units after lot sizes and MOQs: {units(r.orders['quantity'].sum())} "
            f"units, {units(added)} ({pct(share)}) more than the plan's exact quantities."
        )
    return lines + assumed_lines(r.assumptions)


METHODS_SHORT = {
    METHODS["error"]: "forecast error over the lead time",
    METHODS["demand"]: "de-seasonalised demand variability (no backtest residuals)",
    METHODS["empirical"]: "the empirical lead-time demand (intermittent)",
}


# -- 04 pre-S&OP review ----------------------------------------------------------------------
@dataclass
class PreSopReview:
    gaps: pd.DataFrame
    gap_periods: pd.DataFrame
    scenarios: pd.DataFrame
    ledger: pd.DataFrame
    recommendations: pd.DataFrame
    out_of_reach: pd.DataFrame
    side_by_side: pd.DataFrame
    heatmap: pd.DataFrame
    months: pd.DatetimeIndex
    capacity_known: bool = True
    assumptions: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def horizon(self) -> str:
        """The planning horizon in words."""
        return span(self.months)

    @property
    def recommendation_table(self) -> pd.DataFrame:
        """The recommendations as the meeting reads them: action, owner, due, value in money."""
        columns = [
            "action",
            "owner",
            "due",
            "gross_value",
            "cost",
            "net_value",
            "fill_rate",
            "cash",
        ]
        return self.recommendations[columns]

    @property
    def ledger_table(self) -> pd.DataFrame:
        """The assumptions ledger as shown (the assumption first, where it reads best)."""
        return self.ledger[["assumption", "scenario", "topic"]]

    def scenarios_for_store(self) -> pd.DataFrame:
        """The scenario table with each scenario's assumptions in one text column."""
        text = self.ledger.groupby("scenario", sort=False)["assumption"].agg("; ".join)
        return self.scenarios.assign(assumptions=self.scenarios["scenario"].map(text).fillna(""))


def pre_sop_review(
    consensus: pd.DataFrame,
    plan: pd.DataFrame,
    capacity: pd.DataFrame | None,
    products: pd.DataFrame,
    *,
    period: str,
    scenarios: list[dict] | None,
    max_increase: float,
    recommendations: int,
    holding_rate: float,
    capacity_cost_share: float,
    owners: dict,
    currency: str,
    demo: bool,
    assumed: Sequence[str] = (),
) -> PreSopReview:
    """Step 04: gaps, scenarios re-run through the supply plan, and net-valued recommendations.

    ``plan`` is the stored supply plan of step 03 (with the settings that made it, the
    lead time to add capacity among them); ``owners`` maps resources and SKUs to the
    owners step 03 gave their exceptions. Scenarios marked ``demo_only`` run only when
    ``demo`` is true; without capacity data, capacity scenarios and capacity actions are
    left out (the page says so).
    """
    if plan is None or plan.empty:
        raise InputError(
            f"the cycle store has no supply plan for {period}: run 03_supply_planning first."
        )
    capacity_lead_months = (
        int(plan["capacity_lead_months"].iloc[0]) if "capacity_lead_months" in plan else 0
    )
    base_inputs = inputs_from_plan(plan)
    months = base_inputs["months"]
    has_capacity = _present(capacity)
    cap = capacity_by_month(capacity if has_capacity else pd.DataFrame(), months)
    consensus = consensus[consensus["month"].isin(months)]
    extra = [s for s in (scenarios or []) if demo or not s.get("demo_only")]
    skipped = [s["name"] for s in extra if s.get("capacity") and not has_capacity]
    extra = [
        {k: v for k, v in s.items() if k != "demo_only"} for s in extra if s["name"] not in skipped
    ]
    specs = scenario_specs(extra)
    runs = {spec["name"]: run_scenario(consensus, spec, cap, **base_inputs) for spec in specs}
    base = runs["base"]
    gaps = demand_supply_gaps(base.plan)
    periods = gap_periods(gaps)
    first = months[0]
    resource_owner = resource_owners(capacity, owners)
    item_owner = item_owners(products, owners)

    def replan(changes):
        return run_scenario(consensus, {"name": "action", "capacity": changes}, cap, **base_inputs)

    base_plan = base.plan.assign(
        lead_time_months=base.plan["sku"].map(lead_months(products)).fillna(0.0)
    )
    figures = plan_figures(base)
    capacity_recs, reach = (
        rank_recommendations(
            periods,
            base,
            replan,
            max_increase=max_increase,
            limit=recommendations,
            earliest=first + pd.DateOffset(months=int(capacity_lead_months)),
            lead_months=int(capacity_lead_months),
            unit_costs=added_capacity_cost(capacity, products, default_share=capacity_cost_share),
            holding_rate=holding_rate,
            resource_owner=resource_owner,
        )
        if has_capacity
        else (pd.DataFrame(columns=RECOMMENDATION_COLUMNS), pd.DataFrame(columns=["gap_id"]))
    )
    inventory_recs = excess_recommendations(
        base_plan,
        holding_rate=holding_rate,
        limit=recommendations,
        first_month=first,
        item_owner=item_owner,
        base_fill=figures["fill_rate"],
        base_inventory=figures["inventory_value"],
    )
    parts = [p for p in (capacity_recs, inventory_recs) if not p.empty]
    recs = ranked(pd.concat(parts, ignore_index=True)) if parts else capacity_recs
    table = scenario_table({name: plan_metrics(p) for name, p in runs.items()})
    method = (
        str(consensus["bounds_method"].iloc[0])
        if "bounds_method" in consensus and len(consensus)
        else ""
    )
    inputs = [NO_CAPACITY] if not has_capacity else []
    r = PreSopReview(
        gaps=gaps,
        gap_periods=periods,
        scenarios=table,
        ledger=assumptions_ledger(specs, base_inputs["priority"], method, inputs),
        recommendations=recs,
        out_of_reach=reach,
        side_by_side=side_by_side(table),
        heatmap=base.load,
        months=months,
        capacity_known=has_capacity,
    )
    if not has_capacity:
        r.assumptions.append(NO_CAPACITY + "; no capacity scenario or capacity action is assessed")
    if skipped:
        r.assumptions.append("scenario(s) left out without capacity data: " + ", ".join(skipped))
    r.assumptions += list(assumed)
    r.summary = _pre_sop_summary(r, currency, capacity_lead_months)
    return r


def _pre_sop_summary(r: PreSopReview, currency: str, lead: int) -> list[str]:
    wide = r.scenarios.pivot_table(index="scenario", columns="metric", values="value", sort=False)
    delta = r.scenarios.pivot_table(index="scenario", columns="metric", values="delta", sort=False)
    at_risk = r.gaps["revenue_at_risk"].sum()
    served = f"Base plan over the {span(r.months)}: revenue served {money(wide.loc['base', 'revenue'], currency)}"
    if not r.capacity_known:
        lines = [served + ", fill rate and unmet demand not assessed (no capacity data)."]
    else:
        lines = [
            served
            + f", fill rate {pct(wide.loc['base', 'fill_rate'])}"
            + (
                f", revenue at risk {money(at_risk, currency)} in {len(r.gap_periods)} gap(s)."
                if len(r.gap_periods)
                else ", no demand left unserved."
            )
        ]
    for name in delta.index:
        if name == "base":
            continue
        supply = (
            f", fill rate {round(delta.loc[name, 'fill_rate'] * 100, 1) + 0.0:+.1f} pts, unmet "
            f"{round(delta.loc[name, 'unmet_units']) + 0.0:+,.0f} units"
            if r.capacity_known
            else ""
        )
        lines.append(
            f"{name}: revenue {money(delta.loc[name, 'revenue'], currency, signed=True)}{supply} "
            "against base."
        )
    if r.recommendations.empty:
        lines.append(
            "No recommendation: no gap a capacity action can reach and no excess stock fed by supply."
        )
    else:
        top = r.recommendations.iloc[0]
        lines.append(
            f"Top recommendation: {top['action']} — gross {money(top['gross_value'], currency)}, cost "
            f"{money(top['cost'], currency)}, net {money(top['net_value'], currency)}; owner {top['owner']}, "
            f"decide by {pd.Timestamp(top['due']):%Y-%m}."
        )
        losing = int((r.recommendations["net_value"] <= 0).sum())
        if losing:
            lines.append(f"{losing} action(s) cost more than they bring back (net value ≤ 0).")
    if len(r.out_of_reach):
        lines.append(
            f"{len(r.out_of_reach)} gap(s) end within the {lead}-month lead time to add capacity: "
            "only allocation or expediting can help."
        )
    return lines + assumed_lines(r.assumptions)


# -- 05 executive S&OP ----------------------------------------------------------------------
@dataclass
class ExecutiveReview:
    kpis: pd.DataFrame
    kpi_display: pd.DataFrame
    budget: dict
    bridge: pd.DataFrame
    monthly: pd.DataFrame
    balance: pd.DataFrame
    risks: pd.DataFrame
    options: pd.DataFrame
    below: pd.DataFrame
    threshold: float
    side_by_side: pd.DataFrame
    history: pd.DataFrame
    budget_misses: pd.DataFrame
    months: pd.DatetimeIndex
    common_months: list
    log: pd.DataFrame = field(default_factory=pd.DataFrame)
    assumptions: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def horizon(self) -> str:
        """The planning horizon in words."""
        return span(self.months)

    @property
    def status(self) -> str:
        """``decisions pending`` until every decision is recorded, else ``decisions recorded``."""
        return "decisions pending" if len(self.decisions_pending) else "decisions recorded"

    @property
    def options_table(self) -> pd.DataFrame:
        """The decisions' options as shown (the option first)."""
        columns = ["decision_id", "option", "profit_effect", "fill_rate", "inventory_value"]
        columns += ["cash", "owner", "due"]
        return self.options.rename(columns={"net_pnl": "profit_effect"})[columns]

    @property
    def decision_titles(self) -> pd.DataFrame:
        """Each decision required, by id."""
        return self.options[["decision_id", "decision"]].drop_duplicates("decision_id")

    @property
    def risk_table(self) -> pd.DataFrame:
        """Risks and opportunities as shown (the item first)."""
        return self.risks[["item", "kind", "value"]]

    @property
    def history_table(self) -> pd.DataFrame:
        """The next 12 months against the last 12, by family (and in total)."""
        columns = ["family", "history_units", "plan_units", "growth_units"]
        columns += ["history_revenue", "plan_revenue", "growth_revenue"]
        return self.history[columns] if len(self.history) else self.history

    @property
    def log_table(self) -> pd.DataFrame:
        """The decision log as shown: what was decided (or is pending), by whom, by when."""
        return self.log[["decision_id", "title", "status", "option", "owner", "due", "at_stake"]]

    @property
    def decisions_pending(self) -> pd.DataFrame:
        """The decisions still to be recorded."""
        return pending(self.log) if len(self.log) else self.log


def executive_review(
    consensus_all: pd.DataFrame,
    plan_all: pd.DataFrame,
    scenarios: pd.DataFrame,
    recommendations: pd.DataFrame,
    budget: pd.DataFrame | None,
    orders: pd.DataFrame,
    *,
    period: str,
    targets: dict | None,
    materiality_share: float,
    plan_owner: str,
    approved_scenario: str,
    decisions: list | None,
    currency: str,
    plan_vs_history: pd.DataFrame | None = None,
    family_owner: pd.Series | None = None,
    inventory_known: bool = True,
    capacity_known: bool = True,
    costs_known: bool = True,
    accuracy_months: int = 3,
    assumed: Sequence[str] = (),
) -> ExecutiveReview:
    """Step 05: KPIs over the horizon, budget and its bridge, risks, decisions and their log.

    ``consensus_all`` and ``plan_all`` hold every stored cycle (this one included); the
    previous cycle is the latest one before ``period``. Forecast accuracy is 1 − the
    lag-1 WAPE of the consensus over the last ``accuracy_months`` months with actuals.
    """
    bands = check_bands(targets)
    cur_c, cur_p = (df[df["period"].astype(str) == str(period)] for df in (consensus_all, plan_all))
    if cur_p.empty:
        raise InputError(
            f"the cycle store has no supply plan for {period}: run 03_supply_planning first."
        )
    months = pd.DatetimeIndex(sorted(cur_p["month"].unique()))
    actuals = monthly_actuals(orders)
    current = cycle_kpis(
        cur_c, cur_p, months, lag1_accuracy(consensus_all, actuals, period, accuracy_months)
    )
    earlier = sorted(p for p in plan_all["period"].astype(str).unique() if p < str(period))
    change, common = {}, []
    if earlier:
        prev = earlier[-1]
        prev_c = consensus_all[consensus_all["period"].astype(str) == prev]
        prev_p = plan_all[plan_all["period"].astype(str) == prev]
        common = sorted(set(months) & set(prev_p["month"]))
        now = cycle_kpis(cur_c, cur_p, common, current["forecast_accuracy"])
        then = cycle_kpis(
            prev_c, prev_p, common, lag1_accuracy(consensus_all, actuals, prev, accuracy_months)
        )
        change = {k: now[k] - then[k] for k in now}
    assumed_kpis = {}
    if not inventory_known:
        assumed_kpis.update(inventory_value="no stock data", days_of_supply="no stock data")
    if not capacity_known:
        assumed_kpis["fill_rate"] = "unlimited capacity assumed"
    if not costs_known:
        for key in ("margin_plan", "margin_rate", "inventory_value"):
            assumed_kpis.setdefault(key, "unit costs assumed")
    table = kpi_table(current, change, bands, assumed_kpis)
    gap = budget_gap(cur_c, budget)
    steps, _ = budget_bridge(cur_c, budget)
    threshold = materiality_share * current["revenue_plan"]
    options, below = decisions_required(
        recommendations,
        scenarios,
        threshold=threshold,
        plan_owner=plan_owner,
        first_month=months[0],
    )
    log = decision_log(
        approved_scenario, decisions, list(scenarios["scenario"].unique()), options, recommendations
    )
    r = ExecutiveReview(
        kpis=table,
        kpi_display=kpi_display(
            table,
            f"change vs last cycle ({span(common)} both plan)"
            if common
            else "change vs last cycle",
        ),
        budget=budget_totals(gap),
        bridge=steps,
        monthly=revenue_by_month(cur_c, budget, actuals, months),
        balance=demand_supply_gaps(cur_p, ["family"]),
        risks=risks_and_opportunities(cur_p, cur_c, budget, scenarios, recommendations, months),
        options=options,
        below=below,
        threshold=threshold,
        side_by_side=side_by_side(scenarios),
        history=plan_vs_history[plan_vs_history["level"] != "sku"]
        if _present(plan_vs_history)
        else pd.DataFrame(),
        budget_misses=budget_misses(cur_c, cur_p, budget, recommendations, family_owner),
        months=months,
        common_months=common,
        log=log,
    )
    if not inventory_known:
        r.assumptions.append(NO_INVENTORY)
    if not capacity_known:
        r.assumptions.append(NO_CAPACITY)
    if not _present(budget):
        r.assumptions.append(NO_BUDGET)
    r.assumptions += list(assumed)
    r.summary = _executive_summary(r, currency)
    return r


def budget_misses(
    consensus: pd.DataFrame,
    plan: pd.DataFrame,
    budget: pd.DataFrame | None,
    recommendations: pd.DataFrame,
    family_owner: pd.Series | None,
) -> pd.DataFrame:
    """Each family against its budget over the months the budget covers, with its owner and
    the recommendation that helps it.

    Two gaps: the demand plan against budget (what the market is expected to buy) and the
    revenue the supply plan serves in its month against budget (what the company can
    deliver). A capacity action for the family recovers part of the second; a shortfall of
    demand has no supply action (the column says so). Sorted by the served gap.
    """
    columns = [
        "family",
        "budget_revenue",
        "plan_revenue",
        "demand_gap",
        "demand_gap_share",
        "served_revenue",
        "served_gap",
        "owner",
        "recommendation",
        "net_value",
        "recovered_revenue",
    ]
    if not _present(budget):
        return pd.DataFrame(columns=columns)
    gap = budget_gap(consensus, budget).dropna(subset=["budget_revenue"])
    covered = set(gap["month"])
    out = gap.groupby("family", as_index=False)[["budget_revenue", "revenue"]].sum()
    out = out.rename(columns={"revenue": "plan_revenue"})
    served = plan[plan["month"].isin(covered)].groupby("family")["revenue"].sum()
    out["served_revenue"] = out["family"].map(served).fillna(0.0)
    out["demand_gap"] = out["plan_revenue"] - out["budget_revenue"]
    out["demand_gap_share"] = out["demand_gap"] / out["budget_revenue"].where(
        out["budget_revenue"] > 0
    )
    out["served_gap"] = out["served_revenue"] - out["budget_revenue"]
    owners = family_owner if family_owner is not None else pd.Series(dtype=object)
    out["owner"] = out["family"].map(owners).fillna("unassigned")
    recs = recommendations[
        (recommendations["kind"] == "capacity") & (recommendations["net_value"] > 0)
    ]
    best = (
        recs.sort_values("net_value", ascending=False).drop_duplicates("family").set_index("family")
    )
    out["recommendation"] = out["family"].map(best["action"]) if len(best) else np.nan
    out["net_value"] = out["family"].map(best["net_value"]) if len(best) else np.nan
    out["recovered_revenue"] = out["family"].map(best["recovered_revenue"]) if len(best) else np.nan
    short = out["served_gap"] < 0
    out["recommendation"] = (
        out["recommendation"]
        .where(
            out["recommendation"].notna() | ~short,
            np.where(out["demand_gap"] < 0, "none: demand shortfall", "none net-positive"),
        )
        .fillna("")
    )
    return out.sort_values("served_gap").reset_index(drop=True)[columns]


def revenue_by_month(
    consensus: pd.DataFrame, budget: pd.DataFrame | None, actuals: pd.DataFrame, months
) -> pd.DataFrame:
    """Plan revenue (net), budget revenue and last year's actual net revenue by plan month."""
    out = pd.DataFrame({"month": pd.DatetimeIndex(months)})
    out["plan"] = out["month"].map(consensus.groupby("month")["revenue"].sum()).fillna(0.0)
    if _present(budget):
        b = budget.assign(month=to_datetime(budget["period"].astype(str) + "-01"))
        out["budget"] = out["month"].map(b.groupby("month")["revenue"].sum())
    else:
        out["budget"] = np.nan
    last_year = actuals.groupby("month")["actual_revenue"].sum()
    out["last_year"] = (out["month"] - pd.DateOffset(years=1)).map(last_year)
    return out


def lag1_accuracy(
    consensus_all: pd.DataFrame, actuals: pd.DataFrame, period: str, months: int = 3
) -> float | None:
    """1 − lag-1 WAPE of the consensus over the last ``months`` months up to ``period`` (None if none)."""
    past = consensus_all[consensus_all["period"].astype(str) < str(period)]
    if past.empty:
        return None
    acc = tracking.accuracy_by_lag(past, actuals, period_month(period), lags=(1,), by=())
    recent = acc.sort_values("month").tail(months)
    if recent.empty or recent["actual"].sum() <= 0:
        return None
    return float(1.0 - recent["abs_error"].sum() / recent["actual"].sum())


def risks_and_opportunities(
    plan: pd.DataFrame,
    consensus: pd.DataFrame,
    budget: pd.DataFrame | None,
    scenarios: pd.DataFrame,
    recommendations: pd.DataFrame,
    months: pd.DatetimeIndex,
    top: int = 5,
) -> pd.DataFrame:
    """The largest risks (unmet demand, budget shortfalls, excess stock) and opportunities.

    Returns ``kind`` (``risk`` or ``opportunity``), ``item``, ``value`` (money), sorted by
    value within kind.
    """
    rows = []
    p = plan[plan["month"].isin(months)]
    gaps = demand_supply_gaps(p, ["family"])
    material = (gaps["revenue_at_risk"] >= 0.5) & (gaps["gap_units"] >= 0.5)  # not "0 units"
    for g in gaps[material].head(top).itertuples():
        rows.append(
            (
                "risk",
                f"{g.family}: {g.gap_units:,.0f} units of demand not served in their month",
                g.revenue_at_risk,
            )
        )
    if _present(budget):
        bg = budget_gap(consensus[consensus["month"].isin(months)], budget)
        covered = bg.dropna(subset=["budget_revenue"])
        label = span(covered["month"].unique())
        for fam, value in covered.groupby("family")["gap_revenue"].sum().sort_values().items():
            kind, text = ("risk", "below budget") if value < 0 else ("opportunity", "above budget")
            rows.append((kind, f"{fam}: plan revenue {text} ({label})", abs(value)))
    excess = (p["excess"] * p["unit_cost"]).groupby(p["family"]).sum() / max(len(months), 1)
    for fam, value in excess[excess > 0].sort_values(ascending=False).head(top).items():
        rows.append(("risk", f"{fam}: stock above maximum cover (average value a month)", value))
    up = scenarios[(scenarios["scenario"] == "upside") & (scenarios["metric"] == "revenue")]
    if not up.empty and float(up["delta"].iloc[0]) > 0:
        rows.append(
            (
                "opportunity",
                "Upside demand served with today's capacity (revenue)",
                float(up["delta"].iloc[0]),
            )
        )
    for rec in recommendations[recommendations["net_value"] > 0].itertuples():
        rows.append(("opportunity", f"{rec.action} (net value)", float(rec.net_value)))
    out = pd.DataFrame(rows, columns=["kind", "item", "value"])
    return (
        out.sort_values(["kind", "value"], ascending=[False, False])
        .groupby("kind", sort=False)
        .head(top)
        .reset_index(drop=True)
    )


def _executive_summary(r: ExecutiveReview, currency: str) -> list[str]:
    k = r.kpis.set_index("kpi")
    pending_rows = r.decisions_pending
    lines = []
    if len(pending_rows):
        lines.append(
            f"Decisions pending: {len(pending_rows)} decision(s) to record "
            "(executive_sop.approved_scenario and executive_sop.decisions), none approved yet."
        )
    else:
        approved = r.log.loc[r.log["kind"] == "scenario", "option"]
        lines.append(
            f"Decisions recorded: plan follows the {approved.iloc[0]} scenario; "
            f"{int((r.log['kind'] == 'action').sum())} action(s) decided."
        )
    change = k.loc["revenue_plan", "change"]
    lines.append(
        f"Revenue plan for the {span(r.months)}: {money(k.loc['revenue_plan', 'value'], currency)} "
        f"at net price, margin {money(k.loc['margin_plan', 'value'], currency)}"
        + (
            f"; {_moved(change, currency)} on last cycle's plan for the {span(r.common_months)} "
            "both plan."
            if not pd.isna(change)
            else "."
        )
    )
    hist = r.history[r.history["family"] == "Total"] if len(r.history) else r.history
    if len(hist) and hist["history_units"].iloc[0] > 0:
        t = hist.iloc[0]
        lines.append(
            f"The next 12 months plan {money(t['plan_revenue'], currency)} against "
            f"{money(t['history_revenue'], currency)} in the last 12: growth {pct(t['growth_revenue'], True)}."
        )
    b = r.budget
    if b["months"]:
        lines.append(
            f"Against budget over the {span(b['months'])} it covers: gap {money(b['gap_revenue'], currency, signed=True)} "
            f"({pct(b['gap_share'], True)})."
        )
    misses = r.budget_misses[r.budget_misses["served_gap"] < 0]
    if len(misses):
        m = misses.iloc[0]
        lines.append(
            f"Largest miss of served revenue against budget: {m['family']}, {money(m['served_gap'], currency)} "
            f"(owner {m['owner']}); "
            + (
                f"recommended: {m['recommendation']}, net value {money(m['net_value'], currency)}."
                if pd.notna(m["net_value"])
                else (
                    "a shortfall of demand, which no supply action closes."
                    if m["demand_gap"] < 0
                    else "no capacity action pays for itself."
                )
            )
        )
    if not pd.isna(k.loc["fill_rate", "value"]) and "fill_rate" not in [
        kk for kk, s in k["status"].items() if str(s).startswith("not assessed")
    ]:
        lines.append(
            f"Fill rate {pct(k.loc['fill_rate', 'value'])}; average inventory "
            f"{money(k.loc['inventory_value', 'value'], currency)} ({units(k.loc['days_of_supply', 'value'])} days of supply)."
        )
    off = k[k["status"].isin(["below floor", "above ceiling"])]
    if len(off):
        lines.append(
            "Outside their target band: "
            + ", ".join(f"{lab} ({s})" for lab, s in zip(off["label"], off["status"], strict=True))
            + "."
        )
    unmeasured = k[k["status"] == "not measured"]
    if len(unmeasured):
        lines.append("Not measured: " + ", ".join(unmeasured["label"]) + ".")
    actions = r.options[r.options["decision_id"] != "PLAN"]["decision_id"].nunique()
    lines.append(
        f"{actions} action(s) worth at least {money(r.threshold, currency)} (the materiality threshold) "
        "go to the meeting"
        + (
            f"; {len(r.below)} smaller one(s) worth {money(r.below['net_value'].clip(lower=0).sum(), currency)} together are left to the planners."
            if len(r.below)
            else "."
        )
    )
    risks = r.risks[r.risks["kind"] == "risk"]
    if not risks.empty:
        lines.append(
            f"Top risk: {risks.iloc[0]['item']} ({money(risks.iloc[0]['value'], currency)})."
        )
    return lines + assumed_lines(r.assumptions)


# -- 06 implementation tracking ----------------------------------------------------------------
BACKFILL = (
    "The store holds no earlier cycle to track yet: run past cycles first, e.g. "
    "compass-nb run --backfill 12 (or make report), then this page compares each plan "
    "with what happened."
)


@dataclass
class TrackingReview:
    cycles: list[str]
    has_history: bool
    accuracy: pd.DataFrame
    accuracy_trend: pd.DataFrame
    tracking_signal: pd.DataFrame
    fva: pd.DataFrame
    adherence: pd.DataFrame
    fill: pd.DataFrame
    inventory: pd.DataFrame
    ledger: pd.DataFrame
    change: pd.DataFrame
    change_months: list
    summary: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    capacity_known: bool = True


def _empty_tracking(cycles: list[str], assumptions: list[str]) -> TrackingReview:
    frame = pd.DataFrame()
    return TrackingReview(
        cycles=cycles,
        has_history=False,
        accuracy=frame,
        accuracy_trend=frame,
        tracking_signal=frame,
        fva=frame,
        adherence=frame,
        fill=frame,
        inventory=frame,
        ledger=frame,
        change=frame,
        change_months=[],
        summary=[BACKFILL] + assumed_lines(assumptions),
        assumptions=assumptions,
    )


def tracked_accuracy(
    consensus_all: pd.DataFrame, actuals: pd.DataFrame, *, period: str, lags: tuple[int, ...]
) -> tuple[list[str], pd.DataFrame]:
    """The cycles in the store and the consensus accuracy per lag and target month over
    them (:func:`tracking.accuracy_by_lag` with ``by=()``; empty before a second cycle):
    the figures step 06 keeps for every cycle, its page or not.

    ``actuals`` is :func:`.months.monthly_actuals` of the orders.
    """
    cons = consensus_all if _present(consensus_all) else pd.DataFrame(columns=["period"])
    cycles = sorted(cons["period"].astype(str).unique())
    if not [c for c in cycles if c < str(period)]:
        return cycles, pd.DataFrame()
    trend = tracking.accuracy_by_lag(cons, actuals, period_month(period), lags=lags, by=())
    return cycles, trend


def tracking_review(
    consensus_all: pd.DataFrame,
    forecast_all: pd.DataFrame,
    supply_all: pd.DataFrame,
    decisions_all: pd.DataFrame,
    orders: pd.DataFrame,
    inventory: pd.DataFrame | None,
    products: pd.DataFrame,
    *,
    period: str,
    lags: tuple[int, ...],
    fill_rate_target: float | None,
    currency: str,
    capacity_known: bool = True,
    assumed: Sequence[str] = (),
) -> TrackingReview:
    """Step 06: every past cycle's plan against what happened; one message without history."""
    assumptions = ([] if _present(inventory) else [NO_STOCK_TRACKED]) + list(assumed)
    last = period_month(period)
    actuals = monthly_actuals(orders)
    cycles, trend = tracked_accuracy(consensus_all, actuals, period=period, lags=lags)
    cons = consensus_all if _present(consensus_all) else pd.DataFrame(columns=["period"])
    past = [c for c in cycles if c < str(period)]
    if not past:
        return _empty_tracking(cycles, assumptions)
    acc = tracking.accuracy_by_lag(cons, actuals, last, lags=lags)
    supply = supply_all if _present(supply_all) else pd.DataFrame()
    current = cons[cons["period"].astype(str) == str(period)]
    previous = cons[cons["period"].astype(str) == past[-1]]
    change, change_months = (
        plan_change(current, previous, actuals, last) if len(current) else (pd.DataFrame(), [])
    )
    ts = tracking.tracking_signal(acc[acc["lag"] == min(lags)]) if len(acc) else acc
    r = TrackingReview(
        cycles=cycles,
        has_history=True,
        accuracy=_accuracy_table(acc, forecast_all, actuals, last, lags) if len(acc) else acc,
        accuracy_trend=trend,
        tracking_signal=ts.sort_values("month")
        .groupby("family", as_index=False)
        .last()[["family", "month", "tracking_signal"]]
        if len(ts)
        else ts,
        fva=tracking.fva_by_month(cons, actuals, last),
        adherence=tracking.adherence_by_month(cons, actuals, last, by=()),
        fill=tracking.achieved_fill_rate(supply, actuals, last, by=())
        if not supply.empty and capacity_known  # unlimited supply assumed: nothing to measure
        else pd.DataFrame(columns=["month", "served", "actual", "fill_rate"]),
        inventory=tracking.inventory_vs_plan(supply, inventory, products, last)
        if not supply.empty and _present(inventory)
        else pd.DataFrame(columns=["month", "planned_value", "actual_value", "difference"]),
        ledger=tracking.decision_ledger(
            decisions_all[decisions_all["period"].astype(str) < str(period)]
            if _present(decisions_all)
            else None,
            cons,
            supply,
            actuals,
            last,
        ),
        change=change,
        change_months=change_months,
        assumptions=assumptions,
        capacity_known=capacity_known,
    )
    r.summary = _tracking_summary(r, fill_rate_target, currency)
    return r


def _accuracy_table(acc, forecast_all, actuals, last, lags) -> pd.DataFrame:
    """WAPE and bias per family and lag over all tracked months, consensus and statistical."""

    def summed(df):
        out = df.groupby(["family", "lag"], as_index=False)[["actual", "abs_error", "error"]].sum()
        out["months"] = df.groupby(["family", "lag"])["month"].nunique().to_numpy()
        out["wape"] = out["abs_error"] / out["actual"].where(out["actual"] > 0)
        out["bias"] = out["error"] / out["actual"].where(out["actual"] > 0)
        return out

    table = summed(acc)[["family", "lag", "months", "wape", "bias"]]
    if _present(forecast_all):
        f = (
            forecast_all[forecast_all["level"] == "sku_location"]
            if "level" in forecast_all
            else forecast_all
        )
        stat = tracking.accuracy_by_lag(f, actuals, last, value="yhat", lags=lags)
        if len(stat):
            table = table.merge(
                summed(stat)[["family", "lag", "wape"]].rename(
                    columns={"wape": "statistical_wape"}
                ),
                on=["family", "lag"],
                how="left",
            )
    return table.sort_values(["lag", "family"]).reset_index(drop=True)


def _tracking_summary(r: TrackingReview, target: float | None, currency: str) -> list[str]:
    lines = [f"{len(r.cycles)} cycle(s) in the store, {r.cycles[0]} to {r.cycles[-1]}."]
    for lag, rows in r.accuracy_trend.groupby("lag"):
        recent = rows.sort_values("month").tail(6)
        if recent["actual"].sum() <= 0:
            continue
        lines.append(
            f"Lag-{lag} consensus WAPE over the last {len(recent)} tracked months: "
            f"{pct(recent['abs_error'].sum() / recent['actual'].sum())} "
            f"(bias {pct(recent['error'].sum() / recent['actual'].sum(), True)})."
        )
    if r.accuracy_trend.empty:
        lines.append("No month with actuals has been planned by a stored cycle yet.")
    if not r.change.empty:
        s = r.change.set_index("step")["value"]
        moved = s["this cycle's plan"] - s["last cycle's plan"]
        parts = s.drop(["last cycle's plan", "this cycle's plan"])
        big = parts.abs().idxmax()
        lines.append(
            f"Since last cycle the plan moved by {money(moved, currency, signed=True)} over the "
            f"{span(r.change_months)}; the largest part: {big} "
            f"({money(parts[big], currency, signed=True)})."
        )
    if not r.adherence.empty:
        a = r.adherence.dropna(subset=["adherence"])
        if not a.empty:
            lines.append(
                f"Plan adherence (lag 1): {pct(a['kept'].sum() / a['plan'].sum())} over {len(a)} months."
            )
    if not r.capacity_known:
        lines.append(
            "Achieved fill rate not measured: without capacity data each plan assumed unlimited supply."
        )
    elif not r.fill.empty and r.fill["actual"].sum() > 0:
        fill = r.fill["served"].sum() / r.fill["actual"].sum()
        lines.append(
            f"Achieved fill rate {pct(fill)}"
            + (f" against a target of {pct(target)}." if target else ".")
        )
    if len(r.tracking_signal):
        flagged = r.tracking_signal[r.tracking_signal["tracking_signal"].abs() > 4]
        if len(flagged):
            lines.append(
                "Biased families (tracking signal outside ±4): "
                + ", ".join(flagged["family"].astype(str))
                + "."
            )
    if not r.ledger.empty:
        decided = int((r.ledger["status"] == "decided").sum())
        lines.append(
            f"Decision ledger: {len(r.ledger)} past decision(s), {decided} recorded, "
            f"{len(r.ledger) - decided} left pending at their meeting."
        )
    return lines + assumed_lines(r.assumptions)


def overall_wape(accuracy_trend: pd.DataFrame) -> dict[int, float]:
    """WAPE per lag over every tracked month (from :func:`tracking.accuracy_by_lag` with ``by=()``)."""
    if accuracy_trend.empty:
        return {}
    sums = accuracy_trend.groupby("lag")[["abs_error", "actual"]].sum()
    return {
        int(lag): float(row["abs_error"] / row["actual"])
        for lag, row in sums.iterrows()
        if row["actual"] > 0
    }


def _moved(change: float, currency: str) -> str:
    """``up 4.44 M EUR``, ``down 12 k EUR`` or ``unchanged`` (to the unit)."""
    if round(abs(change)) == 0:
        return "unchanged"
    return f"{'up' if change > 0 else 'down'} {money(abs(change), currency)}"
