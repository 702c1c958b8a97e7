import pandas as pd
import pytest

from compass_nb.enps._tree import OrgTree
from compass_nb.enps.anonymity import (
    atoms,
    changes_allowed,
    comment_cells,
    comment_pattern,
    group_pattern,
    reporting_groups,
    score_pattern,
    split_pattern,
    suppression_log,
    unsafe_atoms,
)
from compass_nb.errors import InputError


def _tree(edges):
    return OrgTree.from_org_units(pd.DataFrame(edges, columns=["team", "parent_team"]))


def _counts(sizes: dict) -> pd.DataFrame:
    return pd.Series(sizes, name="respondents").to_frame()


TEAM_OF_8 = _tree([("Company", None), ("T", "Company"), ("A", "T"), ("B", "T"), ("Ops", "Company")])


def _shown(pattern):
    return set(pattern.loc[pattern["shown"], "group"])


# -- the rule ---------------------------------------------------------------------------------
def test_atoms_group_people_by_the_cells_they_are_in():
    cells = {"T": {1, 2, 3, 4, 5, 6, 7, 8}, "A": {1, 2, 3, 4, 5}}
    assert atoms(cells) == {
        frozenset({"T", "A"}): frozenset({1, 2, 3, 4, 5}),
        frozenset({"T"}): frozenset({6, 7, 8}),
    }
    # the 3 people of T outside A are isolated by T − A
    assert unsafe_atoms(cells, 5) == [frozenset({6, 7, 8})]
    assert unsafe_atoms({"T": cells["T"]}, 5) == []


def test_an_overlap_of_two_cells_is_an_atom_too():
    # 10 and 10 people sharing 2: A ∩ B, A − B and B − A are atoms
    a, b = set(range(10)), set(range(8, 18))
    assert sorted(len(m) for m in atoms({"A": a, "B": b}).values()) == [2, 8, 8]
    assert unsafe_atoms({"A": a, "B": b}, 5) == [frozenset({8, 9})]


def test_a_late_answer_beside_the_published_cell_is_an_atom_of_one():
    published = {"T": set(range(57))}
    assert unsafe_atoms({"T now": set(range(58))}, 5, published) == [frozenset({57})]
    assert unsafe_atoms({"T now": set(range(62))}, 5, published) == []
    # a small atom already published is not this report's doing
    assert unsafe_atoms({"T": set(range(57))}, 5, {"A": {1, 2}, "B": {1, 2, 3, 4, 5, 6}}) == []


# -- the groups of one report --------------------------------------------------------------------
def test_team_of_8_split_5_and_3_hides_the_3_and_the_5_that_would_reveal_it():
    pattern = group_pattern(_counts({"A": 5, "B": 3, "Ops": 20}), TEAM_OF_8, 5)
    shown = _shown(pattern)
    assert "B" not in shown
    # showing both the 8 and the 5 would give the 3 by subtraction: the 5 goes
    assert shown == {"Company", "T", "Ops"}
    log = suppression_log(pattern.assign(survey_id="s1"), "eNPS").set_index("group")["reason"]
    assert log["B"] == "fewer than 5 respondents"
    assert "T" in log["A"] and "B" in log["A"] and "subtraction" in log["A"]


def test_the_log_never_states_a_hidden_groups_size():
    pattern = group_pattern(_counts({"A": 5, "B": 3, "Ops": 20}), TEAM_OF_8, 5)
    log = suppression_log(pattern.assign(survey_id="s1"), "eNPS")
    assert not log["reason"].str.contains("3").any()
    assert list(log.columns) == ["survey_id", "measure", "group", "reason"]


def test_a_group_is_hidden_when_too_few_answered_one_of_its_items():
    counts = pd.DataFrame(
        {"respondents": {"A": 6, "B": 9, "Ops": 20}, "q01": {"A": 4, "B": 9, "Ops": 20}}
    )
    pattern = group_pattern(counts, TEAM_OF_8, 5).set_index("group")
    assert not pattern.loc["A", "shown"]
    assert pattern.loc["A", "reason"] == "fewer than 5 answers to q01"


