"""One call per S&OP notebook: everything a step computes, with its summary sentences.

Each function takes the step's input tables and parameters and returns a dataclass of
DataFrames plus ``summary`` (the headline sentences, figures included), so that a
notebook is one computing cell followed by tables and charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compass_nb.calendar import next_quarter_bounds, period_month, plan_months, quarter_label
from compass_nb.errors import InputError, ParameterError
from compass_nb.formatting import money, pct
from compass_nb.sop import tracking
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
from compass_nb.sop.decisions import decisions_required
from compass_nb.sop.exceptions import exception_summary, supply_exceptions
from compass_nb.sop.gaps import demand_supply_gaps, gap_periods
from compass_nb.sop.inventory import opening_stock, safety_stock_table
from compass_nb.sop.kpis import KPIS, budget_kpis, cycle_kpis, kpi_display, kpi_table
from compass_nb.sop.months import monthly_actuals
from compass_nb.sop.recommendations import COLUMNS as RECOMMENDATION_COLUMNS
from compass_nb.sop.recommendations import excess_recommendations, rank_recommendations, ranked
from compass_nb.sop.scenarios import (
    assumptions_ledger,
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
from compass_nb.sop.value import cycle_changes, value_by_family


# -- 02 demand planning ----------------------------------------------------------------------
@dataclass
class DemandReview:
    consensus: pd.DataFrame
    waterfall: pd.DataFrame
    budget_gap: pd.DataFrame
    value: pd.DataFrame
    movers: pd.DataFrame
    pipeline: pd.DataFrame
    fva: pd.DataFrame
    unmatched: pd.DataFrame
    quarter: str
    budget_by_family: pd.DataFrame
    summary: list[str] = field(default_factory=list)


def demand_review(
    forecast: pd.DataFrame,
    overrides: pd.DataFrame,
    products: pd.DataFrame,
    budget: pd.DataFrame,
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
) -> DemandReview:
    """Step 02: the consensus plan, its waterfall, budget gap, value, movers and override FVA.

    ``past_consensus`` is every stored cycle's consensus; the latest cycle before
    ``period`` is the ``previous`` one unless given.
    """
    months = plan_months(period, horizon)
    if forecast is None or forecast.empty or statistical_forecast(forecast, months).empty:
        raise InputError(
            f"the cycle store has no forecast for {period}: run the forecasting notebook for this "
            "period first (compass-nb run --only 02_demand_planning runs it too)."
        )
    plan = consensus_plan(forecast, overrides, products, months)
    quarter = quarter_label(
        next_quarter_bounds(period_month(period), fiscal_year_start)[0], fiscal_year_start
    )
    actuals = monthly_actuals(orders)
    past = past_consensus if past_consensus is not None and not past_consensus.empty else None
    if past is not None:
        past = past[past["period"].astype(str) < str(period)]
    if previous is None and past is not None and len(past):
        previous = past[past["period"] == past["period"].max()]
    gap = budget_gap(plan, budget)
    review = DemandReview(
        consensus=plan,
        waterfall=waterfall(plan),
        budget_gap=gap,
        value=value_by_family(plan),
        movers=cycle_changes(plan, previous).head(movers),
        pipeline=pipeline_comparison(plan, pipeline_commit, quarter, fiscal_year_start),
        fva=tracking.override_value_added(past, actuals, period_month(period))
        if past is not None and len(past)
        else pd.DataFrame(columns=["family", "rows", "wape_statistical", "wape_consensus", "fva"]),
        unmatched=unmatched_overrides(statistical_forecast(forecast, months), overrides),
        quarter=quarter,
        budget_by_family=budget_gap_by_family(gap),
    )
    review.summary = _demand_summary(review, currency)
    return review


def _demand_summary(r: DemandReview, currency: str) -> list[str]:
    plan = r.consensus
    first12 = plan[plan["month"] < plan["month"].min() + pd.DateOffset(months=12)]
    stat_rev = (first12["stat_forecast"] * first12["unit_price"]).sum()
    lines = [
        f"Consensus for the next 12 months: {first12['consensus'].sum():,.0f} units, revenue "
        f"{money(first12['revenue'].sum(), currency)}, margin {money(first12['margin'].sum(), currency)}.",
        f"Overrides move revenue by {money(first12['revenue'].sum() - stat_rev, currency)} "
        f"({pct(first12['revenue'].sum() / stat_rev - 1 if stat_rev else np.nan, True)}) against the statistical "
        f"forecast, on {int(plan['override'].notna().sum())} SKU × location × month rows.",
    ]
    g = r.budget_gap.dropna(subset=["budget_revenue"])
    if not g.empty:
        lines.append(
            f"Against budget over the {g['month'].nunique()} budgeted months: revenue gap "
            f"{money(g['gap_revenue'].sum(), currency)} ({pct(g['gap_revenue'].sum() / g['budget_revenue'].sum(), True)})."
        )
    if not r.movers.empty:
        top = r.movers.iloc[0]
        lines.append(
            f"Biggest change since last cycle: {top['sku']} ({top['family']}), revenue "
            f"{money(top['delta_revenue'], currency)}, driven by the {top['driver']}."
        )
    if not r.pipeline.empty and r.pipeline["weighted"].notna().any():
        lines.append(
            f"Pipeline weighted forecast for {r.quarter}: {money(r.pipeline['weighted'].sum(), currency)} "
            f"beside consensus revenue {money(r.pipeline['consensus_revenue'].sum(), currency)}."
        )
    if not r.fva.empty:
        better = int((r.fva["fva"] > 0).sum())
        lines.append(
            f"Overrides improved the lag-1 forecast in {better} of {len(r.fva)} families over past cycles."
        )
    if not r.unmatched.empty:
        lines.append(
            f"{len(r.unmatched)} override(s) name an item or family with no forecast and were not applied."
        )
    return lines


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
    summary: list[str] = field(default_factory=list)
    exports: list = field(default_factory=list)


def supply_review(
    consensus: pd.DataFrame,
    products: pd.DataFrame,
    inventory: pd.DataFrame,
    capacity: pd.DataFrame,
    receipts: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    period: str,
    service_level: float,
    history_months: int,
    priority: str,
    max_cover_months: float,
    currency: str,
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
    )
    cutoff = period_month(period) + pd.offsets.MonthEnd(0)
    sp = supply_plan(
        consensus.rename(columns={"consensus": "demand"}),
        opening_stock(inventory, cutoff),
        safety,
        capacity_by_month(capacity, months),
        receipts,
        products,
        months,
        priority=priority,
        max_cover_months=max_cover_months,
    )
    exc = supply_exceptions(sp.plan, sp.load)
    r = SupplyReview(
        plan=sp.plan,
        stored=plan_settings(sp.plan, priority=priority, max_cover_months=max_cover_months),
        safety=safety,
        load=sp.load,
        resource_load=resource_load(sp.load),
        exceptions=exc,
        exception_summary=exception_summary(exc),
        families=family_summary(sp.plan),
        inventory=inventory_by_family(sp.plan),
        utilisation=utilisation_grid(resource_load(sp.load)),
    )
    r.summary = _supply_summary(r, currency)
    return r


def _supply_summary(r: SupplyReview, currency: str) -> list[str]:
    p = r.plan
    fill = p["met"].sum() / p["demand"].sum() if p["demand"].sum() > 0 else np.nan
    peak = r.resource_load.sort_values("utilisation", ascending=False).head(1)
    lines = [
        f"The constrained plan serves {pct(fill)} of consensus demand on time; unmet "
        f"{p['unmet'].sum():,.0f} units ({money(p['unmet_revenue'].sum(), currency)}).",
        f"Average projected inventory {money(p.groupby('month')['inventory_value'].sum().mean(), currency)}; "
        f"{int(p['below_safety_stock'].sum())} SKU × location × months below safety stock, "
        f"excess above maximum cover {money((p['excess'] * p['unit_cost']).sum() / max(p['month'].nunique(), 1), currency)} a month on average.",
    ]
    if not peak.empty:
        row = peak.iloc[0]
        lines.append(
            f"Peak load: {row['resource']} at {pct(row['utilisation'])} of capacity in "
            f"{row['month']:%Y-%m} before levelling, {pct(row['planned_utilisation'])} after."
        )
    if r.exception_summary.empty:
        lines.append("No exceptions: every month is served within capacity and above safety stock.")
    else:
        lines.append(
            "Exceptions: "
            + ", ".join(
                f"{int(c)} {k}"
                for k, c in zip(
                    r.exception_summary["exception"], r.exception_summary["count"], strict=True
                )
            )
            + "."
        )
    methods = r.safety["method"].value_counts()
    lines.append(
        f"Safety stock for {len(r.safety)} SKU × locations: {int(methods.get('normal', 0))} by the normal "
        f"formula, {int(methods.get('empirical', 0))} intermittent items by the empirical quantile."
    )
    return lines


# -- 04 pre-S&OP review ----------------------------------------------------------------------
@dataclass
class PreSopReview:
    gaps: pd.DataFrame
    gap_periods: pd.DataFrame
    scenarios: pd.DataFrame
    ledger: pd.DataFrame
    recommendations: pd.DataFrame
    side_by_side: pd.DataFrame
    summary: list[str] = field(default_factory=list)

    def scenarios_for_store(self) -> pd.DataFrame:
        """The scenario table with each scenario's assumptions in one text column."""
        text = self.ledger.groupby("scenario", sort=False)["assumption"].agg("; ".join)
        return self.scenarios.assign(assumptions=self.scenarios["scenario"].map(text).to_numpy())


