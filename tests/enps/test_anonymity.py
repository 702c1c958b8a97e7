import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.enps._tree import OrgTree
from compass_nb.enps.anonymity import (
    changes_allowed,
    reporting_groups,
    suppression_log,
    suppression_pattern,
    unsafe_groups,
)
from compass_nb.errors import InputError


def _tree(edges):
    return OrgTree.from_org_units(pd.DataFrame(edges, columns=["team", "parent_team"]))


TEAM_OF_8 = _tree([("Company", None), ("T", "Company"), ("A", "T"), ("B", "T"), ("Ops", "Company")])


def _shown(pattern):
    return set(pattern.loc[pattern["shown"], "group"])


def test_team_of_8_split_5_and_3_hides_the_3_and_the_5_that_would_reveal_it():
    pattern = suppression_pattern(pd.Series({"A": 5, "B": 3, "Ops": 20}), TEAM_OF_8, 5)
    shown = _shown(pattern)
    assert "B" not in shown
    # showing both the 8 and the 5 would give the 3 by subtraction: one of them goes
    assert not {"T", "A"} <= shown
    assert shown == {"Company", "T", "Ops"}
    log = suppression_log(pattern.assign(survey_id="s1"), "eNPS").set_index("group")["reason"]
    assert log["B"] == "fewer than 5 respondents"
    assert "T" in log["A"] and "B" in log["A"] and "subtraction" in log["A"]


def test_the_log_never_states_a_hidden_groups_size():
    pattern = suppression_pattern(pd.Series({"A": 5, "B": 3, "Ops": 20}), TEAM_OF_8, 5)
    log = suppression_log(pattern.assign(survey_id="s1"), "eNPS")
    assert not log["reason"].str.contains("3").any()
    assert list(log.columns) == ["survey_id", "measure", "group", "reason"]


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
    # C3 has 2 people: P (22) beside C1 and C2 (10 each) would reveal it
    pattern = suppression_pattern(pd.Series({"C1": 10, "C2": 10, "C3": 2, "X": 30}), tree, 5)
    shown = _shown(pattern)
    assert "C3" not in shown
    assert unsafe_groups(pattern.set_index("group").loc[sorted(shown), "n"], tree, 5) == []
    assert not {"P", "C1", "C2"} <= shown


def test_the_root_is_never_the_complement_hidden():
    tree = _tree([("Company", None), ("A", "Company"), ("B", "Company")])
    pattern = suppression_pattern(pd.Series({"A": 20, "B": 2}), tree, 5)
    assert _shown(pattern) == {"Company"}


def test_company_remainder_of_direct_members_counts():
    tree = _tree([("Company", None), ("A", "Company")])
    # 3 people sit directly in Company: Company (23) beside A (20) would reveal them
    pattern = suppression_pattern(pd.Series({"Company": 3, "A": 20}), tree, 5)
    assert _shown(pattern) == {"Company"}


def test_small_groups_merge_into_other_only_when_the_remainder_is_large_enough():
    tree = _tree(
        [("Company", None), ("P", "Company"), ("A", "P"), ("B", "P"), ("C", "P"), ("Big", "P")]
    )
    pattern = suppression_pattern(pd.Series({"A": 3, "B": 2, "C": 1, "Big": 20}), tree, 5)
    members = reporting_groups(pattern.assign(survey_id="s"), ["survey_id"], tree)
    other = members[members["kind"] == "other"]
    assert set(other["group"]) == {"P · other"}
    assert set(other["team"]) == {"P", "A", "B", "C"}  # 6 people, none derivable alone


def test_no_other_group_when_the_remainder_would_be_too_small():
    pattern = suppression_pattern(pd.Series({"A": 5, "B": 3, "Ops": 20}), TEAM_OF_8, 5)
    members = reporting_groups(pattern.assign(survey_id="s"), ["survey_id"], TEAM_OF_8)
    assert not (members["kind"] == "other").any()
    assert "B" not in set(members["group"])


