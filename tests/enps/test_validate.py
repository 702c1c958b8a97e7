"""Survey rows are validated by the data layer like every table (issue 17, defect 14):
quarantined with file, row, column and reason, and counted in rows read."""

import pandas as pd
import pytest

from compass_nb import data
from compass_nb.enps.validate import clean_survey
from compass_nb.errors import InputError

from .conftest import ORG, survey_frames

SURVEY = ("pulse-2026-10",)


def _write(folder, questions, responses, invites):
    """The survey tables as CSV files; returns the line of each response row (header = 1)."""
    ORG.to_csv(folder / "org_units.csv", index=False)
    questions.to_csv(folder / "survey_questions.csv", index=False)
    responses.to_csv(folder / "survey_responses.csv", index=False, date_format="%Y-%m-%d")
    invites.to_csv(folder / "survey_invites.csv", index=False)


def _load(folder):
    return data.load(folder, period="2026-10", today="2026-11-30")


def _quarantined(loaded, table):
    q = loaded.quarantine
    return q.loc[q["table"] == table, ["file", "row", "column", "reason"]].values.tolist()


def _balanced(loaded):
    counts = loaded.quarantine.groupby("table").size()
    return all(loaded.rows_accepted[t] + counts.get(t, 0) == n for t, n in loaded.rows_read.items())


def test_bad_answers_are_quarantined_with_their_file_line_column_and_reason(tmp_path):
    questions, responses, invites = survey_frames(surveys=SURVEY)
    base = responses.iloc[0].to_dict()
    bad = pd.DataFrame(
        [
            {**base, "respondent_id": "x1", "score": 11},  # out of range for eNPS
            {**base, "respondent_id": "x2", "question_id": "q01", "score": 6},  # Likert is 1-5
            {**base, "respondent_id": "x3", "score": 7.5},  # not a whole number
            {**base, "respondent_id": "x4", "team": "Narnia"},  # unknown team
            {**base, "respondent_id": "x5", "question_id": "q99"},  # unknown question
            {**base, "score": 9 if base["score"] != 9 else 8},  # conflicts with row 2
        ]
    )
    _write(tmp_path, questions, pd.concat([responses, bad], ignore_index=True), invites)
    loaded = _load(tmp_path)
    n = len(responses) + 1  # the last line of the clean rows
    file = "survey_responses.csv"
    assert _quarantined(loaded, "survey_responses") == [
        [
            file,
            2,
            "score",
            "conflicting duplicate answers from one respondent to one question (all set aside)",
        ],
        [file, n + 1, "score", "out of range (above 10)"],
        [file, n + 2, "score", "out of range (a likert5 answer is 1 to 5)"],
        [file, n + 3, "score", "wrong type (expected a whole number)"],
        [file, n + 4, "team", "unknown team"],
        [file, n + 5, "survey_id, question_id", "unknown question"],
        [
            file,
            n + 6,
            "score",
            "conflicting duplicate answers from one respondent to one question (all set aside)",
        ],
    ]
    assert loaded.rows_read["survey_responses"] == len(responses) + 6
    assert loaded.rows_accepted["survey_responses"] == len(responses) - 1
    assert _balanced(loaded)


def test_an_identical_repeated_answer_is_kept_once(tmp_path):
    questions, responses, invites = survey_frames(surveys=SURVEY)
    _write(
        tmp_path, questions, pd.concat([responses, responses.iloc[[0]]], ignore_index=True), invites
    )
    loaded = _load(tmp_path)
    assert _quarantined(loaded, "survey_responses") == [
        [
            "survey_responses.csv",
            len(responses) + 2,
            "survey_id, respondent_id, question_id",
            "duplicate key",
        ]
    ]
    assert len(loaded.tables["survey_responses"]) == len(responses)


