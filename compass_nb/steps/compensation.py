"""Step · compensation: payouts to the cent, their cost, plan modelling and the close.

This module is also the store edge of a period close (:func:`close_period`, used by
``compass-nb close``): the comp domain never touches the store.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from compass_nb import store as cycle_store
from compass_nb.comp import analysis, asc340, close, payroll
from compass_nb.comp import statements as statement_files
from compass_nb.comp.analysis import CompAnalysis, CompensationSettings
from compass_nb.context import Context, project_path
from compass_nb.exports import write_csv
from compass_nb.steps.step import Step, held_inputs

STEP = Step(
    "compensation",
    notebook="compensation",
    inputs=("opportunities", "reps", "quotas"),  # no quotas: no attainment to pay on (skipped)
    optional_inputs=("credit_splits", "activities"),
    optional_reads=("spif_awards",),
    history=("payouts", "payout_adjustments", "comp_close"),
    writes=("payouts", "payout_adjustments", "comp_audit", "comp_cost_backtest"),
    settings=CompensationSettings,
)


@STEP.compute
def run(ctx: Context) -> CompAnalysis:
    """Pay every seller up to the period, honour closed periods, and write the private files."""
    tables = held_inputs(ctx, STEP.inputs, STEP.optional_inputs)
    s, currency = ctx.settings, ctx.shared.currency
    closes = close.closed_periods(ctx.read_all_runs("comp_close"))
    # SPIF awards decided elsewhere (a sales contest's payouts, store table ``spif_awards``,
    # written by the incentives step): paid as SPIF lines in their pay period.
    awards = ctx.read("spif_awards")
    a = analysis.analyse(
        tables,
        ctx.period,
        settings=s,
        plans_dir=project_path(s.plans),
        closes=closes,
        locked=close.locked_payouts(ctx.read_all_runs("payouts"), closes),
        prior_adjustments=ctx.read("payout_adjustments", periods="all"),
        awards=awards,
        fiscal_year_start=ctx.shared.fiscal_year_start,
        views=ctx.makes_files,
    )
    for table, frame in analysis.tables_to_store(a).items():
        ctx.write(table, frame)
    if ctx.makes_files:
        _write_private_files(ctx, a, tables["reps"], statements=s.statements)
    h = a.headlines
    money = "{:,.0f}"
    ctx.metric("payout", h["payout"], label=f"Variable pay ({currency})", fmt=money)
    ctx.metric("cost_of_sales", h["cost_of_sales"], label="Cost of sales", fmt="{:.1%}")
    ctx.metric(
        "cost_of_sales_ytd",
        h["cost_of_sales_ytd"],
        label="Cost of sales, year to date",
        fmt="{:.1%}",
    )
    for p in (10, 50, 90):
        ctx.metric(
            f"next_p{p}",
            h[f"next_p{p}"],
            label=f"{a.next_period} cost P{p} ({currency})",
            fmt=money,
        )
    ctx.metric(
        "backtest_coverage",
        h["backtest_coverage"],
        label=f"Cost backtest: actual months inside P10–P90 (last {h['backtest_months']})",
        fmt="{:.0%}",
    )
    ctx.metric("share_200", h["share_200"], label="Seller-months at ≥ 200 % of quota", fmt="{:.1%}")
    ctx.metric(
        "share_2x_ti", h["share_2x_ti"], label="Seller-months paid > 2× target", fmt="{:.1%}"
    )
    ctx.metric(
        "baseline",
        h["baseline"],
        label=f"Plan modelling baseline = paid ({currency})",
        fmt="{:,.2f}",
    )
    ctx.metric(
        "asc340_balance",
        h["asc340_balance"],
        label=f"Capitalised commissions on the books ({currency})",
        fmt=money,
    )
    ctx.metric(
        "reconciliation_gap",
        h["reconciliation_cents"] / 100,
        label="Reconciliation gap",
        fmt="{:,.2f}",
    )
    return a


def _write_private_files(ctx: Context, a: CompAnalysis, reps: pd.DataFrame, *, statements: bool):
    """The payroll export, the adjustments' audit trail, split exceptions, the ASC 340-40
    schedule and (on request) per-seller statements: private folder only."""
    folder = ctx.private_dir("payroll")
    export = payroll.payroll_export(a.result, reps, ctx.period, ctx.shared.currency)
    payroll.write_payroll(folder, export, ctx.period)
    if not a.audit.empty:
        write_csv(a.audit, folder / f"adjustments_audit_{ctx.period}.csv")
    if not a.split_exceptions.empty:
        write_csv(a.split_exceptions, folder / f"split_exceptions_{ctx.period}.csv")
    books = ctx.private_dir("asc340")
    write_csv(a.asc340_schedule, books / f"asc340_schedule_{ctx.period}.csv")
    write_csv(asc340.deal_summary(a.asc340_schedule), books / f"asc340_by_deal_{ctx.period}.csv")
    write_csv(asc340.journal(a.asc340_schedule), books / f"asc340_journal_{ctx.period}.csv")
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