def test_parent_beside_all_but_one_child_is_caught():
    tree = _tree(
        [
            ("Company", None),
            ("P", "Company"),
            ("C1", "P"),
            ("C2", "P"),
            ("C3", "P"),
            ("X", "Company"),
        ]
    )
    pattern = group_pattern(_counts({"C1": 10, "C2": 10, "C3": 2, "X": 30}), tree, 5)
    shown = _shown(pattern)
    assert "C3" not in shown
    assert not {"P", "C1", "C2"} <= shown


def test_the_root_is_never_the_complement_hidden():
    tree = _tree([("Company", None), ("A", "Company"), ("B", "Company")])
    assert _shown(group_pattern(_counts({"A": 20, "B": 2}), tree, 5)) == {"Company"}


def test_company_remainder_of_direct_members_counts():
    tree = _tree([("Company", None), ("A", "Company")])
    # 3 people sit directly in Company: Company (23) beside A (20) would reveal them
    assert _shown(group_pattern(_counts({"Company": 3, "A": 20}), tree, 5)) == {"Company"}


def test_small_groups_merge_into_other_only_when_the_remainder_is_large_enough():
    tree = _tree(
        [("Company", None), ("P", "Company"), ("A", "P"), ("B", "P"), ("C", "P"), ("Big", "P")]
    )
    pattern = group_pattern(_counts({"A": 3, "B": 2, "C": 1, "Big": 20}), tree, 5)
    members = reporting_groups(pattern, tree)
    other = members[members["kind"] == "other"]
    assert set(other["group"]) == {"P · other"}
    assert set(other["team"]) == {"P", "A", "B", "C"}  # 6 people, none derivable alone


def test_no_other_group_when_the_remainder_would_be_too_small():
    pattern = group_pattern(_counts({"A": 5, "B": 3, "Ops": 20}), TEAM_OF_8, 5)
    members = reporting_groups(pattern, TEAM_OF_8)
    assert not (members["kind"] == "other").any()
    assert "B" not in set(members["group"])


# -- comments ----------------------------------------------------------------------------------
OPERATIONS = _tree(
    [
        ("Company", None),
        ("Operations", "Company"),
        ("Planning", "Operations"),
        ("Procurement", "Operations"),
        ("Warehouse North", "Operations"),
        ("Warehouse West", "Operations"),
        ("Sales", "Company"),
    ]
)
PEOPLE = pd.Series(
    {"Planning": 6, "Procurement": 3, "Warehouse North": 31, "Warehouse West": 17, "Sales": 45}
)


def test_a_remainder_of_9_gets_no_comments_of_its_own_and_is_named_for_what_it_pools():
    # scores: Operations · other is Planning + Procurement (9 ≥ 5): shown
    groups = group_pattern(PEOPLE.rename("respondents").to_frame(), OPERATIONS, 5)
    shown = dict(zip(groups["group"], groups["shown"], strict=True))
    members = reporting_groups(groups, OPERATIONS)
    assert set(members.loc[members["group"] == "Operations · other", "team"]) == {
        "Operations",
        "Planning",
        "Procurement",
    }
    # comments (10): the 9 would be a listing of its own — Warehouse West is pooled with it
    comments = comment_pattern(PEOPLE, OPERATIONS, 10, shown)
    assert not comments.set_index("group").loc["Warehouse West", "shown"]
    cells = comment_cells(comments, groups, PEOPLE, OPERATIONS).set_index("team")["group"]
    assert cells["Planning"] == cells["Warehouse West"] == "Operations · other + Warehouse West"
    assert cells["Warehouse North"] == "Warehouse North"
    reason = comments.set_index("group").loc["Warehouse West", "reason"]
    assert "Planning, Procurement" in reason and "fewer than 10" in reason