def pre_sop_review(
    consensus: pd.DataFrame,
    stored_plan: pd.DataFrame,
    capacity: pd.DataFrame,
    products: pd.DataFrame,
    *,
    scenarios: list[dict] | None,
    max_increase: float,
    recommendations: int,
    holding_rate: float,
    currency: str,
) -> PreSopReview:
    """Step 04: gaps of the base plan, the scenarios against base, ranked recommendations.

    Capacity recommendations close the gaps of the base plan and, when base has none,
    those of the upside scenario (what being ready for the upside would take); inventory
    recommendations release stock above the maximum cover. All are ranked by value.
    """
    if stored_plan is None or stored_plan.empty:
        raise InputError(
            "the cycle store has no supply plan for this period: run 03_supply_planning first."
        )
    inputs = inputs_from_plan(stored_plan)
    inputs["products"] = products
    cap = capacity_by_month(capacity, inputs["months"])
    specs = scenario_specs(scenarios)
    plans = {s["name"]: run_scenario(consensus, s, cap, **inputs) for s in specs}
    table = scenario_table({name: plan_metrics(p) for name, p in plans.items()})
    gaps = demand_supply_gaps(plans["base"].plan)
    periods = gap_periods(gaps)
    recs = [
        excess_recommendations(plans["base"].plan, holding_rate=holding_rate, limit=recommendations)
    ]
    for name in ("base", "upside"):
        target = gap_periods(demand_supply_gaps(plans[name].plan))
        if target.empty or name not in plans:
            continue
        spec = next(s for s in specs if s["name"] == name)
        recs.append(
            rank_recommendations(
                target.assign(gap_id=f"{name}:" + target["gap_id"]),
                plans[name],
                lambda changes, spec=spec: run_scenario(
                    consensus,
                    {**spec, "capacity": (spec.get("capacity") or []) + changes},
                    cap,
                    **inputs,
                ),
                max_increase=max_increase,
                limit=recommendations,
            )
        )
        break
    recs = [x for x in recs if not x.empty]
    r = PreSopReview(
        gaps=gaps,
        gap_periods=periods,
        scenarios=table,
        ledger=assumptions_ledger(specs, inputs["priority"]),
        recommendations=ranked(pd.concat(recs, ignore_index=True))
        if recs
        else pd.DataFrame(columns=RECOMMENDATION_COLUMNS),
        side_by_side=side_by_side(table),
    )
    r.summary = _pre_sop_summary(r, currency)
    return r


