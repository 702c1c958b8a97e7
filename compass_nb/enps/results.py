"""Everything the eNPS notebook shows, computed only for cells that may be shown.

`engagement` is the one entry point. It checks the survey tables, then for every survey
chooses the version of its answers this report may show (`versions.choose`: the current
answers, or the ones an earlier report showed), lays the survey out (`survey_layout`: one
group pattern for every measure, the comment groups, the category splits that may be
shown — all by the rule of :mod:`compass_nb.enps.anonymity`), computes every figure on
those cells alone, and finally checks every output table against the rule
(`assert_outputs`). Nothing in `Engagement` describes a hidden cell except the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compass_nb import formatting
from compass_nb.enps import anonymity, comments, drivers, pulse, trends, versions
from compass_nb.enps.scores import BUCKET_NAMES, Buckets, enps_table, signed_bucket
from compass_nb.enps.uncertainty import (
    VERDICT_DOWN,
    VERDICT_NOISE,
    VERDICT_UNTESTED,
    VERDICT_UP,
    bootstrap_change,
    bootstrap_enps,
    bootstrap_p_value,
    change_verdict,
    fdr_calls,
    percentile_interval,
    rng_for,
)
from compass_nb.enps.validate import clean_survey
from compass_nb.errors import ParameterError

SEP = versions.TEAM_SEPARATOR


@dataclass(frozen=True)
class Settings:
    """The ``enps`` parameters section (defaults and meanings: ``parameters/default.yaml``).

    Build it with :func:`compass_nb.params.build` from the merged parameters, or with
    :func:`compass_nb.params.section_settings` (the defaults, some keys changed).
    """

    min_group_size: int
    min_comment_group: int
    min_split_group: int
    min_driver_responses: int
    min_change_pairs: int
    participation_flag: float
    confidence: float
    bootstrap_samples: int
    seed: int
    finite_population: bool
    trend_surveys: int
    alert_below: float
    scale_min: int
    scale_max: int
    promoter_min: int
    detractor_max: int
    favourable_min: int

    def __post_init__(self) -> None:
        if int(self.min_group_size) < 3:
            raise ParameterError(
                f"enps.min_group_size is {self.min_group_size}; groups of fewer than 3 cannot be"
                " anonymous. Set it to 3 or more (5 is the default)."
            )
        if not 0 < self.confidence < 1:
            raise ParameterError(
                f"enps.confidence must be between 0 and 1, e.g. 0.95; got {self.confidence}."
            )
        if not 0 <= self.participation_flag <= 1:
            raise ParameterError(
                "enps.participation_flag is a share between 0 and 1 (e.g. 0.6); got"
                f" {self.participation_flag}."
            )
        if int(self.min_change_pairs) < 2:
            raise ParameterError(
                f"enps.min_change_pairs is {self.min_change_pairs}; a change needs at least 2"
                " people who answered both surveys (10 is the default)."
            )
        if int(self.trend_surveys) < 3:
            raise ParameterError(
                f"enps.trend_surveys is {self.trend_surveys}; a trend needs 3 surveys or more"
                " (6 is the default)."
            )
        if int(self.bootstrap_samples) < 100:
            raise ParameterError(
                f"enps.bootstrap_samples is {self.bootstrap_samples}; use 1,000 or more (4,000"
                " is the default) for stable intervals."
            )

    @property
    def buckets(self) -> Buckets:
        """The answer scale and its promoter / detractor limits."""
        return Buckets(self.scale_min, self.scale_max, self.promoter_min, self.detractor_max)

    @property
    def comment_group_size(self) -> int:
        return max(self.min_comment_group, self.min_group_size)

    @property
    def fdr(self) -> float:
        """The false-discovery rate of change and trend calls: 1 − the confidence level."""
        return 1.0 - self.confidence

    @property
    def interval_label(self) -> str:
        """What the intervals are, for captions and the summary."""
        text = (
            f"{self.confidence:.0%} respondent bootstrap (percentile,"
            f" {self.bootstrap_samples:,} resamples of the people who answered)"
        )
        if self.finite_population:
            text += (
                ", with the finite-population correction — it assumes the people who answered"
                " are a random sample of those invited"
            )
        return text


@dataclass
class Layout:
    """What one survey's version may show: its cells, comment groups and category splits."""

    groups: pd.DataFrame  # the group pattern (one per survey, for every measure)
    members: pd.DataFrame  # group, kind, parent, team (shown cells, remainders included)
    comments: pd.DataFrame  # the comment pattern
    comment_cells: pd.DataFrame  # team → the comment group its comments are listed under
    splits: dict  # measure ("enps" or a question id) → labels whose split is shown
    split_log: list = field(default_factory=list)  # pattern-like frames with a "measure"


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

    @property
    def latest(self) -> str | None:
        """The latest survey up to the cut-off."""
        return None if self.surveys.empty else str(self.surveys["survey_id"].iloc[-1])


