"""Step · engagement: eNPS and pulse results with honest intervals, anonymity enforced."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb.context import Context
from compass_nb.enps import results
from compass_nb.enps.results import Engagement, LatestView, Settings
from compass_nb.steps.step import Step

STEP = Step(
    "enps",
    notebook="enps",
    inputs=("survey_questions", "survey_responses", "survey_invites", "org_units"),
    writes=("enps_results",),
    settings=Settings,
)


@dataclass
class EngagementReview:
    """Every survey's shown results, the latest survey's view, and the summary sentences."""

    result: Engagement
    view: LatestView
    summary: list[str]


@STEP.compute
def run(ctx: Context) -> EngagementReview:
    """Score every survey up to the cut-off, suppress what could identify anyone, and record it."""
    t = ctx.inputs("survey_questions", "survey_responses", "survey_invites", "org_units")
    result = results.engagement(
        t["survey_questions"],
        t["survey_responses"],
        t["survey_invites"],
        t["org_units"],
        ctx.settings,
        strict=ctx.shared.strict,
    )
    top = results.headline(result)
    latest = result.latest
    ctx.metric("enps", top["enps"], label=f"Company eNPS ({latest})", fmt="{:+.0f}")
    ctx.metric("enps_low", top["low"], label="eNPS 95 % interval, low", fmt="{:+.0f}")
    ctx.metric("enps_high", top["high"], label="eNPS 95 % interval, high", fmt="{:+.0f}")
    ctx.metric("participation", top["participation"], label="Participation", fmt="{:.0%}")
    ctx.metric("enps_change", top["change"], label="eNPS change vs previous survey", fmt="{:+.0f}")
    ctx.write("enps_results", result.scores)
    return EngagementReview(result, results.latest_view(result), results.summary_lines(result))