def _pre_sop_summary(r: PreSopReview, currency: str) -> list[str]:
    wide = r.scenarios.pivot_table(index="scenario", columns="metric", values="value", sort=False)
    delta = r.scenarios.pivot_table(index="scenario", columns="metric", values="delta", sort=False)
    lines = [
        f"Base plan: revenue {money(wide.loc['base', 'revenue'], currency)}, fill rate "
        f"{pct(wide.loc['base', 'fill_rate'])}, revenue at risk {money(r.gaps['revenue_at_risk'].sum(), currency)} "
        f"in {len(r.gap_periods)} gap(s)."
    ]
    for name in delta.index:
        if name == "base":
            continue
        lines.append(
            f"{name}: revenue {money(delta.loc[name, 'revenue'], currency)}, fill rate "
            f"{round(delta.loc[name, 'fill_rate'] * 100, 1) + 0.0:+.1f} pts, unmet {round(delta.loc[name, 'unmet_units']) + 0.0:+,.0f} units "
            "against base."
        )
    if r.recommendations.empty:
        lines.append(
            "No recommendation: no unmet demand in base or upside, and no stock above maximum cover."
        )
    else:
        top = r.recommendations.iloc[0]
        worth = (
            f"recovers {top['units']:,.0f} units and {money(top['value'], currency)} margin"
            if top["kind"] == "capacity"
            else f"saves {money(top['value'], currency)} carrying cost"
        )
        lines.append(f"Top recommendation: {top['action']} — {worth} (closes {top['gap_id']}).")
        if not (r.recommendations["kind"] == "capacity").any():
            lines.append(
                "Capacity covers base and upside demand (with build-ahead): no capacity action needed."
            )
    return lines


