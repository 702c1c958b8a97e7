"""Step · pipeline: funnel, win rates, velocity, coverage, flow, forecast and attainment."""

from __future__ import annotations

from compass_nb.context import Context
from compass_nb.exports import write_csv
from compass_nb.pipeline import analysis
from compass_nb.pipeline.analysis import PipelineAnalysis, Settings
from compass_nb.steps.step import Step

STEP = Step(
    "pipeline",
    notebook="pipeline",
    inputs=("opportunities", "opportunity_history", "reps", "quotas", "credit_splits"),
    writes=("pipeline_commit", "pipeline_forecast", "pipeline_backtest", "pipeline_velocity"),
    settings=Settings,
)


@STEP.compute
def run(ctx: Context) -> PipelineAnalysis:
    """Analyse the CRM as of the cut-off; the named scorecard only for the sales team, privately."""
    tables = ctx.inputs(*STEP.inputs)
    currency = ctx.shared.currency
    a = analysis.analyse(
        tables, ctx.period, fiscal_year_start=ctx.shared.fiscal_year_start, settings=ctx.settings
    )
    ctx.write("pipeline_commit", a.pipeline_commit())
    ctx.write("pipeline_forecast", a.forecast)
    ctx.write("pipeline_backtest", a.backtest)
    ctx.write("pipeline_velocity", a.velocity)
    a.scorecard_note = _scorecard(ctx, a)
    h = a.headlines
    ctx.metric("win_rate", h["win_rate"], label="Win rate", fmt="{:.0%}")
    ctx.metric("cycle_days", h["cycle_days"], label="Sales cycle (median days)", fmt="{:.0f}")
    ctx.metric(
        "velocity", h["velocity"], label=f"Sales velocity ({currency} per day)", fmt="{:,.0f}"
    )
    ctx.metric("coverage", h["coverage"], label=f"Coverage {a.quarter[0]}", fmt="{:.1f}×")
    ctx.metric("attainment_median", h["attainment_median"], label="Median attainment", fmt="{:.0%}")
    ctx.metric(
        "backtest_mape",
        h["backtest_mape"],
        label="Weighted forecast error (backtest MAPE)",
        fmt="{:.0%}",
    )
    ctx.metric(
        "next_quarter_weighted",
        h["next_quarter_weighted"],
        label=f"Weighted forecast {a.next_quarter[0]}",
        fmt="{:,.0f}",
    )
    return a


def _scorecard(ctx: Context, a: PipelineAnalysis) -> str:
    """The named scorecard: written only when the audience is the sales team, and only into
    the private folder; returns the sentence the notebook shows."""
    if ctx.shared.audience != "team":
        return "Audience is executive: no named scorecard."
    if ctx.makes_files:
        folder = ctx.private_dir("scorecards")
        write_csv(a.scorecard, folder / "pipeline_scorecard.csv")
        html = a.scorecard.to_html(index=False, escape=True)
        (folder / "pipeline_scorecard.html").write_text(html, encoding="utf-8")
    return f"Named scorecard of {len(a.scorecard)} sellers written to the private folder."