# -- splits ------------------------------------------------------------------------------------
def test_a_small_group_with_no_detractors_shows_no_split_and_says_why():
    tree = _tree([("Company", None), ("A", "Company"), ("B", "Company")])
    categories = pd.DataFrame(
        {
            "promoters": {"A": 3, "B": 10},
            "passives": {"A": 3, "B": 5},
            "detractors": {"A": 0, "B": 5},
        }
    )
    shown = {"Company": True, "A": True, "B": True}
    pattern = split_pattern(categories, tree, 10, shown).set_index("group")
    assert not pattern.loc["A", "shown"]
    assert "no colleague answered that way" in pattern.loc["A", "reason"]
    # B's split beside the company's would give A's: one of them is withheld too
    assert not (pattern.loc["Company", "shown"] and pattern.loc["B", "shown"])


def test_a_small_group_all_in_one_category_shows_no_split():
    tree = _tree([("Company", None), ("A", "Company")])
    categories = pd.DataFrame({"promoters": {"A": 6}, "passives": {"A": 0}, "detractors": {"A": 0}})
    pattern = split_pattern(categories, tree, 10, {"Company": True, "A": True})
    assert not pattern["shown"].any()
    assert "every answer fell in one category" in pattern.set_index("group").loc["A", "reason"]


def test_a_group_of_the_split_minimum_shows_its_split_even_when_alike():
    tree = _tree([("Company", None), ("A", "Company")])
    categories = pd.DataFrame(
        {"promoters": {"A": 0}, "passives": {"A": 0}, "detractors": {"A": 12}}
    )
    pattern = split_pattern(categories, tree, 10, {"Company": True, "A": True})
    assert pattern["shown"].all()


def test_a_small_group_of_detractors_only_has_its_score_hidden_and_not_derivable():
    tree = _tree([("Company", None), ("Ops", "Company"), ("Warehouse", "Company")])
    categories = pd.DataFrame(
        {
            "promoters": {"Ops": 3, "Warehouse": 0},
            "passives": {"Ops": 2, "Warehouse": 0},
            "detractors": {"Ops": 1, "Warehouse": 8},
        }
    )
    pattern = score_pattern(categories, tree, 10, {"Company": True, "Ops": True, "Warehouse": True})
    p = pattern.set_index("group")
    # −100 over 8 answers: each of the 8 would know every colleague is a detractor
    assert not p.loc["Warehouse", "shown"]
    assert "every one a detractor's" in p.loc["Warehouse", "reason"]
    # Company (14) − Ops (6) would give Warehouse back: Ops is hidden too, not the company
    assert p.loc["Company", "shown"] and not p.loc["Ops", "shown"]
    assert "be derived by subtraction" in p.loc["Ops", "reason"]


def test_a_unanimous_score_over_the_split_minimum_stays_shown():
    tree = _tree([("Company", None), ("A", "Company"), ("B", "Company")])
    categories = pd.DataFrame(
        {
            "promoters": {"A": 12, "B": 3},
            "passives": {"A": 0, "B": 4},
            "detractors": {"A": 0, "B": 4},
        }
    )
    pattern = score_pattern(categories, tree, 10, {"Company": True, "A": True, "B": True})
    assert pattern["shown"].all()


# -- across surveys ----------------------------------------------------------------------------
def test_a_change_is_refused_when_the_group_was_hidden_in_the_previous_survey():
    shown = pd.DataFrame(
        {
            "survey_id": ["s1", "s1", "s2", "s2", "s2"],
            "group": ["Company", "T", "Company", "T", "A"],
        }
    )
    allowed = changes_allowed(shown, {"s2": "s1"}).set_index("group")
    assert not allowed.loc["A", "allowed"]
    assert "hidden in s1" in allowed.loc["A", "reason"]
    assert allowed.loc["T", "allowed"] and allowed.loc["Company", "allowed"]


def test_org_units_that_are_not_one_tree_are_refused_with_what_to_do():
    with pytest.raises(InputError, match="one root"):
        _tree([("A", None), ("B", None)])
    with pytest.raises(InputError, match="cycle"):
        _tree([("Company", None), ("A", "B"), ("B", "A")])
    with pytest.raises(InputError, match="not itself a team"):
        _tree([("Company", None), ("A", "Ghost")])
