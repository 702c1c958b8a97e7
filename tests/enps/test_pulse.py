import numpy as np
import pandas as pd
import pytest

from compass_nb.enps.pulse import enps_grid, favourability, favourability_grid, participation, trend


def _members(groups):
    rows = [
        {"survey_id": "s", "group": g, "kind": "team", "parent": None, "team": t}
        for g, teams in groups.items()
        for t in teams
    ]
    return pd.DataFrame(rows)


def test_participation_is_respondents_over_invited_with_a_flag_under_60_percent():
    responses = pd.DataFrame(
        {
            "survey_id": "s",
            "team": ["A"] * 6 + ["B"] * 5,
            "respondent_id": [f"a{i}" for i in range(6)] + [f"b{i}" for i in range(5)],
        }
    )
    invites = pd.DataFrame({"survey_id": "s", "team": ["A", "B"], "invited": [8, 10]})
    table = participation(
        responses, invites, _members({"A": ["A"], "B": ["B"], "All": ["A", "B"]}), 0.6
    ).set_index("group")
    assert (
        table.loc["A", "participation"] == pytest.approx(0.75)
        and not table.loc["A", "low_participation"]
    )
    assert (
        table.loc["B", "participation"] == pytest.approx(0.5)
        and table.loc["B", "low_participation"]
    )
    assert table.loc["All", "participation"] == pytest.approx(11 / 18)


def test_participation_is_unknown_when_a_team_that_answered_has_no_invitation_count():
    responses = pd.DataFrame({"survey_id": "s", "team": ["A", "B"], "respondent_id": ["a", "b"]})
    invites = pd.DataFrame({"survey_id": "s", "team": ["A"], "invited": [4]})
    table = participation(responses, invites, _members({"All": ["A", "B"]}), 0.6)
    assert np.isnan(table["invited"].iloc[0]) and np.isnan(table["participation"].iloc[0])


def test_favourability_keeps_neutrals_in_the_denominator():
    answers = pd.DataFrame(
        {"survey_id": "s", "question_id": "q01", "team": "A", "score": [5, 4, 3, 3, 1]}
    )
    row = favourability(answers, _members({"A": ["A"]}), 4, {("s", "q01", "A")}).iloc[0]
    assert (row["favourable"], row["neutral"], row["unfavourable"]) == (2, 2, 1)
    assert row["pct_favourable"] == pytest.approx(40.0)
    assert row["pct_neutral"] == pytest.approx(40.0)


def test_a_withheld_split_shows_the_number_of_answers_only():
    answers = pd.DataFrame({"survey_id": "s", "question_id": "q01", "team": "A", "score": [5] * 6})
    row = favourability(answers, _members({"A": ["A"]}), 4, set()).iloc[0]
    assert row["n"] == 6 and not row["split"]
    assert np.isnan(row["pct_favourable"]) and np.isnan(row["favourable"])


def test_the_favourability_grid_is_whole_groups_by_questions_in_survey_order():
    fav = pd.DataFrame(
        {
            "survey_id": "s",
            "group": ["A", "A", "B", "A · other"],
            "kind": ["team", "team", "team", "other"],
            "question_id": ["q02", "q01", "q01", "q01"],
            "pct_favourable": [10.0, 20.0, 30.0, 40.0],
        }
    )
    questions = pd.DataFrame({"survey_id": "s", "question_id": ["q01", "q02"]})
    grid = favourability_grid(fav, "s", questions, first="B")
    assert list(grid.columns) == ["q01", "q02"] and list(grid.index) == ["B", "A"]
    assert grid.loc["A", "q02"] == 10.0 and np.isnan(grid.loc["B", "q02"])


def test_the_enps_grid_leaves_a_group_hidden_in_a_survey_empty():
    scores = pd.DataFrame(
        {
            "survey_id": ["s1", "s2", "s2", "s1"],
            "group": ["Company", "Company", "A", "A · other"],
            "kind": ["team", "team", "team", "other"],
            "enps": [5.0, 7.0, -40.0, 1.0],
        }
    )
    grid = enps_grid(scores, ["s1", "s2"], "Company")
    assert list(grid.index) == ["Company", "A"] and list(grid.columns) == ["s1", "s2"]
    assert np.isnan(grid.loc["A", "s1"]) and grid.loc["A", "s2"] == -40.0


def test_trend_orders_surveys_oldest_first():
    table = pd.DataFrame(
        {"survey_id": ["pulse-2026-10", "pulse-2026-09"], "group": "A", "enps": [5.0, -5.0]}
    )
    assert trend(table, "enps")["A"].tolist() == [-5.0, 5.0]