# -- 05 executive S&OP ----------------------------------------------------------------------
@dataclass
class ExecutiveReview:
    kpis: pd.DataFrame
    risks: pd.DataFrame
    decisions_required: pd.DataFrame
    options: pd.DataFrame
    kpi_display: pd.DataFrame
    side_by_side: pd.DataFrame
    summary: list[str] = field(default_factory=list)
    log: pd.DataFrame = field(default_factory=pd.DataFrame)


def check_targets(targets: dict | None) -> dict:
    """Targets keyed by KPI name; an unknown name raises ``ParameterError`` listing the valid ones."""
    targets = dict(targets or {})
    unknown = sorted(set(targets) - set(KPIS))
    if unknown:
        raise ParameterError(
            f"executive_sop.targets has unknown key(s) {', '.join(unknown)}; "
            f"use: {', '.join(KPIS)}."
        )
    return {k: float(v) for k, v in targets.items() if v is not None}


def executive_review(
    consensus_all: pd.DataFrame,
    plan_all: pd.DataFrame,
    scenarios: pd.DataFrame,
    recommendations: pd.DataFrame,
    budget: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    period: str,
    targets: dict | None,
    kpi_months: int,
    currency: str,
    accuracy_months: int = 3,
) -> ExecutiveReview:
    """Step 05: KPIs against the previous cycle, budget and targets; risks; decisions required.

    ``consensus_all`` and ``plan_all`` hold every stored cycle (this one included); the
    previous cycle is the latest one before ``period``. KPIs cover the first
    ``kpi_months`` plan months, the same months for both cycles. Forecast accuracy is
    1 − the lag-1 WAPE of the last ``accuracy_months`` months with actuals.
    """
    targets = check_targets(targets)
    cur_c, cur_p = (df[df["period"].astype(str) == str(period)] for df in (consensus_all, plan_all))
    if cur_p.empty:
        raise InputError(
            f"the cycle store has no supply plan for {period}: run 03_supply_planning first."
        )
    months = pd.DatetimeIndex(sorted(cur_p["month"].unique()))[:kpi_months]
    actuals = monthly_actuals(orders)
    current = cycle_kpis(
        cur_c, cur_p, months, lag1_accuracy(consensus_all, actuals, period, accuracy_months)
    )
    earlier = sorted(p for p in plan_all["period"].astype(str).unique() if p < str(period))
    previous = None
    if earlier:
        prev = earlier[-1]
        previous = cycle_kpis(
            consensus_all[consensus_all["period"] == prev],
            plan_all[plan_all["period"] == prev],
            months,
            lag1_accuracy(consensus_all, actuals, prev, accuracy_months),
        )
    table = kpi_table(current, previous, budget_kpis(budget, months), targets)
    r = ExecutiveReview(
        kpis=table,
        risks=risks_and_opportunities(cur_p, cur_c, budget, scenarios, recommendations, months),
        decisions_required=decisions_required(recommendations, scenarios),
        options=scenarios.pivot_table(
            index="label", columns="scenario", values="value", sort=False
        ),
        kpi_display=kpi_display(table),
        side_by_side=side_by_side(scenarios),
    )
    r.summary = _executive_summary(r, currency, len(months))
    return r


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
    budget: pd.DataFrame,
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
    for g in gaps[gaps["revenue_at_risk"] > 0].head(top).itertuples():
        rows.append(
            (
                "risk",
                f"{g.family}: {g.gap_units:,.0f} units of demand not served on time",
                g.revenue_at_risk,
            )
        )
    bg = (
        budget_gap(consensus[consensus["month"].isin(months)], budget)
        .groupby("family")["gap_revenue"]
        .sum(min_count=1)
    )
    for fam, gap in bg.dropna().sort_values().items():
        kind, text = ("risk", "below budget") if gap < 0 else ("opportunity", "above budget")
        rows.append((kind, f"{fam}: consensus revenue {text}", abs(gap)))
    excess = (p["excess"] * p["unit_cost"]).groupby(p["family"]).sum() / max(len(months), 1)
    for fam, value in excess[excess > 0].sort_values(ascending=False).head(top).items():
        rows.append(("risk", f"{fam}: stock above maximum cover (average value a month)", value))
    up = scenarios[(scenarios["scenario"] == "upside") & (scenarios["metric"] == "revenue")]
    if not up.empty:
        rows.append(
            (
                "opportunity",
                "Upside demand served with today's capacity (revenue)",
                float(up["delta"].iloc[0]),
            )
        )
    for rec in recommendations.itertuples():
        rows.append(("opportunity", str(rec.action), float(rec.value)))
    out = pd.DataFrame(rows, columns=["kind", "item", "value"])
    return (
        out.sort_values(["kind", "value"], ascending=[False, False])
        .groupby("kind", sort=False)
        .head(top)
        .reset_index(drop=True)
    )


