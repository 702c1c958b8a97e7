"""The anonymity rule as a property: random org trees, random answers, every output checked.

For each random case `engagement()` runs, and this module — independently of the package,
from the raw answers and the tree alone — works out the true member set behind every label
a table shows (a team with everything below it; ``"X · other"`` is X minus the shown
groups under it; a pooled comment group ``"A + B · other"`` the union of its parts). It
then checks by set arithmetic that no shown set, and no shown set minus any collection of
disjoint shown sets inside it, holds 1 to k − 1 people; that every count shown is the size
of its true set; that every comment sits in a group of at least ``min_comment_group``
holding its author; and that a category split shown, or derivable by such a difference,
has no empty category when it covers fewer than ``min_split_group`` answers. The second
property adds late answers to a survey already reported and checks both reports together.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from compass_nb.enps._tree import OrgTree
from compass_nb.enps.results import Settings, engagement, store_frames, survey_layout
from compass_nb.enps.versions import Published
from compass_nb.params import section_settings

OTHER = " · other"
SURVEY = "pulse-2026-09"


# -- an independent model of the org tree ---------------------------------------------------
def _subtree(parents: dict, team: str) -> set:
    out, frontier = {team}, [team]
    while frontier:
        node = frontier.pop()
        kids = [t for t, p in parents.items() if p == node]
        out.update(kids)
        frontier += kids
    return out


def _below(parents: dict, team: str) -> set:
    return _subtree(parents, team) - {team}


def _teams_of(label: str, parents: dict, whole: set) -> set:
    """The teams whose people a label covers, from its name alone."""
    if " + " in label:
        return set().union(*(_teams_of(part, parents, whole) for part in label.split(" + ")))
    if label.endswith(OTHER):
        owner = label.removesuffix(OTHER)
        inside = _subtree(parents, owner)
        for group in whole & _below(parents, owner):
            inside -= _subtree(parents, group)
        return inside
    return _subtree(parents, label)


def _people(answers: pd.DataFrame, teams: set, question: str | None = None) -> frozenset:
    keep = answers["team"].isin(teams).to_numpy()
    if question is not None:
        keep &= (answers["question_id"] == question).to_numpy()
    return frozenset(answers["respondent_id"].to_numpy()[keep].astype(str))


def _derivable(family: dict) -> list[tuple[str, frozenset]]:
    """Every shown set, and every shown set minus a collection of disjoint shown sets in it."""
    items = [(label, members) for label, members in family.items() if members]
    out = []
    for label, whole in items:
        inside = [(lab, s) for lab, s in items if s < whole]

        def extend(start, used, names, label=label, whole=whole, inside=inside):
            out.append((" − ".join([label, *names]), whole - used))
            for i in range(start, len(inside)):
                lab, members = inside[i]
                if not members & used:
                    extend(i + 1, used | members, [*names, lab])

        extend(0, frozenset(), [])
    return out


def _assert_nothing_small(family: dict, k: int, what: str) -> None:
    for name, members in _derivable(family):
        assert len(members) == 0 or len(members) >= k, (what, name, len(members))


def _assert_splits(family: dict, categories: dict, min_split: int, what: str) -> None:
    """A split shown or derivable covers min_split answers or more, or has every category."""
    for name, members in _derivable(family):
        if 0 < len(members) < min_split:
            found = {categories[m] for m in members}
            assert len(found) == 3, (what, name, len(members), found)


def _assert_no_unanimous_score(family: dict, categories: dict, min_split: int, what: str) -> None:
    """A score shown or derivable (n and the net P − D add up) over fewer than min_split
    answers is not ±100: it would say every member was a promoter, or a detractor."""
    for name, members in _derivable(family):
        if 0 < len(members) < min_split:
            found = {categories[m] for m in members}
            assert found not in ({"P"}, {"D"}), (what, name, len(members), found)


# -- random cases ---------------------------------------------------------------------------
@st.composite
def cases(draw):
    """A random tree, team sizes and answer styles from hypothesis; the answers from a seeded
    generator (mixed scores, or mostly alike within a team; items skipped; some comments)."""
    size = draw(st.integers(2, 9))
    parents = {"t0": None} | {f"t{i}": f"t{draw(st.integers(0, i - 1))}" for i in range(1, size)}
    sizes = {team: draw(st.integers(0, 8)) for team in parents}
    moods = {team: draw(st.sampled_from([None, 0, 5, 9])) for team in parents}
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows, person = [], 0
    for team in parents:
        for _ in range(sizes[team]):
            person += 1
            alike = moods[team] is not None and rng.random() < 0.7
            score = moods[team] if alike else int(rng.integers(0, 11))
            comment = rng.choice([None, None, "too much workload", "great team"])
            rows.append((f"p{person}", team, "enps", score, comment))
            for question in ("q01", "q02"):
                if rng.random() < 0.9:
                    rows.append((f"p{person}", team, question, int(rng.integers(1, 6)), None))
    answers = pd.DataFrame(
        rows, columns=["respondent_id", "team", "question_id", "score", "comment"]
    )
    k = draw(st.integers(3, 6))
    thresholds = {
        "min_group_size": k,
        "min_comment_group": draw(st.integers(k, 10)),
        "min_split_group": draw(st.integers(k, 10)),
    }
    return parents, answers, thresholds


def _tables(parents: dict, answers: pd.DataFrame, survey: str = SURVEY):
    org = pd.DataFrame({"team": list(parents), "parent_team": list(parents.values())})
    questions = pd.DataFrame(
        {
            "survey_id": survey,
            "question_id": ["enps", "q01", "q02"],
            "text": ["Recommend?", "Tools", "Recognition"],
            "kind": ["enps", "likert5", "likert5"],
            "driver": [None, "tools", "recognition"],
        }
    )
    responses = answers.assign(survey_id=survey, survey_date=pd.Timestamp("2026-09-15"))
    headcount = answers.groupby("team")["respondent_id"].nunique()
    invites = pd.DataFrame(
        {
            "survey_id": survey,
            "team": list(parents),
            "invited": [int(headcount.get(t, 0)) + 2 for t in parents],
        }
    )
    return questions, responses, invites, org


BASE = section_settings(Settings, "enps", bootstrap_samples=100)


def _settings(thresholds: dict) -> Settings:
    return replace(BASE, **thresholds)


def _check_report(result, parents, answers, thresholds, published_family=None) -> dict:
    """Check one report against the truth; return its families (for the across-report check)."""
    k, kc, ks = (thresholds[n] for n in ("min_group_size", "min_comment_group", "min_split_group"))
    families: dict = {}
    if result.participation.empty:
        assert result.scores.empty and result.favourability.empty and result.comments.empty
        return families
    whole = set(result.participation.loc[result.participation["kind"] == "team", "group"])
    scores, part, fav = result.scores, result.participation, result.favourability
    enps = answers[answers["question_id"] == "enps"]
    family = {}
    for row in scores.itertuples():
        members = _people(enps, _teams_of(row.group, parents, whole))
        assert row.n == len(members), (row.group, row.n, len(members))
        family[row.group] = members
    families["enps"] = family
    families["respondents"] = {
        row.group: _people(answers, _teams_of(row.group, parents, whole))
        for row in part.itertuples()
    }
    for row in part.itertuples():
        assert row.respondents == len(families["respondents"][row.group])
    for question, rows in fav.groupby("question_id"):
        families[question] = {
            row.group: _people(answers, _teams_of(row.group, parents, whole), question)
            for row in rows.itertuples()
        }
        for row in rows.itertuples():
            assert row.n == len(families[question][row.group])
    for measure, fam in families.items():
        combined = {
            **fam,
            **{f"earlier: {g}": s for g, s in (published_family or {}).get(measure, {}).items()},
        }
        _assert_nothing_small(combined, k, measure)
    signed = np.where(enps["score"] >= 9, "P", np.where(enps["score"] <= 6, "D", "N"))
    category = dict(zip(enps["respondent_id"].astype(str), signed, strict=True))
    _assert_no_unanimous_score(families["enps"], category, ks, "eNPS score")
    split = {
        g: s for g, s in families["enps"].items() if bool(scores.set_index("group").loc[g, "split"])
    }
    _assert_splits(split, category, ks, "eNPS split")
    comment_family = {}
    for label in set(result.comments["group"]) | set(result.themes["group"]):
        comment_family[label] = _people(answers, _teams_of(label, parents, whole))
    for row in result.comments.itertuples():
        author = answers.loc[answers["comment"] == row.comment, "team"]
        assert set(author) & _teams_of(row.group, parents, whole)
    combined = {
        **comment_family,
        **{f"earlier: {g}": s for g, s in (published_family or {}).get("comments", {}).items()},
    }
    authors = set(answers.loc[answers["comment"].notna(), "respondent_id"].astype(str))
    authors |= (published_family or {}).get("authors", set())
    for name, members in _derivable(combined):  # a comment's author is never among < kc
        assert not members & authors or len(members) >= kc, ("comments", name, len(members))
    families["authors"] = authors
    families["comments"] = comment_family
    return families


def _check_layout(layout, parents, answers, thresholds) -> None:
    """The cells of one survey's layout, by their names alone, against the truth."""
    k, kc, ks = (thresholds[n] for n in ("min_group_size", "min_comment_group", "min_split_group"))
    members = layout.members
    whole = set(members.loc[members["kind"] == "team", "group"])
    labels = set(members["group"])
    for label, part in members.groupby("group"):
        assert set(part["team"]) == _teams_of(label, parents, whole), label
    families = {"respondents": {g: _people(answers, _teams_of(g, parents, whole)) for g in labels}}
    for question in ("enps", "q01", "q02"):
        families[question] = {
            g: _people(answers, _teams_of(g, parents, whole), question) for g in labels
        }
    for measure, family in families.items():
        _assert_nothing_small(family, k, measure)
    comment_labels = set(layout.comment_cells["group"]) | set(
        layout.comments.loc[layout.comments["shown"], "group"]
    )
    comments = {g: _people(answers, _teams_of(g, parents, whole)) for g in comment_labels}
    _assert_nothing_small(comments, kc, "comments")
    answered = set(answers["team"])
    for team, label in zip(
        layout.comment_cells["team"], layout.comment_cells["group"], strict=True
    ):
        assert team not in answered or team in _teams_of(label, parents, whole), (team, label)
    enps = answers[answers["question_id"] == "enps"]
    signed = np.where(enps["score"] >= 9, "P", np.where(enps["score"] <= 6, "D", "N"))
    category = dict(zip(enps["respondent_id"].astype(str), signed, strict=True))
    _assert_no_unanimous_score(families["enps"], category, ks, "eNPS score")
    split = {g: families["enps"][g] for g in layout.splits["enps"]}
    _assert_splits(split, category, ks, "eNPS split")


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.generate],
)
@given(cases())
def test_no_combination_of_shown_cells_isolates_fewer_than_the_threshold(case):
    parents, answers, thresholds = case
    assume(len(answers))  # a survey exists only through its answers
    org = _tables(parents, answers)[3]
    tree = OrgTree.from_org_units(org)
    prepared = answers.assign(
        survey_id=SURVEY,
        respondent_id=answers["respondent_id"].astype(str),
        kind=np.where(answers["question_id"] == "enps", "enps", "likert5"),
    )
    layout = survey_layout(prepared, tree, _settings(thresholds))
    _check_layout(layout, parents, answers, thresholds)
    k = thresholds["min_group_size"]
    for team in parents:  # every small team with answers is hidden
        size = len(_people(answers, _subtree(parents, team)))
        if 0 < size < k:
            assert team not in set(layout.members["group"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_output_table_shows_only_safe_cells_and_true_counts(case):
    parents, answers, thresholds = case
    result = engagement(*_tables(parents, answers), _settings(thresholds))
    _check_report(result, parents, answers, thresholds)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.data())
def test_a_survey_reported_again_with_late_answers_reveals_no_small_set(case, data):
    parents, answers, thresholds = case
    first = engagement(*_tables(parents, answers), _settings(thresholds))
    earlier = _check_report(first, parents, answers, thresholds)
    shown, stored = store_frames(first)
    published = Published.from_store(shown.assign(period="2026-09"), stored)
    extra = []
    for i in range(data.draw(st.integers(1, 7))):
        team = data.draw(st.sampled_from(list(parents)))
        extra.append((f"late{i}", team, "enps", data.draw(st.integers(0, 10)), None))
        extra.append((f"late{i}", team, "q01", data.draw(st.integers(1, 5)), None))
    later = pd.concat([answers, pd.DataFrame(extra, columns=answers.columns)], ignore_index=True)
    second = engagement(
        *_tables(parents, later), _settings(thresholds), published=published, period="2026-10"
    )
    status = second.surveys.set_index("survey_id").loc[SURVEY, "status"]
    if first.layouts and not first.scores.empty:
        assert status in {"as published", "updated", "hidden"}
    if status == "as published":
        columns = ["group", "n", "promoters", "passives", "detractors", "enps"]
        pd.testing.assert_frame_equal(second.scores[columns], first.scores[columns])
    elif status != "hidden":
        _check_report(second, parents, later, thresholds, published_family=earlier)
