"""Step · engagement: eNPS and pulse results with honest intervals, anonymity enforced.

The published history — every cell earlier reports showed (``enps_results``, all runs) and
the answers behind each version of a survey (``enps_answers``) — is read so that a survey
reported again never shows a change that would isolate the people behind it
(:mod:`compass_nb.enps.versions`). Invitation counts and the org tree are optional: without
them participation is not measured and the teams that answered sit directly under the
company, both stated in the summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb.context import Context
from compass_nb.enps import results, views
from compass_nb.enps.results import Engagement
from compass_nb.enps.settings import Settings
from compass_nb.enps.versions import Published
from compass_nb.enps.views import LatestView
from compass_nb.steps.step import Step, held_inputs

STEP = Step(
    "enps",
    notebook="enps",
    inputs=("survey_questions", "survey_responses"),
    optional_inputs=("survey_invites", "org_units"),
    history=("enps_results", "enps_answers"),
    writes=("enps_results", "enps_answers"),
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
    """Score every survey up to the cut-off, suppress what could identify anyone — within this
    report and beside every report already published — and record what was shown."""
    t = held_inputs(ctx, STEP.inputs, STEP.optional_inputs)
    published = Published.from_store(
        ctx.read_all_runs("enps_results"), ctx.read_all_runs("enps_answers")
    )
    result = results.engagement(
        t["survey_questions"],
        t["survey_responses"],
        t.get("survey_invites"),  # None: the source lacks it (stated as an assumption)
        t.get("org_units"),
        ctx.settings,
        strict=ctx.shared.strict,
        published=published,
        period=ctx.period,
    )
    top = views.headline(result)
    latest = result.latest
    level = f"{ctx.settings.confidence:.0%}"
    ctx.metric("enps", top["enps"], label=f"Company eNPS ({latest})", fmt="{:+.0f}")
    ctx.metric("enps_low", top["low"], label=f"eNPS {level} interval, low", fmt="{:+.0f}")
    ctx.metric("enps_high", top["high"], label=f"eNPS {level} interval, high", fmt="{:+.0f}")
    ctx.metric("participation", top["participation"], label="Participation", fmt="{:.0%}")
    ctx.metric("enps_change", top["change"], label="eNPS change vs previous survey", fmt="{:+.0f}")
    shown, answers = results.store_frames(result)
    ctx.write("enps_results", shown)
    ctx.write("enps_answers", answers)
    return EngagementReview(result, views.latest_view(result), views.summary_lines(result))