def _executive_summary(r: ExecutiveReview, currency: str, n_months: int) -> list[str]:
    k = r.kpis.set_index("kpi")
    lines = [
        f"Revenue plan for the next {n_months} months {money(k.loc['revenue_plan', 'value'], currency)}"
        + (
            f", {money(k.loc['revenue_plan', 'change'], currency)} against last cycle"
            if not pd.isna(k.loc["revenue_plan", "change"])
            else ""
        )
        + (
            f", {money(k.loc['revenue_plan', 'vs_budget'], currency)} against budget."
            if not pd.isna(k.loc["revenue_plan", "vs_budget"])
            else "."
        )
    ]
    lines.append(
        f"Fill rate {pct(k.loc['fill_rate', 'value'])}, margin rate {pct(k.loc['margin_rate', 'value'])}, "
        f"inventory {money(k.loc['inventory_value', 'value'], currency)} ({k.loc['days_of_supply', 'value']:,.0f} days of supply)."
    )
    off = k[k["status"] == "off target"]
    if len(off):
        lines.append("Off target: " + ", ".join(off["label"]) + ".")
    elif (k["status"] == "on target").any():
        lines.append("Every KPI with a target is on target.")
    risks = r.risks[r.risks["kind"] == "risk"]
    if not risks.empty:
        lines.append(
            f"Top risk: {risks.iloc[0]['item']} ({money(risks.iloc[0]['value'], currency)})."
        )
    lines.append(f"{len(r.decisions_required)} decision(s) required today.")
    return lines


# -- 06 implementation tracking ----------------------------------------------------------------
@dataclass
class TrackingReview:
    cycles: list[str]
    accuracy: pd.DataFrame
    accuracy_trend: pd.DataFrame
    tracking_signal: pd.DataFrame
    fva: pd.DataFrame
    adherence: pd.DataFrame
    fill: pd.DataFrame
    inventory: pd.DataFrame
    outcomes: pd.DataFrame
    summary: list[str] = field(default_factory=list)