# -- the entry point ----------------------------------------------------------------------------
def engagement(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invites: pd.DataFrame,
    org_units: pd.DataFrame,
    settings: Settings,
    strict: bool = False,
    published: versions.Published | None = None,
    period: str | None = None,
) -> Engagement:
    """Check the survey tables and compute every shown result, suppressed, with its log.

    Parameters
    ----------
    questions, responses, invites, org_units
        The survey tables of DESIGN.md, already cut off at the period.
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
        chosen.append(choice.answers.assign(survey_id=survey))
    surveys["version"] = surveys["survey_id"].map(version_ids)
    surveys["status"] = surveys["survey_id"].map(status)
    used = pd.concat(chosen, ignore_index=True) if chosen else answers.iloc[0:0]
    members = _all_members(layouts)
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
    cells = _all_comment_cells(layouts, tree)
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
                    _split_cells(layouts),
                ),
                clean.questions,
            ),
            members,
        ),
        drivers=found_drivers,
        comments=comments.comments_by_group(used, cells),
        themes=comments.theme_counts(used, _whole_comment_groups(layouts, tree)),
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
    )
    assert_outputs(result, tree, published)
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


# -- one survey's layout --------------------------------------------------------------------------
def survey_layout(answers: pd.DataFrame, tree, settings: Settings) -> Layout:
    """The cells one version of a survey may show, by the anonymity rule."""
    people = answers.groupby("team")["respondent_id"].nunique().rename("respondents")
    per_question = (
        answers.groupby(["team", "question_id"])["respondent_id"].nunique().unstack(fill_value=0)
    )
    direct = pd.concat([people, per_question], axis=1).fillna(0)
    groups = anonymity.group_pattern(direct, tree, settings.min_group_size)
    shown = dict(zip(groups["group"], groups["shown"], strict=True))
    members = anonymity.reporting_groups(groups, tree)
    comment = anonymity.comment_pattern(people, tree, settings.comment_group_size, shown)
    cells = anonymity.comment_cells(comment, groups, people, tree)
    splits, split_log = {}, []
    measures = _category_counts(answers, settings)
    for measure, counts in measures.items():
        pattern = anonymity.split_pattern(counts, tree, settings.min_split_group, shown)
        labels, extra = _split_labels(pattern, shown, members, tree)
        splits[measure] = labels
        split_log.append(pd.concat([pattern, extra]).assign(measure=measure))
    return Layout(groups, members, comment, cells, splits, split_log)


def _category_counts(answers: pd.DataFrame, settings: Settings) -> dict:
    """Per measure (``enps`` or a Likert question), answers per team and category."""
    b = settings.buckets
    score = answers["score"].to_numpy()
    enps = (answers["kind"] == "enps").to_numpy()
    fav = settings.favourable_min
    column = np.where(
        enps,
        np.where(score >= b.promoter_min, 0, np.where(score <= b.detractor_max, 2, 1)),
        np.where(score >= fav, 0, np.where(score <= 6 - fav, 2, 1)),
    )
    measure = np.where(enps, "enps", answers["question_id"].to_numpy())
    out = {}
    for name in np.unique(measure):
        rows = measure == name
        teams, index = np.unique(answers["team"].to_numpy()[rows], return_inverse=True)
        counts = np.zeros((len(teams), 3))
        np.add.at(counts, (index, column[rows]), 1)
        names = BUCKET_NAMES if name == "enps" else pulse.FAVOURABILITY
        out[str(name)] = pd.DataFrame(counts, index=teams, columns=list(names))
    return out


def _split_labels(pattern, shown, members, tree) -> tuple[set, pd.DataFrame]:
    """Labels whose split is shown: whole groups by the split pattern, and a remainder when
    its group and all the group's nearest shown sub-groups show theirs (else it would give a
    withheld split by subtraction)."""
    split = dict(zip(pattern["group"], pattern["shown"], strict=True))
    labels = {g for g, s in split.items() if s}
    extra = []
    others = {
        g for g, kind in zip(members["group"], members["kind"], strict=True) if kind == "other"
    }
    for other in sorted(others):
        owner = other.removesuffix(anonymity.OTHER)
        if not split.get(owner):
            continue
        withheld = [t for t in anonymity.nearest_shown_below(owner, shown, tree) if not split[t]]
        if not withheld:
            labels.add(other)
            continue
        extra.append(
            (
                other,
                1,
                False,
                f"split withheld as well: beside {owner}'s it would give the withheld split of"
                f" {', '.join(withheld)}",
                0,
            )
        )
    return labels, pd.DataFrame(extra, columns=anonymity.PATTERN_COLUMNS)


def layout_cells(layout: Layout, answers: pd.DataFrame) -> dict:
    """The member sets a layout shows: kind (``groups``/``comments``) → measure → cell → set."""
    teams_of = layout.members.groupby("group")["team"].agg(list).to_dict()
    comment_teams = _comment_teams(layout)
    return {
        "groups": versions.cell_sets(
            answers, {(g, SEP.join(sorted(t))): t for g, t in teams_of.items()}
        ),
        "comments": {"respondents": versions.cell_sets(answers, comment_teams)["respondents"]},
    }


def _comment_teams(layout: Layout) -> dict:
    """(label, teams) → member teams of every comment cell: the listings (atoms) and the
    whole comment groups whose themes are counted."""
    out = {}
    for label, part in layout.comment_cells.groupby("group"):
        teams = sorted(part["team"])
        out[(label, SEP.join(teams))] = teams
    whole = layout.members[layout.members["kind"] == "team"]
    for group in layout.comments.loc[layout.comments["shown"], "group"]:
        teams = sorted(whole.loc[whole["group"] == group, "team"])
        out[(group, SEP.join(teams))] = teams
    return out


# -- figures ------------------------------------------------------------------------------------
def _all_members(layouts: dict) -> pd.DataFrame:
    parts = []
    for survey, layout in layouts.items():
        teams = layout.members.groupby("group")["team"].agg(lambda t: SEP.join(sorted(t)))
        parts.append(
            layout.members.assign(survey_id=survey, teams=layout.members["group"].map(teams))
        )
    columns = ["survey_id", "group", "kind", "parent", "team", "teams"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


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
        (survey, label) for survey, layout in layouts.items() for label in layout.splits["enps"]
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


def _split_cells(layouts: dict) -> set:
    return {
        (survey, measure, label)
        for survey, layout in layouts.items()
        for measure, labels in layout.splits.items()
        for label in labels
    }


def _all_comment_cells(layouts: dict, tree) -> pd.DataFrame:
    parts = []
    for survey, layout in layouts.items():
        cells = layout.comment_cells
        teams = cells.groupby("group")["team"].agg(lambda t: SEP.join(sorted(t)))
        parts.append(cells.assign(survey_id=survey, teams=cells["group"].map(teams)))
    columns = ["survey_id", "team", "group", "kind", "parent", "teams"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _whole_comment_groups(layouts: dict, tree) -> pd.DataFrame:
    rows = []
    for survey, layout in layouts.items():
        for group in layout.comments.loc[layout.comments["shown"], "group"]:
            rows += [(survey, group, team) for team in tree.subtree(group)]
    return pd.DataFrame(rows, columns=["survey_id", "group", "team"])


# -- the log ------------------------------------------------------------------------------------
def _log(layouts, scores, surveys, too_few, notes, settings) -> pd.DataFrame:
    parts = [pd.DataFrame(notes, columns=["survey_id", "group", "measure", "reason"])]
    groups, comment_groups, splits = [], [], []
    for survey, layout in layouts.items():
        groups.append(layout.groups.assign(survey_id=survey))
        comment_groups.append(layout.comments.assign(survey_id=survey))
        splits += [frame.assign(survey_id=survey) for frame in layout.split_log]
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
def assert_outputs(result: Engagement, tree, published: versions.Published) -> None:
    """Internal invariant, checked on the finished tables: every cell a table shows is one
    of its survey's layout, and the rule holds for the cells shown (scores, participation,
    favourability: ``min_group_size``; comments and themes: ``min_comment_group``) beside
    every cell published earlier."""
    s = result.settings
    used = result.shown_answers
    for survey, layout in result.layouts.items():
        answers = used.loc[used["survey_id"] == survey]
        cells, stored = published.of(survey)
        before = versions.published_sets(cells, stored)
        teams_of = layout.members.groupby("group")["team"].agg(list).to_dict()
        shown = set()
        for table in (result.scores, result.participation, result.favourability):
            labels = set(table.loc[table["survey_id"] == survey, "group"]) if len(table) else set()
            assert labels <= set(teams_of), f"{survey}: a table shows a cell not in the layout"
            shown |= labels
        for table in (result.scores, result.participation, result.favourability):
            for row in table.loc[table["survey_id"] == survey].itertuples():
                assert row.teams == SEP.join(sorted(teams_of[row.group])), "cell teams differ"
        sets = versions.cell_sets(
            answers, {(g, SEP.join(sorted(teams_of[g]))): teams_of[g] for g in shown}
        )
        for measure, family in sets.items():
            anonymity.assert_safe(
                family, s.min_group_size, f"{survey} {measure}", before["groups"].get(measure)
            )
        comment_teams = _comment_teams(layout)
        listed = set(result.comments.loc[result.comments["survey_id"] == survey, "group"])
        counted = set(result.themes.loc[result.themes["survey_id"] == survey, "group"])
        labels = {label for label, _ in comment_teams}
        assert listed | counted <= labels, f"{survey}: a comment is listed outside a comment group"
        family = versions.cell_sets(answers, comment_teams)["respondents"]
        anonymity.assert_safe(
            family,
            s.comment_group_size,
            f"{survey} comments",
            before["comments"].get("respondents"),
            exposed=versions.commenters(answers) | versions.commenters(stored),
        )


# -- what the notebook shows --------------------------------------------------------------------
def _points(value: float) -> str:
    """An eNPS or a change in points, in a sentence: ``+12``, ``−3``, ``0``."""
    return formatting.no_negative_zero(f"{value:+.0f}").replace("-", "−")


@dataclass
class GroupView:
    """One group in one survey, as the widget shows it (all from suppressed results)."""

    group: str
    survey_id: str
    score: pd.Series | None
    change: pd.Series | None
    participation: pd.Series | None
    favourability: pd.DataFrame
    hidden: pd.DataFrame  # the log rows for this group and survey


def group_view(result: Engagement, group: str, survey_id: str) -> GroupView:
    """Everything shown about ``group`` in ``survey_id``; hidden parts appear only in ``hidden``."""

    def row(table: pd.DataFrame) -> pd.Series | None:
        if table.empty:
            return None
        part = table[(table["survey_id"] == survey_id) & (table["group"] == group)]
        return None if part.empty else part.iloc[0]

    fav = result.favourability
    fav = fav[(fav["survey_id"] == survey_id) & (fav["group"] == group)]
    log = result.log[
        (result.log["survey_id"] == survey_id) & result.log["group"].isin([group, "all groups"])
    ]
    return GroupView(
        group,
        survey_id,
        row(result.scores),
        row(result.changes),
        row(result.participation),
        fav[["question_id", "text", "n", "pct_favourable", "pct_neutral", "pct_unfavourable"]],
        log[["hidden", "reason"]],
    )


def headline(result: Engagement) -> dict:
    """Company eNPS, its interval, participation and change for the latest survey (None when hidden)."""
    survey, root = result.latest, result.root
    view = group_view(result, root, survey) if survey else None
    score, change, part = (view.score, view.change, view.participation) if view else (None,) * 3
    has_change = change is not None and change["verdict"] != VERDICT_UNTESTED
    return {
        "survey_id": survey,
        "enps": None if score is None else float(score["enps"]),
        "low": None if score is None else float(score["low"]),
        "high": None if score is None else float(score["high"]),
        "n": None if score is None else int(score["n"]),
        "participation": None
        if part is None or pd.isna(part["participation"])
        else float(part["participation"]),
        "change": None if change is None else float(change["delta"]),
        "change_low": None if change is None else float(change["low"]),
        "change_high": None if change is None else float(change["high"]),
        "verdict": None if change is None else str(change["verdict"]),
        "tested": has_change,
        "previous_survey_id": None if change is None else str(change["previous_survey_id"]),
    }


def summary_lines(result: Engagement) -> list[str]:
    """Headline sentences for the summary box, from shown results only; a sentence is
    produced only when its premise holds."""
    h, s = headline(result), result.settings
    if h["survey_id"] is None:
        return ["No survey answers up to the cut-off."]
    if h["enps"] is None:
        return [
            f"{h['survey_id']}: the company-wide result is hidden to keep answers anonymous"
            " (see the suppression log)."
        ]
    lines = [
        f"Company eNPS {_points(h['enps'])} in {h['survey_id']} ({h['n']} answers;"
        f" {s.confidence:.0%} interval {_points(h['low'])} to {_points(h['high'])}, a respondent"
        " bootstrap" + (", finite-population corrected" if s.finite_population else "") + ")."
    ]
    latest = result.changes[result.changes["survey_id"] == h["survey_id"]]
    tested = latest[latest["verdict"] != VERDICT_UNTESTED]
    if h["change"] is not None and h["tested"]:
        lines.append(
            f"Change since {h['previous_survey_id']}: {_points(h['change'])} points"
            f" ({_points(h['change_low'])} to {_points(h['change_high'])} at the"
            f" {result.change_level[h['survey_id']]:.1%} level that false-discovery control"
            f" across the {len(tested)} groups tested implies) — {h['verdict']}."
        )
    if h["participation"] is not None:
        lines.append(f"Participation {formatting.pct(h['participation'], digits=0)}.")
    lines += _alert_lines(result)
    lines += _trend_lines(result)
    if len(tested):
        clear = tested[tested["verdict"].isin([VERDICT_UP, VERDICT_DOWN])]
        clear = clear[clear["group"] != result.root]
        if len(clear):
            lines.append(
                f"Clear changes since {tested['previous_survey_id'].iloc[0]} (false-discovery"
                f" rate {s.fdr:.0%} across {len(tested)} groups with at least"
                f" {s.min_change_pairs} people answering both): "
                + ", ".join(
                    f"{g} ({_points(d)})"
                    for g, d in zip(clear["group"], clear["delta"], strict=True)
                )
                + "."
            )
        else:
            lines.append(
                f"No group changed clearly since {tested['previous_survey_id'].iloc[0]} once"
                f" {len(tested)} groups are tested together (false-discovery rate {s.fdr:.0%})."
            )
    lines += _driver_lines(result)
    hidden = result.log[
        (result.log["survey_id"] == h["survey_id"])
        & result.log["hidden"].str.contains("all figures")
    ]
    held = hidden[hidden["group"] == "all groups"]
    for reason in held["reason"]:
        lines.append(f"{h['survey_id']}: {reason}.")
    earlier = result.log[
        (result.log["survey_id"] != h["survey_id"]) & (result.log["group"] == "all groups")
    ]
    for survey, reason in zip(earlier["survey_id"], earlier["reason"], strict=True):
        lines.append(f"{survey} {reason}.")
    groups = hidden.loc[hidden["group"] != "all groups", "group"].nunique()
    if groups:
        lines.append(
            f"{groups} groups hidden this survey to keep answers anonymous (fewer than"
            f" {s.min_group_size} respondents, or derivable from shown groups)."
        )
    return lines


def _alert_lines(result: Engagement) -> list[str]:
    s = result.settings
    latest = result.scores[
        (result.scores["survey_id"] == result.latest) & (result.scores["kind"] == "team")
    ]
    low = latest[latest["enps"] < s.alert_below].sort_values("enps")
    if low.empty:
        return []
    return [
        f"Below {_points(s.alert_below)} in {result.latest}: "
        + "; ".join(
            f"{r.group} {_points(r.enps)} ({r.n} answers, {_points(r.low)} to {_points(r.high)})"
            for r in low.itertuples()
        )
        + "."
    ]


def _trend_lines(result: Engagement) -> list[str]:
    t = result.trends
    falling = t[t["declining"].astype(bool)] if len(t) else t
    if falling.empty:
        return []
    s = result.settings
    return [
        f"Sustained decline over the last {s.trend_surveys} surveys (slope interval below 0"
        f" after false-discovery control across {len(t)} groups): "
        + "; ".join(
            f"{r.group} from {_points(r.first)} to {_points(r.last)}, {_points(r.slope)} points a"
            f" survey ({_points(r.low)} to {_points(r.high)})"
            for r in falling.itertuples()
        )
        + "."
    ]


def _driver_lines(result: Engagement) -> list[str]:
    top = result.drivers[
        (result.drivers["survey_id"] == result.latest) & (result.drivers["group"] == result.root)
    ]
    if top.empty:
        return []
    first = top.sort_values("rank").iloc[0]
    name = first["driver"] if isinstance(first["driver"], str) else first["question_id"]
    share = f"{first['weight']:.0%} of the variance of eNPS answers (R² {first['r2']:.0%})"
    if bool(first["clear"]):
        return [
            f"Clearest driver: {name}, accounting for {share}; its interval lies above every other item's."
        ]
    second = top.sort_values("rank").iloc[1] if len(top) > 1 else None
    other = (
        ""
        if second is None
        else f" and {second['driver'] if isinstance(second['driver'], str) else second['question_id']}"
    )
    return [
        f"No clear driver: {name}{other} lead (relative weights; {name} accounts for {share}),"
        " but their intervals overlap."
    ]


@dataclass
class LatestView:
    """What the engagement notebook shows of the latest survey (every table already
    suppressed: only cells the anonymity rule lets through appear)."""

    survey_id: str | None
    company: str | None
    interval_label: str
    company_trend: pd.DataFrame
    latest_scores: pd.DataFrame
    groups: pd.DataFrame
    changes: pd.DataFrame
    trends: pd.DataFrame
    enps_grid: pd.DataFrame
    heatmap: pd.DataFrame
    driver_labels: dict
    drivers: pd.DataFrame
    participation: pd.DataFrame
    themes: pd.DataFrame
    comments: pd.DataFrame
    log: pd.DataFrame
    quarantine_note: str


def latest_view(result: Engagement, grid_surveys: int = 12) -> LatestView:
    """The latest survey's tables, and the company's trend, as the notebook shows them."""
    latest, company = result.latest, result.root

    def of_latest(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["survey_id"] == latest] if not frame.empty else frame

    def of_company(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["group"] == company] if not frame.empty else frame

    scores = result.scores
    reasons = result.quarantine["reason"].value_counts() if len(result.quarantine) else {}
    note = f"Survey rows set aside by the checks: {len(result.quarantine)}" + (
        " — by reason: " + "; ".join(f"{r} ({n})" for r, n in reasons.items())
        if len(reasons)
        else ""
    )
    groups = (
        of_latest(scores)
        .loc[
            :,
            [
                "group",
                "n",
                "pct_promoters",
                "pct_passives",
                "pct_detractors",
                "enps",
                "low",
                "high",
            ],
        ]
        .copy()
    )
    withheld = ~of_latest(scores)["split"].astype(bool)
    for column in ("pct_promoters", "pct_passives", "pct_detractors"):
        groups[column] = groups[column].astype(object).where(~withheld, "withheld")
    window = [s for s in result.surveys["survey_id"] if s in set(scores["survey_id"])][
        -grid_surveys:
    ]
    return LatestView(
        survey_id=latest,
        company=company,
        interval_label=result.settings.interval_label,
        company_trend=of_company(scores)[
            [
                "survey_id",
                "n",
                "invited",
                "pct_promoters",
                "pct_passives",
                "pct_detractors",
                "enps",
                "low",
                "high",
            ]
        ].iloc[::-1],
        latest_scores=of_latest(scores),
        groups=groups,
        changes=of_latest(result.changes).loc[
            :,
            [
                "group",
                "previous_survey_id",
                "delta",
                "low",
                "high",
                "level",
                "paired_n",
                "p_adjusted",
                "verdict",
            ],
        ],
        trends=result.trends.loc[
            :, ["group", "first", "last", "slope", "low", "high", "p_adjusted", "declining"]
        ],
        enps_grid=pulse.enps_grid(scores, window, company),
        heatmap=pulse.favourability_grid(result.favourability, latest, result.questions, company)
        if latest
        else pd.DataFrame(),
        driver_labels=result.questions.set_index("question_id")["driver"].dropna().to_dict(),
        drivers=of_company(of_latest(result.drivers)),
        participation=of_latest(result.participation),
        themes=of_company(of_latest(result.themes)),
        comments=of_latest(result.comments).loc[:, ["group", "themes", "comment"]],
        log=of_latest(result.log).loc[:, ["group", "hidden", "reason"]],
        quarantine_note=note + ". The rows themselves are kept in the private folder.",
    )


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
    for survey, layout in result.layouts.items():
        answers = result.shown_answers.loc[result.shown_answers["survey_id"] == survey]
        people = answers.groupby("team")["respondent_id"].nunique()
        for (label, teams), members in _comment_teams(layout).items():
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
