"""The S&OP cycle, steps 2–6: consensus, supply plan, gaps, scenarios, decisions, tracking."""

from compass_nb.sop.capacity import (
    apply_capacity_changes,
    capacity_by_month,
    constrained_production,
    family_capacity,
    level_family,
    resource_load,
    rough_cut_load,
)
from compass_nb.sop.consensus import (
    apply_overrides,
    budget_gap,
    consensus_plan,
    pipeline_comparison,
    statistical_forecast,
    unmatched_overrides,
    waterfall,
)
from compass_nb.sop.decisions import decision_log, decisions_required
from compass_nb.sop.exceptions import exception_summary, supply_exceptions
from compass_nb.sop.exports import write_exports
from compass_nb.sop.gaps import demand_supply_gaps, gap_periods
from compass_nb.sop.inventory import (
    demand_statistics,
    empirical_safety_stock,
    net_requirements,
    opening_stock,
    projected_inventory,
    safety_stock,
    safety_stock_table,
)
from compass_nb.sop.kpis import budget_kpis, cycle_kpis, kpi_table
from compass_nb.sop.months import complete_months, monthly_actuals, period_month, plan_months
from compass_nb.sop.recommendations import rank_recommendations
from compass_nb.sop.scenarios import (
    assumptions_ledger,
    plan_metrics,
    run_scenario,
    scenario_demand,
    scenario_specs,
    scenario_table,
)
from compass_nb.sop.supply import SupplyPlan, receipts_by_month, supply_plan
from compass_nb.sop.tracking import (
    accuracy_by_lag,
    achieved_fill_rate,
    adherence_by_month,
    decision_outcomes,
    error_summary,
    fva_by_month,
    inventory_vs_plan,
    override_value_added,
    plan_adherence,
    tracking_signal,
    with_lag,
)
from compass_nb.sop.value import cycle_changes, value_by_family

__all__ = [
    "SupplyPlan",
    "accuracy_by_lag",
    "achieved_fill_rate",
    "adherence_by_month",
    "apply_capacity_changes",
    "apply_overrides",
    "assumptions_ledger",
    "budget_gap",
    "budget_kpis",
    "capacity_by_month",
    "complete_months",
    "consensus_plan",
    "constrained_production",
    "cycle_changes",
    "cycle_kpis",
    "decision_log",
    "decision_outcomes",
    "decisions_required",
    "demand_statistics",
    "demand_supply_gaps",
    "empirical_safety_stock",
    "error_summary",
    "exception_summary",
    "family_capacity",
    "fva_by_month",
    "gap_periods",
    "inventory_vs_plan",
    "kpi_table",
    "level_family",
    "monthly_actuals",
    "net_requirements",
    "opening_stock",
    "override_value_added",
    "period_month",
    "pipeline_comparison",
    "plan_adherence",
    "plan_metrics",
    "plan_months",
    "projected_inventory",
    "rank_recommendations",
    "receipts_by_month",
    "resource_load",
    "rough_cut_load",
    "run_scenario",
    "safety_stock",
    "safety_stock_table",
    "scenario_demand",
    "scenario_specs",
    "scenario_table",
    "statistical_forecast",
    "supply_exceptions",
    "supply_plan",
    "tracking_signal",
    "unmatched_overrides",
    "value_by_family",
    "waterfall",
    "with_lag",
    "write_exports",
]