def test_a_respondent_answering_from_two_teams_is_set_aside_whole(tmp_path):
    questions, responses, invites = survey_frames(surveys=SURVEY)
    person = responses["respondent_id"] == "Ops-0"
    responses.loc[person, "team"] = ["Ops", "West", "West"]
    _write(tmp_path, questions, responses, invites)
    loaded = _load(tmp_path)
    lines = [i + 2 for i in responses.index[person]]
    reason = (
        "respondent answered from more than one team in the same survey (all answers set aside)"
    )
    assert _quarantined(loaded, "survey_responses") == [
        ["survey_responses.csv", line, "team", reason] for line in lines
    ]


def test_invitations_below_the_answers_or_in_conflict_are_quarantined(tmp_path):
    questions, responses, invites = survey_frames(surveys=SURVEY)
    invites.loc[invites["team"] == "West", "invited"] = 4  # 12 answered
    extra = invites.loc[invites["team"] == "Ops"].assign(invited=99)
    _write(tmp_path, questions, responses, pd.concat([invites, extra], ignore_index=True))
    loaded = _load(tmp_path)
    ops = int(invites.index[invites["team"] == "Ops"][0]) + 2
    west = int(invites.index[invites["team"] == "West"][0]) + 2
    conflict = "conflicting invitation counts for one team in one survey (all set aside)"
    assert _quarantined(loaded, "survey_invites") == sorted(
        [
            [
                "survey_invites.csv",
                west,
                "invited",
                "fewer people invited than answered: correct the invitation count",
            ],
            ["survey_invites.csv", ops, "invited", conflict],
            ["survey_invites.csv", len(invites) + 2, "invited", conflict],
        ],
        key=lambda r: r[1],
    )
    assert set(loaded.tables["survey_invites"]["team"]) == {"East-A", "East-B"}
    assert _balanced(loaded)


def test_question_kinds_are_matched_ignoring_case_and_blanks(tmp_path):
    questions, responses, invites = survey_frames(surveys=SURVEY)
    questions["kind"] = questions["kind"].map({"enps": " ENPS", "likert5": "Likert5"})
    _write(tmp_path, questions, responses, invites)
    loaded = _load(tmp_path)
    assert loaded.tables["survey_questions"]["kind"].tolist() == ["enps", "likert5", "likert5"]
    assert loaded.quarantine.empty


def test_clean_tables_are_prepared_with_kinds_and_whole_scores(tmp_path):
    questions, responses, invites = survey_frames(surveys=SURVEY)
    _write(tmp_path, questions, responses, invites)
    t = _load(tmp_path).tables
    clean = clean_survey(
        t["survey_questions"], t["survey_responses"], t["survey_invites"], t["org_units"]
    )
    assert clean.responses["score"].tolist() == responses["score"].tolist()
    assert clean.responses["score"].dtype.kind == "i"
    assert clean.responses.groupby("kind").size().to_dict() == {"enps": 40, "likert5": 80}
    assert clean.quarantine.empty and clean.tree.root == "Company"


def test_answers_the_data_layer_never_saw_are_refused_not_dropped():
    questions, responses, invites = survey_frames(surveys=SURVEY)
    stray = responses.iloc[[0]].assign(question_id="q99")
    with pytest.raises(InputError, match="'q99'.*compass_nb.data.load"):
        clean_survey(questions, pd.concat([responses, stray]), invites, ORG)


def test_an_enps_scale_narrower_than_the_answers_is_an_error_that_names_the_setting():
    from compass_nb.enps.scores import Buckets

    questions, responses, invites = survey_frames(surveys=SURVEY)
    responses.loc[responses["question_id"] == "enps", "score"] = 0
    with pytest.raises(InputError, match="enps.scale_min"):
        clean_survey(questions, responses, invites, ORG, Buckets(1, 10, 9, 6))


def test_a_missing_column_is_an_error_naming_it():
    questions, responses, invites = survey_frames(surveys=SURVEY)
    with pytest.raises(InputError, match="'respondent_id'"):
        clean_survey(questions, responses.drop(columns="respondent_id"), invites, ORG)
