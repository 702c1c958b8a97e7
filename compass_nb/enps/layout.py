"""One survey's layout: the cells a version of its answers may show, by the anonymity rule.

`survey_layout` works out, for one survey, the group pattern (one for every measure, so a
group name means the same people in every table), the cells (whole groups and
``"· other"`` remainders), the comment groups and the category splits that may be shown.
`layout_cells` gives the member sets of those cells, which the rule checks within this
report and beside the published ones (:mod:`compass_nb.enps.versions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compass_nb.enps import anonymity, pulse, versions
from compass_nb.enps.scores import BUCKET_NAMES
from compass_nb.enps.settings import Settings

SEP = versions.TEAM_SEPARATOR


@dataclass
class Layout:
    """What one survey's version may show: its cells, comment groups and category splits."""

    groups: pd.DataFrame  # the group pattern (one per survey, for every measure)
    members: pd.DataFrame  # group, kind, parent, team (shown cells, remainders included)
    comments: pd.DataFrame  # the comment pattern
    comment_cells: pd.DataFrame  # team → the comment group its comments are listed under
    splits: dict  # measure ("enps" or a question id) → labels whose split is shown
    split_log: list = field(default_factory=list)  # pattern-like frames with a "measure"


def survey_layout(answers: pd.DataFrame, tree, settings: Settings) -> Layout:
    """The cells one version of a survey may show, by the anonymity rule."""
    people = answers.groupby("team")["respondent_id"].nunique().rename("respondents")
    per_question = (
        answers.groupby(["team", "question_id"])["respondent_id"].nunique().unstack(fill_value=0)
    )
    direct = pd.concat([people, per_question], axis=1).fillna(0)
    measures = _category_counts(answers, settings)
    groups = _group_pattern(direct, tree, settings, measures.get("enps"))
    shown = dict(zip(groups["group"], groups["shown"], strict=True))
    members = anonymity.reporting_groups(groups, tree)
    comment = anonymity.comment_pattern(people, tree, settings.comment_group_size, shown)
    cells = anonymity.comment_cells(comment, groups, people, tree)
    splits, split_log = {}, []
    for measure, counts in measures.items():
        pattern = anonymity.split_pattern(counts, tree, settings.min_split_group, shown)
        labels, extra = _split_labels(pattern, shown, members, tree)
        splits[measure] = labels
        split_log.append(pd.concat([pattern, extra]).assign(measure=measure))
    return Layout(groups, members, comment, cells, splits, split_log)


def _group_pattern(direct, tree, settings: Settings, enps: pd.DataFrame | None) -> pd.DataFrame:
    """The survey's group pattern: groups large enough (and their remainders), less those
    whose eNPS of ±100 would tell a small group how each member answered
    (:func:`~compass_nb.enps.anonymity.score_pattern`), with the reason each is hidden."""
    groups = anonymity.group_pattern(direct, tree, settings.min_group_size)
    if enps is None:
        return groups
    shown = dict(zip(groups["group"], groups["shown"], strict=True))
    scores = anonymity.score_pattern(enps, tree, settings.min_split_group, shown)
    if scores["shown"].tolist() == groups["shown"].tolist():
        return groups
    start = dict(zip(scores["group"], scores["shown"], strict=True))
    out = anonymity.group_pattern(direct, tree, settings.min_group_size, start=start)
    why = dict(zip(scores["group"], scores["reason"], strict=True))
    by_score = (
        ~out["shown"]
        & (out["reason"] == "")
        & out["group"].map(lambda g: shown.get(g, False) and not start[g])
    )
    out.loc[by_score, "reason"] = out.loc[by_score, "group"].map(why)
    return out


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
    comments = comment_teams(layout)
    return {
        "groups": versions.cell_sets(
            answers, {(g, SEP.join(sorted(t))): t for g, t in teams_of.items()}
        ),
        "comments": {"respondents": versions.cell_sets(answers, comments)["respondents"]},
    }


def comment_teams(layout: Layout) -> dict:
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


def all_members(layouts: dict) -> pd.DataFrame:
    parts = []
    for survey, layout in layouts.items():
        teams = layout.members.groupby("group")["team"].agg(lambda t: SEP.join(sorted(t)))
        parts.append(
            layout.members.assign(survey_id=survey, teams=layout.members["group"].map(teams))
        )
    columns = ["survey_id", "group", "kind", "parent", "team", "teams"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def split_cells(layouts: dict) -> set:
    return {
        (survey, measure, label)
        for survey, layout in layouts.items()
        for measure, labels in layout.splits.items()
        for label in labels
    }


def all_comment_cells(layouts: dict, tree) -> pd.DataFrame:
    parts = []
    for survey, layout in layouts.items():
        cells = layout.comment_cells
        teams = cells.groupby("group")["team"].agg(lambda t: SEP.join(sorted(t)))
        parts.append(cells.assign(survey_id=survey, teams=cells["group"].map(teams)))
    columns = ["survey_id", "team", "group", "kind", "parent", "teams"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def whole_comment_groups(layouts: dict, tree) -> pd.DataFrame:
    rows = []
    for survey, layout in layouts.items():
        for group in layout.comments.loc[layout.comments["shown"], "group"]:
            rows += [(survey, group, team) for team in tree.subtree(group)]
    return pd.DataFrame(rows, columns=["survey_id", "group", "team"])


# -- the log ------------------------------------------------------------------------------------