def tracking_review(
    consensus_all: pd.DataFrame,
    forecast_all: pd.DataFrame,
    supply_all: pd.DataFrame,
    decisions_all: pd.DataFrame,
    orders: pd.DataFrame,
    inventory: pd.DataFrame,
    products: pd.DataFrame,
    *,
    period: str,
    lags: tuple[int, ...],
    fill_rate_target: float | None,
    outcome_months: int,
    currency: str,
) -> TrackingReview:
    """Step 06: every past cycle's plan against what happened."""
    last = period_month(period)
    actuals = monthly_actuals(orders)
    cons = consensus_all if consensus_all is not None else pd.DataFrame()
    if cons.empty:
        raise InputError(
            "the cycle store holds no consensus plan yet: run the cycle (02–05) for at least "
            "one period, or backfill past cycles with compass-nb run --backfill 12."
        )
    acc = tracking.accuracy_by_lag(cons, actuals, last, lags=lags)
    table = _accuracy_table(acc, forecast_all, actuals, last, lags)
    trend = tracking.accuracy_by_lag(cons, actuals, last, lags=lags, by=())
    ts = tracking.tracking_signal(acc[acc["lag"] == min(lags)])
    supply = supply_all if supply_all is not None else pd.DataFrame()
    r = TrackingReview(
        cycles=sorted(cons["period"].astype(str).unique()),
        accuracy=table,
        accuracy_trend=trend,
        tracking_signal=ts.sort_values("month")
        .groupby("family", as_index=False)
        .last()[["family", "month", "tracking_signal"]],
        fva=tracking.fva_by_month(cons, actuals, last),
        adherence=tracking.adherence_by_month(cons, actuals, last, by=()),
        fill=tracking.achieved_fill_rate(supply, actuals, last, by=())
        if not supply.empty
        else pd.DataFrame(columns=["month", "served", "actual", "fill_rate"]),
        inventory=tracking.inventory_vs_plan(supply, inventory, products, last)
        if not supply.empty
        else pd.DataFrame(columns=["month", "planned_value", "actual_value", "difference"]),
        outcomes=tracking.decision_outcomes(
            decisions_all[decisions_all["period"].astype(str) < str(period)]
            if decisions_all is not None and not decisions_all.empty
            else None,
            cons,
            actuals,
            last,
            outcome_months,
        ),
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
    if forecast_all is not None and not forecast_all.empty:
        f = (
            forecast_all[forecast_all["level"] == "sku_location"]
            if "level" in forecast_all
            else forecast_all
        )
        stat = summed(tracking.accuracy_by_lag(f, actuals, last, value="yhat", lags=lags))
        table = table.merge(
            stat[["family", "lag", "wape"]].rename(columns={"wape": "statistical_wape"}),
            on=["family", "lag"],
            how="left",
        )
    return table.sort_values(["lag", "family"]).reset_index(drop=True)


def _tracking_summary(r: TrackingReview, target: float | None, currency: str) -> list[str]:
    lines = [f"{len(r.cycles)} cycle(s) in the store, {r.cycles[0]} to {r.cycles[-1]}."]
    for lag, rows in r.accuracy_trend.groupby("lag"):
        recent = rows.sort_values("month").tail(6)
        total = (
            recent["abs_error"].sum() / recent["actual"].sum()
            if recent["actual"].sum() > 0
            else np.nan
        )
        lines.append(
            f"Lag-{lag} consensus WAPE over the last {len(recent)} tracked months: {pct(total)} "
            f"(bias {pct(recent['error'].sum() / recent['actual'].sum(), True)})."
        )
    if not r.adherence.empty:
        a = r.adherence.dropna(subset=["adherence"])
        if not a.empty:
            lines.append(
                f"Plan adherence (lag 1): {pct(a['kept'].sum() / a['plan'].sum())} over {len(a)} months."
            )
    if not r.fill.empty and r.fill["actual"].sum() > 0:
        fill = r.fill["served"].sum() / r.fill["actual"].sum()
        lines.append(
            f"Achieved fill rate {pct(fill)}"
            + (f" against a target of {pct(target)}." if target else ".")
        )
    flagged = r.tracking_signal[r.tracking_signal["tracking_signal"].abs() > 4]
    if len(flagged):
        lines.append(
            "Biased families (tracking signal outside ±4): "
            + ", ".join(flagged["family"].astype(str))
            + "."
        )
    if not r.outcomes.empty:
        lines.append(f"{len(r.outcomes)} past decision log(s) shown beside what followed.")
    return lines


def overall_wape(accuracy_trend: pd.DataFrame) -> dict[int, float]:
    """WAPE per lag over every tracked month (from :func:`tracking.accuracy_by_lag` with ``by=()``)."""
    sums = accuracy_trend.groupby("lag")[["abs_error", "actual"]].sum()
    return {
        int(lag): float(row["abs_error"] / row["actual"])
        for lag, row in sums.iterrows()
        if row["actual"] > 0
    }
