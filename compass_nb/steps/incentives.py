"""Step · incentives: sales contests designed (simulator), run (standings; payouts as SPIF
awards that compensation pays) and measured for their lift, with gaming signals."""

from __future__ import annotations

from compass_nb.context import Context, project_path
from compass_nb.exports import write_csv
from compass_nb.incentives import analysis
from compass_nb.incentives.analysis import IncentivesReview
from compass_nb.incentives.settings import IncentivesSettings
from compass_nb.steps.step import Step, held_inputs

STEP = Step(
    "incentives",
    notebook="incentives",
    inputs=("opportunities", "reps"),
    optional_inputs=("credit_splits", "quotas", "activities"),
    writes=("spif_awards", "contest_lift"),
    settings=IncentivesSettings,
)


@STEP.compute
def run(ctx: Context) -> IncentivesReview:
    """Review every contest as of the cut-off; named standings only in the private folder."""
    tables = held_inputs(ctx, STEP.inputs, STEP.optional_inputs)
    s, currency = ctx.settings, ctx.shared.currency
    review = analysis.analyse(
        tables,
        ctx.period,
        settings=s,
        contests_dir=project_path(s.contests),
        currency=currency,
    )
    ctx.write("spif_awards", review.awards.loc[:, analysis.AWARD_COLUMNS])
    ctx.write("contest_lift", review.lifts)
    if ctx.makes_files:
        _write_private_files(ctx, review)
    ctx.metric("contests", len(review.contests), label="Contests defined", fmt="{:.0f}")
    for r in review.contests:
        c, m = r.contest, r.lift
        if m is None:
            continue
        unit = currency if c.is_money else c.unit
        fmt = "{:,.0f}" if c.is_money else "{:,.1f}"
        pct = int(round(m.confidence * 100))
        key = c.contest_id.replace("-", "_")
        ctx.metric(
            f"lift_{key}", m.total, label=f"{c.name}: lift net of pull-forward ({unit})", fmt=fmt
        )
        ctx.metric(f"lift_{key}_low", m.low, label=f"{c.name}: lift, {pct} % interval low", fmt=fmt)
        ctx.metric(
            f"lift_{key}_high", m.high, label=f"{c.name}: lift, {pct} % interval high", fmt=fmt
        )
    return review


def _write_private_files(ctx: Context, review: IncentivesReview) -> None:
    """Named standings and each seller's simulated chances: private folder only."""
    folder = ctx.private_dir("incentives")
    for r in review.contests:
        cid = r.contest.contest_id
        write_csv(r.standings, folder / f"standings_{cid}_{ctx.period}.csv")
        designed = r.designs.get("as designed")
        if designed is not None:
            named = designed.sellers.merge(r.standings[["rep_id", "name"]], on="rep_id", how="left")
            write_csv(named, folder / f"chances_{cid}_{ctx.period}.csv")
