"""Everything the eNPS notebook shows, computed only for cells that may be shown.

`engagement` is the one entry point. It checks the survey tables, then for every survey
chooses the version of its answers this report may show (`versions.choose`: the current
answers, or the ones an earlier report showed), lays the survey out
(`layout.survey_layout`: one group pattern for every measure, the comment groups, the
category splits that may be shown — all by the rule of :mod:`compass_nb.enps.anonymity`),
computes every figure on those cells alone, and finally checks every output table against
the rule (`assert_outputs`). Nothing in `Engagement` describes a hidden cell except the log.
What the notebook shows of it is in :mod:`compass_nb.enps.views`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from compass_nb.enps import anonymity, comments, drivers, layout, pulse, trends, versions
from compass_nb.enps.layout import SEP, Layout, layout_cells, survey_layout
from compass_nb.enps.scores import BUCKET_NAMES, enps_table, signed_bucket
from compass_nb.enps.settings import Settings
from compass_nb.enps.uncertainty import (
    VERDICT_NOISE,
    VERDICT_UNTESTED,
    bootstrap_change,
    bootstrap_enps,
    bootstrap_p_value,
    change_verdict,
    fdr_calls,
    percentile_interval,
    rng_for,
)
from compass_nb.enps.validate import NO_INVITES, clean_survey, with_optional_tables

__all__ = ["Engagement", "Layout", "Settings", "engagement", "store_frames", "survey_layout"]


@dataclass
class Engagement:
    """Shown results of every survey up to the cut-off, and what was hidden."""

    settings: Settings
    surveys: pd.DataFrame  # survey_id, survey_date, previous_survey_id, version, status
    scores: pd.DataFrame  # eNPS per survey and shown cell, with its interval
    changes: pd.DataFrame  # change since the previous survey, where both are shown
    trends: pd.DataFrame  # slope over the last surveys of the latest survey's window
    participation: pd.DataFrame
    favourability: pd.DataFrame
    drivers: pd.DataFrame  # relative weights, latest survey
    comments: pd.DataFrame
    themes: pd.DataFrame
    questions: pd.DataFrame
    log: pd.DataFrame  # survey_id, group, hidden (measures), reason
    quarantine: pd.DataFrame
    root: str | None
    layouts: dict = field(repr=False, default_factory=dict)  # internal: never shown
    shown_answers: pd.DataFrame = field(repr=False, default=None)  # internal: never shown
    new_versions: list = field(default_factory=list)  # versions first shown in this report
    change_level: dict = field(default_factory=dict)  # survey → level of its change intervals
    trend_level: float = float("nan")
    assumptions: list = field(default_factory=list)  # what absent optional tables force

    @property
    def has_invites(self) -> bool:
        """Whether the source holds invitation counts (participation needs them)."""
        return NO_INVITES not in self.assumptions

    @property
    def latest(self) -> str | None:
        """The latest survey up to the cut-off."""
        return None if self.surveys.empty else str(self.surveys["survey_id"].iloc[-1])


# -- the entry point ----------------------------------------------------------------------------
def engagement(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invites: pd.DataFrame | None,
    org_units: pd.DataFrame | None,
    settings: Settings,
    strict: bool = False,
    published: versions.Published | None = None,
    period: str | None = None,
) -> Engagement:
    """Check the survey tables and compute every shown result, suppressed, with its log.

    Parameters
    ----------
    questions, responses, invites, org_units
        The survey tables of DESIGN.md, already cut off at the period; ``invites`` and
        ``org_units`` may be ``None`` (the source lacks them: no participation, one flat tree
        under the company; stated in ``assumptions``).
    settings
        The ``enps`` parameters.
    strict
        Fail instead of quarantining bad rows.
    published
        What earlier reports showed (from the store's ``enps_results`` and ``enps_answers``);
        ``None`` when nothing was published yet.
    period
        This cycle (``YYYY-MM``): only versions published up to it are fallbacks.
    """
    invites, org_units, assumed = with_optional_tables(responses, invites, org_units)
    if NO_INVITES in assumed and settings.finite_population:  # no N to correct with
        settings = replace(settings, finite_population=False)
    clean = clean_survey(questions, responses, invites, org_units, settings.buckets, strict=strict)
    tree = clean.tree
    answers = _answers(clean.responses)
    published = published or versions.Published()
    surveys = survey_order(answers)
    chosen, layouts, notes, status, version_ids = [], {}, [], {}, {}
    thresholds = {"groups": settings.min_group_size, "comments": settings.comment_group_size}
    for survey in surveys["survey_id"]:
        cache: dict = {}

        def shown_cells(candidate: pd.DataFrame, cache=cache) -> dict:
            cache[id(candidate)] = survey_layout(candidate, tree, settings)
            return layout_cells(cache[id(candidate)], candidate)

        now = answers.loc[answers["survey_id"] == survey]
        choice = versions.choose(survey, now, published, shown_cells, thresholds, period)
        status[survey], version_ids[survey] = choice.status, choice.version
        if choice.note:
            notes.append((survey, "all groups", "all figures", choice.note))
        if choice.answers is None:
            continue
        layouts[survey] = cache.get(id(choice.answers)) or survey_layout(
            choice.answers, tree, settings
        )
        if not choice.checked:  # a first report: the rule within this report alone
            exposed = {"comments": versions.commenters(choice.answers)}
            cells = layout_cells(layouts[survey], choice.answers)
            assert not versions.new_small_sets(cells, {}, thresholds, exposed), survey
        chosen.append(choice.answers.assign(survey_id=survey))
    surveys["version"] = surveys["survey_id"].map(version_ids)
    surveys["status"] = surveys["survey_id"].map(status)
    used = pd.concat(chosen, ignore_index=True) if chosen else answers.iloc[0:0]
    members = layout.all_members(layouts)
    scores, draws, signed = _scores(used, clean.invites, members, layouts, settings)
    changes, levels = _changes(scores, signed, surveys, settings)
    shown_surveys = [s for s in surveys["survey_id"] if s in set(scores["survey_id"])]
    window = shown_surveys[-settings.trend_surveys :]
    trend_table, trend_level = (
        trends.declines(scores, draws, window, q=settings.fdr)
        if len(window) == settings.trend_surveys and window[-1] == surveys["survey_id"].iloc[-1]
        else (pd.DataFrame(columns=trends.TREND_COLUMNS), float("nan"))
    )
    latest = surveys["survey_id"].iloc[-1] if len(surveys) else None
    found_drivers, too_few = drivers.driver_weights(
        used.loc[used["survey_id"] == latest],
        members.loc[members["survey_id"] == latest],
        clean.questions,
        min_responses=settings.min_driver_responses,
        level=settings.confidence,
        n_boot=settings.bootstrap_samples,
        seed=settings.seed,
    )
    cells = layout.all_comment_cells(layouts, tree)
    result = Engagement(
        settings=settings,
        surveys=surveys,
        scores=scores,
        changes=changes,
        trends=trend_table,
        participation=_with_teams(
            pulse.participation(used, clean.invites, members, settings.participation_flag),
            members,
        ),
        favourability=_with_teams(
            _with_questions(
                pulse.favourability(
                    used.loc[used["kind"] == "likert5"],
                    members,
                    settings.favourable_min,
                    layout.split_cells(layouts),
                ),
                clean.questions,
            ),
            members,
        ),
        drivers=found_drivers,
        comments=comments.comments_by_group(used, cells),
        themes=comments.theme_counts(used, layout.whole_comment_groups(layouts, tree)),
        questions=clean.questions,
        log=_log(layouts, scores, surveys, too_few, notes, settings),
        quarantine=clean.quarantine,
        root=tree.root,
        layouts=layouts,
        shown_answers=used,
        new_versions=[
            version_ids[s]
            for s in layouts
            if version_ids[s] not in set(published.answers["version"])
        ],
        change_level=levels,
        trend_level=trend_level,
        assumptions=assumed,
    )
    assert_outputs(result)
    return result


def _answers(responses: pd.DataFrame) -> pd.DataFrame:
    out = responses[
        [
            "survey_id",
            "survey_date",
            "respondent_id",
            "team",
            "question_id",
            "score",
            "comment",
            "kind",
        ]
    ].copy()
    out["respondent_id"] = out["respondent_id"].astype(str)
    out["comment"] = out["comment"].where(out["comment"].notna(), None)
    return out.reset_index(drop=True)


def survey_order(responses: pd.DataFrame) -> pd.DataFrame:
    """Surveys by date (earliest answer), each with the survey before it."""
    surveys = (
        responses.groupby("survey_id", as_index=False)["survey_date"]
        .min()
        .sort_values(["survey_date", "survey_id"])
    )
    surveys["previous_survey_id"] = surveys["survey_id"].shift(1)
    return surveys.reset_index(drop=True)


# -- figures ------------------------------------------------------------------------------------
def _with_teams(table: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    teams = members.drop_duplicates(["survey_id", "group"])[["survey_id", "group", "teams"]]
    return table.merge(teams, on=["survey_id", "group"], how="left")


def _scores(used, invites, members, layouts, settings):
    """eNPS of every shown cell with its respondent-bootstrap interval; the draws and the
    per-respondent signed answers are kept for changes and trends."""
    enps = used.loc[used["kind"] == "enps", ["survey_id", "team", "respondent_id", "score"]]
    joined = members.merge(enps, on=["survey_id", "team"])
    joined["signed"] = signed_bucket(joined["score"], settings.buckets)
    table = enps_table(joined, ["survey_id", "group", "kind"], settings.buckets)
    cells = members.drop_duplicates(["survey_id", "group"]).set_index(["survey_id", "group"])
    index = pd.MultiIndex.from_frame(table[["survey_id", "group"]])
    table["parent"] = cells["parent"].reindex(index).to_numpy()
    table["teams"] = cells["teams"].reindex(index).to_numpy()
    invited = pulse.participation(used, invites, members, settings.participation_flag)
    table = table.merge(
        invited[["survey_id", "group", "respondents", "invited"]],
        on=["survey_id", "group"],
        how="left",
    )
    shown_split = {
        (survey, label) for survey, plan in layouts.items() for label in plan.splits["enps"]
    }
    table["split"] = [
        key in shown_split for key in zip(table["survey_id"], table["group"], strict=True)
    ]
    for name in BUCKET_NAMES:
        table[name] = table[name].where(table["split"]).astype(float)
        table[f"pct_{name}"] = table[f"pct_{name}"].where(table["split"])
    draws, signed, low, high = {}, {}, [], []
    population = table.set_index(["survey_id", "group"])["invited"]
    for key, part in joined.groupby(["survey_id", "group"], sort=False):
        signed[key] = part.set_index("respondent_id")["signed"]
    for key in zip(table["survey_id"], table["group"], strict=True):
        values = signed[key].to_numpy()
        cell = bootstrap_enps(
            values,
            settings.bootstrap_samples,
            rng_for(settings.seed, *key),
            population=population.get(key) if settings.finite_population else None,
        )
        draws[key] = cell
        bounds = percentile_interval(cell, settings.confidence)
        low.append(bounds[0])
        high.append(bounds[1])
    table["low"], table["high"] = low, high
    dates = used.groupby("survey_id")["survey_date"].min()
    table["survey_date"] = table["survey_id"].map(dates)
    order = [
        "survey_id",
        "survey_date",
        "group",
        "kind",
        "parent",
        "teams",
        "n",
        "respondents",
        "invited",
        "promoters",
        "passives",
        "detractors",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
        "enps",
        "low",
        "high",
        "split",
    ]
    table = table[order].sort_values(
        ["survey_date", "kind", "group"], ascending=[True, False, True]
    )
    return table.reset_index(drop=True), draws, signed


CHANGE_COLUMNS = [
    "survey_id",
    "previous_survey_id",
    "group",
    "delta",
    "low",
    "high",
    "level",
    "paired_n",
    "p_value",
    "p_adjusted",
    "verdict",
]


def _changes(scores, signed, surveys, settings) -> tuple[pd.DataFrame, dict]:
    """Change since the previous survey for every cell shown in both with the same teams;
    called clear only after FDR control across the groups tested in that survey."""
    previous = dict(zip(surveys["survey_id"], surveys["previous_survey_id"], strict=True))
    previous = {s: p for s, p in previous.items() if isinstance(p, str)}
    teams = dict(
        zip(zip(scores["survey_id"], scores["group"], strict=True), scores["teams"], strict=True)
    )
    allowed = anonymity.changes_allowed(scores[["survey_id", "group"]], previous)
    rows, levels = [], {}
    for survey, part in allowed[allowed["allowed"].astype(bool)].groupby("survey_id", sort=False):
        found = {}
        for row in part.itertuples():
            before, now = (row.previous_survey_id, row.group), (survey, row.group)
            if teams[before] != teams[now]:
                continue
            a, b = signed[before], signed[now]
            paired = len(a.index.intersection(b.index))
            populations = None
            if settings.finite_population:
                inv = scores.set_index(["survey_id", "group"])["invited"]
                populations = (inv.get(before), inv.get(now))
            draws = bootstrap_change(
                a,
                b,
                settings.bootstrap_samples,
                rng_for(settings.seed, survey, row.group, "change"),
                populations,
            )
            delta = 100.0 * (b.mean() - a.mean())
            tested = paired >= settings.min_change_pairs
            found[row.group] = (row.previous_survey_id, delta, paired, draws, tested)
        p = pd.Series({g: bootstrap_p_value(f[3]) for g, f in found.items() if f[4]}, dtype=float)
        adjusted, called, level = fdr_calls(p, settings.fdr)
        levels[survey] = level
        for group, (before, delta, paired, draws, tested) in found.items():
            at = level if tested else settings.confidence
            low, high = percentile_interval(draws, at)
            if tested:
                clear = bool(called[group]) and change_verdict(low, high) != VERDICT_NOISE
                verdict = change_verdict(low, high) if clear else VERDICT_NOISE
            else:
                verdict = VERDICT_UNTESTED
            rows.append(
                (
                    survey,
                    before,
                    group,
                    delta,
                    low,
                    high,
                    at,
                    paired,
                    p.get(group, np.nan),
                    adjusted.get(group, np.nan),
                    verdict,
                )
            )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS), levels


def _with_questions(table: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    return table.merge(
        questions[["survey_id", "question_id", "text", "driver"]],
        on=["survey_id", "question_id"],
        how="left",
    )


def _log(layouts, scores, surveys, too_few, notes, settings) -> pd.DataFrame:
    parts = [pd.DataFrame(notes, columns=["survey_id", "group", "measure", "reason"])]
    groups, comment_groups, splits = [], [], []
    for survey, plan in layouts.items():
        groups.append(plan.groups.assign(survey_id=survey))
        comment_groups.append(plan.comments.assign(survey_id=survey))
        splits += [frame.assign(survey_id=survey) for frame in plan.split_log]
    if layouts:
        parts.append(anonymity.suppression_log(pd.concat(groups), "all figures"))
        parts.append(anonymity.suppression_log(pd.concat(comment_groups), "comments"))
        split = pd.concat(splits, ignore_index=True)
        for measure, frame in split.groupby("measure", sort=True):
            name = "eNPS split" if measure == "enps" else f"{measure} split"
            parts.append(anonymity.suppression_log(frame, name))
    previous = dict(zip(surveys["survey_id"], surveys["previous_survey_id"], strict=True))
    previous = {s: p for s, p in previous.items() if isinstance(p, str)}
    refused = anonymity.changes_allowed(scores[["survey_id", "group"]], previous)
    refused = refused[~refused["allowed"].astype(bool)]
    parts.append(
        pd.DataFrame(
            {
                "survey_id": refused["survey_id"],
                "measure": "change",
                "group": refused["group"],
                "reason": refused["reason"],
            }
        )
    )
    if len(too_few):
        few = too_few.assign(
            measure="drivers",
            reason=[
                f"drivers need at least {settings.min_driver_responses} complete answers"
                if q is None
                else f"{q} left out of the drivers: fewer than {settings.min_driver_responses} answers"
                for q in too_few["question_id"]
            ],
        )
        parts.append(few[["survey_id", "measure", "group", "reason"]])
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["survey_id", "group", "hidden", "reason"])
    log = pd.concat(parts, ignore_index=True)
    grouped = log.groupby(["survey_id", "group", "reason"], as_index=False, sort=False)[
        "measure"
    ].agg(lambda m: ", ".join(dict.fromkeys(m)))
    grouped = grouped.rename(columns={"measure": "hidden"})
    return (
        grouped[["survey_id", "group", "hidden", "reason"]]
        .sort_values(["survey_id", "group"], kind="stable")
        .reset_index(drop=True)
    )


# -- the invariant ----------------------------------------------------------------------------
def assert_outputs(result: Engagement) -> None:
    """Internal invariant, checked on the finished tables: every cell a table shows is a cell
    of its survey's layout, with the same member teams (the layout's member sets passed the
    rule — within the report, and beside the published reports — when its version was
    chosen), and every comment is listed under a comment cell."""
    for survey, plan in result.layouts.items():
        teams_of = plan.members.groupby("group")["team"].agg(lambda t: SEP.join(sorted(t)))
        for table in (result.scores, result.participation, result.favourability):
            part = table.loc[table["survey_id"] == survey] if len(table) else table
            for group, teams in zip(part["group"], part["teams"], strict=True):
                assert teams_of.get(group) == teams, (
                    f"{survey}: {group} is not a cell of the layout"
                )
        comment_cells = {label for label, _ in layout.comment_teams(plan)}
        listed = set(result.comments.loc[result.comments["survey_id"] == survey, "group"])
        counted = set(result.themes.loc[result.themes["survey_id"] == survey, "group"])
        assert listed | counted <= comment_cells, f"{survey}: a comment outside a comment group"


# -- what the store keeps -----------------------------------------------------------------------
STORE_COLUMNS = [
    "survey_id",
    "survey_date",
    "measure",
    "group",
    "kind",
    "parent",
    "teams",
    "version",
    "status",
    "n",
    "respondents",
    "invited",
    "promoters",
    "passives",
    "detractors",
    "pct_promoters",
    "pct_passives",
    "pct_detractors",
    "enps",
    "low",
    "high",
    "interval",
]


def store_frames(result: Engagement) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``enps_results`` (every shown eNPS cell and comment group, with its member
    teams and answer version) and of ``enps_answers`` (the answers of versions first shown
    in this report), for the next reports to stay consistent with this one."""
    surveys = result.surveys.set_index("survey_id")
    scores = result.scores.assign(
        measure="groups",
        version=result.scores["survey_id"].map(surveys["version"]),
        status=result.scores["survey_id"].map(surveys["status"]),
        interval=result.settings.interval_label,
    )
    rows = [scores]
    for survey, plan in result.layouts.items():
        answers = result.shown_answers.loc[result.shown_answers["survey_id"] == survey]
        people = answers.groupby("team")["respondent_id"].nunique()
        for (label, teams), members in layout.comment_teams(plan).items():
            size = int(people.reindex(members).fillna(0).sum())
            rows.append(
                pd.DataFrame(
                    {
                        "survey_id": [survey],
                        "survey_date": [answers["survey_date"].min()],
                        "measure": "comments",
                        "group": label,
                        "kind": "comments",
                        "parent": None,
                        "teams": teams,
                        "version": surveys.loc[survey, "version"],
                        "status": surveys.loc[survey, "status"],
                        "n": size,
                        "respondents": float(size),
                    }
                )
            )
    frame = pd.concat(rows, ignore_index=True).reindex(columns=STORE_COLUMNS)
    frame["n"] = frame["n"].astype(int)
    for column in ("respondents", "invited", *BUCKET_NAMES):
        frame[column] = frame[column].astype(float)
    new = set(result.new_versions)
    answers = result.shown_answers.assign(
        version=result.shown_answers["survey_id"].map(surveys["version"])
    )
    answers = answers.loc[answers["version"].isin(new), versions.ANSWER_COLUMNS]
    answers = answers.assign(comment=answers["comment"].astype(object))
    return frame, answers.reset_index(drop=True)
