"""Step · pipeline: funnel, win rates, velocity, coverage, flow, calibrated stage probabilities,
the quarter's bookings as a distribution with its backtest, attainment and teams at risk.

Quotas and credit splits are optional: without splits each won deal credits its owner in
full; without quotas nothing is measured against quota (attainment, coverage, chance of
quota, teams at risk), and the summary says so."""

from __future__ import annotations

from compass_nb import quality
from compass_nb.context import Context
from compass_nb.pipeline import analysis
from compass_nb.pipeline.analysis import PipelineAnalysis, Settings
from compass_nb.steps.step import Step, held_inputs

STEP = Step(
    "pipeline",
    notebook="pipeline",
    inputs=("opportunities", "opportunity_history", "reps"),
    optional_inputs=("quotas", "credit_splits"),
    optional_reads=("quarantine_summary",),
    writes=("pipeline_commit", "pipeline_forecast", "pipeline_backtest", "pipeline_velocity"),
    settings=Settings,
)


@STEP.compute
def run(ctx: Context) -> PipelineAnalysis:
    """Analyse the CRM as of the cut-off; the named scorecard only for the sales team, privately."""
    tables = held_inputs(ctx, STEP.inputs, STEP.optional_inputs)
    currency = ctx.shared.currency
    a = analysis.analyse(
        tables, ctx.period, fiscal_year_start=ctx.shared.fiscal_year_start, settings=ctx.settings
    )
    a.quarantined = quality.quarantine_lines(ctx.quarantine_summary(), tuple(tables))
    ctx.write("pipeline_commit", a.pipeline_commit())
    ctx.write("pipeline_forecast", a.forecast)
    ctx.write("pipeline_backtest", a.backtest)
    ctx.write("pipeline_velocity", a.velocity)
    private = ctx.private_dir if ctx.makes_files else None
    a.scorecard_note = analysis.write_scorecard(a, ctx.shared.audience, private)
    h = a.headlines
    q, nq = a.quarter[0], a.next_quarter[0]
    money = "{:,.0f}"
    over = " (actual: the quarter is over)" if a.current.is_over else ""
    for p in (10, 50, 90):
        ctx.metric(
            f"current_p{p}",
            h[f"current_p{p}"],
            label=f"{q} bookings P{p} ({currency}){over}",
            fmt=money,
        )
    ctx.metric("current_p_quota", h["current_p_quota"], label=f"{q} chance of quota", fmt="{:.0%}")
    for p in (10, 50, 90):
        ctx.metric(
            f"next_p{p}", h[f"next_p{p}"], label=f"{nq} bookings P{p} ({currency})", fmt=money
        )
    ctx.metric(
        "brier_calibrated",
        h["brier_calibrated"],
        label="Stage probabilities, Brier score (calibrated)",
        fmt="{:.3f}",
    )
    ctx.metric(
        "brier_static",
        h["brier_static"],
        label="Stage probabilities, Brier score (CRM static)",
        fmt="{:.3f}",
    )
    ctx.metric(
        "backtest_coverage",
        h["backtest_coverage"],
        label="Bookings backtest: actuals inside P10–P90",
        fmt="{:.0%}",
    )
    ctx.metric(
        "backtest_p50_mape",
        h["backtest_p50_mape"],
        label="Bookings backtest: P50 error (MAPE)",
        fmt="{:.0%}",
    )
    at_risk = len(h["teams_at_risk"]) if h["risk_judged"] else None  # None: not measured
    ctx.metric("teams_at_risk", at_risk, label="Teams at risk", fmt="{:.0f}")
    ctx.metric("win_rate", h["win_rate"], label="Win rate", fmt="{:.0%}")
    ctx.metric("cycle_days", h["cycle_days"], label="Sales cycle (median days)", fmt="{:.0f}")
    ctx.metric(
        "velocity", h["velocity"], label=f"Sales velocity ({currency} per day)", fmt="{:,.0f}"
    )
    ctx.metric("coverage", h["coverage"], label=f"Coverage {a.covered_quarter[0]}", fmt="{:.1f}×")
    ctx.metric(
        "attainment_median",
        h["attainment_median"],
        label="Median attainment (ramped sellers)",
        fmt="{:.0%}",
    )
    ctx.metric(
        "next_quarter_weighted",
        h["next_quarter_weighted"],
        label=f"Expected bookings {nq} ({currency})",
        fmt=money,
    )
    return a
