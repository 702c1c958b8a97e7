"""Step · compensation: payouts to the cent, their cost, plan modelling and the close.

This module is also the store edge of a period close (:func:`close_period`, used by
``compass-nb close``): the comp domain never touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compass_nb import store as cycle_store
from compass_nb.comp import analysis, close, payroll
from compass_nb.comp import statements as statement_files
from compass_nb.comp.analysis import CompAnalysis
from compass_nb.context import Context, project_path
from compass_nb.exports import write_csv
from compass_nb.steps.step import Step


@dataclass(frozen=True)
class CompensationSettings:
    """The ``compensation`` section of ``parameters/default.yaml``."""

    statements: bool
    plans: str
    min_group_size: int
    window_months: int
    simulations: int
    seed: int
    changed_by: str
    adjustment_reason: str


STEP = Step(
    "compensation",
    notebook="compensation",
    inputs=("opportunities", "credit_splits", "reps", "quotas"),
    history=("payouts", "payout_adjustments", "comp_close"),
    writes=("payouts", "payout_adjustments", "comp_audit"),
    settings=CompensationSettings,
)


@STEP.compute
def run(ctx: Context) -> CompAnalysis:
    """Pay every seller up to the period, honour closed periods, and write the private files."""
    tables = ctx.inputs("opportunities", "credit_splits", "reps", "quotas")
    s, currency = ctx.settings, ctx.shared.currency
    closes = close.closed_periods(ctx.read_all_runs("comp_close"))
    a = analysis.analyse(
        tables,
        ctx.period,
        plans_dir=project_path(s.plans),
        closes=closes,
        locked=close.locked_payouts(ctx.read_all_runs("payouts"), closes),
        prior_adjustments=ctx.read("payout_adjustments", periods="all"),
        changed_by=s.changed_by,
        reason=s.adjustment_reason,
        min_sellers=s.min_group_size,
        window_months=s.window_months,
        simulations=s.simulations,
        seed=s.seed,
        fiscal_year_start=ctx.shared.fiscal_year_start,
    )
    for table, frame in analysis.tables_to_store(a).items():
        ctx.write(table, frame)
    if ctx.makes_files:
        _write_private_files(ctx, a, tables["reps"], statements=s.statements)
    h = a.headlines
    ctx.metric("payout", h["payout"], label=f"Variable pay ({currency})", fmt="{:,.0f}")
    ctx.metric("cost_of_sales", h["cost_of_sales"], label="Cost of sales", fmt="{:.1%}")
    ctx.metric(
        "cost_of_sales_ytd",
        h["cost_of_sales_ytd"],
        label="Cost of sales, year to date",
        fmt="{:.1%}",
    )
    ctx.metric("next_p50", h["next_p50"], label=f"Next period P50 ({currency})", fmt="{:,.0f}")
    ctx.metric("next_p90", h["next_p90"], label=f"Next period P90 ({currency})", fmt="{:,.0f}")
    ctx.metric(
        "reconciliation_gap",
        h["reconciliation_cents"] / 100,
        label="Reconciliation gap",
        fmt="{:,.2f}",
    )
    return a


def _write_private_files(ctx: Context, a: CompAnalysis, reps: pd.DataFrame, *, statements: bool):
    """The payroll export, the adjustments' audit trail, split exceptions and (on request)
    per-seller statements: private folder only."""
    folder = ctx.private_dir("payroll")
    export = payroll.payroll_export(a.result, reps, ctx.period, ctx.shared.currency)
    payroll.write_payroll(folder, export, ctx.period)
    if not a.audit.empty:
        write_csv(a.audit, folder / f"adjustments_audit_{ctx.period}.csv")
    if not a.split_exceptions.empty:
        write_csv(a.split_exceptions, folder / f"split_exceptions_{ctx.period}.csv")
    if statements:
        statement_files.write_statements(
            ctx.private_dir("statements"), a.result, reps, ctx.period, ctx.shared.currency
        )


def close_period(store_path: str | Path, period: str, *, by: str, reason: str = "") -> dict:
    """Lock ``period``'s payouts in the store (``compass-nb close``); returns the record."""
    closes = close.closed_periods(cycle_store.read_all_runs(store_path, "comp_close"))
    payouts = cycle_store.read(store_path, "payouts", periods=period)
    record = close.close_record(period, payouts, closes, by=by, reason=reason)
    cycle_store.append(store_path, "comp_close", pd.DataFrame([record]), period=period)
    return {"period": period, **record}