def test_a_change_is_refused_when_the_group_was_hidden_in_the_previous_survey():
    first = suppression_pattern(pd.Series({"A": 4, "B": 10, "Ops": 20}), TEAM_OF_8, 5).assign(
        survey_id="s1"
    )
    second = suppression_pattern(pd.Series({"A": 6, "B": 10, "Ops": 20}), TEAM_OF_8, 5).assign(
        survey_id="s2"
    )
    allowed = changes_allowed(pd.concat([first, second]), {"s2": "s1"}).set_index("group")
    assert not allowed.loc["A", "allowed"]
    assert "hidden in s1" in allowed.loc["A", "reason"]
    # in s1, B (10) beside T (14) would have revealed A, so B was hidden too: no change for B
    assert not allowed.loc["B", "allowed"]
    assert allowed.loc["T", "allowed"] and allowed.loc["Company", "allowed"]


def test_org_units_that_are_not_one_tree_are_refused_with_what_to_do():
    with pytest.raises(InputError, match="one root"):
        _tree([("A", None), ("B", None)])
    with pytest.raises(InputError, match="cycle"):
        _tree([("Company", None), ("A", "B"), ("B", "A")])
    with pytest.raises(InputError, match="not itself a team"):
        _tree([("Company", None), ("A", "Ghost")])


@st.composite
def _org_and_counts(draw):
    size = draw(st.integers(2, 12))
    parents = [None] + [f"t{draw(st.integers(0, i - 1))}" for i in range(1, size)]
    tree = _tree([(f"t{i}", p) for i, p in enumerate(parents)])
    counts = pd.Series({f"t{i}": draw(st.integers(0, 9)) for i in range(size)})
    return tree, counts


@settings(max_examples=150, deadline=None)
@given(_org_and_counts(), st.integers(3, 6))
def test_no_shown_pattern_lets_a_small_group_be_derived(case, k):
    tree, counts = case
    pattern = suppression_pattern(counts, tree, k).set_index("group")
    shown = pattern.loc[pattern["shown"], "n"]
    assert (shown >= k).all()
    assert unsafe_groups(shown, tree, k) == []
    # every primarily small group stays hidden
    small = pattern[(pattern["n"] > 0) & (pattern["n"] < k)]
    assert not small["shown"].any()


def test_late_answers_between_two_cycles_cannot_be_subtracted():
    from compass_nb.enps.anonymity import hide_late_answers

    # at the 2026-09 cut-off T showed 10 answers (A 5, B 5); two more from A arrived in October
    then = suppression_pattern(pd.Series({"A": 5, "B": 5, "Ops": 20}), TEAM_OF_8, 5)
    now = suppression_pattern(pd.Series({"A": 7, "B": 5, "Ops": 20}), TEAM_OF_8, 5)
    assert _shown(now) == {"Company", "T", "A", "B", "Ops"}
    safe = hide_late_answers(now, then, pd.Series({"A": 2}), TEAM_OF_8, 5, "2026-09")
    shown = _shown(safe)
    # A, T and Company each grew by exactly the two late answers: none may be shown again
    assert not shown & {"A", "T", "Company"}
    assert shown == {"B", "Ops"}
    assert "after the 2026-09 cut-off" in safe.set_index("group").loc["A", "reason"]


def test_enough_late_answers_keep_every_group():
    from compass_nb.enps.anonymity import hide_late_answers

    then = suppression_pattern(pd.Series({"A": 5, "B": 5, "Ops": 20}), TEAM_OF_8, 5)
    now = suppression_pattern(pd.Series({"A": 10, "B": 5, "Ops": 20}), TEAM_OF_8, 5)
    safe = hide_late_answers(now, then, pd.Series({"A": 5}), TEAM_OF_8, 5, "2026-09")
    assert _shown(safe) == _shown(now)


@settings(max_examples=80, deadline=None)
@given(_org_and_counts(), st.data())
def test_after_late_answer_hiding_both_reports_together_reveal_no_small_set(case, data):
    from compass_nb.enps.anonymity import hide_late_answers

    tree, early = case
    late = pd.Series({t: data.draw(st.integers(0, 4)) for t in early.index})
    then = suppression_pattern(early, tree, 5)
    now = suppression_pattern(early + late, tree, 5)
    safe = hide_late_answers(now, then, late, tree, 5, "2026-09").set_index("group")
    shown_now = safe.loc[safe["shown"], "n"]
    assert unsafe_groups(shown_now, tree, 5) == []
    both = [g for g in shown_now.index if g in set(then.loc[then["shown"], "group"])]
    late_totals = tree.subtree_totals(late)
    # groups with no late answers are unchanged between the reports; any other must be safe
    flagged = [g for g in unsafe_groups(late_totals[both], tree, 5) if late_totals[g] > 0]
    assert flagged == []
