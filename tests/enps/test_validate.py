import pandas as pd
import pytest

from compass_nb.enps.validate import clean_survey
from compass_nb.errors import InputError

from .conftest import ORG, survey_frames


def _with_bad_rows():
    questions, responses, invites = survey_frames(surveys=("pulse-2026-10",))
    base = responses.iloc[0].to_dict()
    bad = [
        {**base, "respondent_id": "x1", "score": 11},  # out of range for eNPS
        {
            **base,
            "respondent_id": "x2",
            "question_id": "q01",
            "score": 6,
        },  # out of range for Likert
        {**base, "respondent_id": "x3", "score": 7.5},  # not a whole number
        {**base, "respondent_id": "x4", "team": "Narnia"},  # unknown team
        {**base, "respondent_id": "x5", "question_id": "q99"},  # unknown question
        {**base, "score": 9 if base["score"] != 9 else 8},  # conflicting duplicate
    ]
    return questions, pd.concat([responses, pd.DataFrame(bad)], ignore_index=True), invites


def test_bad_answers_are_quarantined_each_with_its_reason():
    questions, responses, invites = _with_bad_rows()
    clean = clean_survey(questions, responses, invites, ORG)
    reasons = " | ".join(clean.quarantine["reason"])
    assert "whole number from 0 to 10" in reasons
    assert "whole number from 1 to 5" in reasons
    assert "team is not in org_units" in reasons
    assert "not in survey_questions" in reasons
    assert "conflicting duplicate answers" in reasons
    # the two conflicting answers are both set aside; nothing else is lost
    assert len(clean.quarantine) == 7
    assert len(clean.responses) + len(clean.quarantine) == len(responses)
    assert set(clean.quarantine.columns) == {"table", "file", "row", "column", "value", "reason"}


def test_identical_repeated_answers_are_kept_once():
    questions, responses, invites = survey_frames(surveys=("pulse-2026-10",))
    doubled = pd.concat([responses, responses.iloc[[0]]], ignore_index=True)
    clean = clean_survey(questions, doubled, invites, ORG)
    assert len(clean.responses) == len(responses)
    assert clean.quarantine["reason"].str.contains("first kept").all()


def test_a_respondent_answering_from_two_teams_is_set_aside():
    questions, responses, invites = survey_frames(surveys=("pulse-2026-10",))
    responses.loc[responses["respondent_id"] == "Ops-0", "team"] = ["Ops", "West", "West"]
    clean = clean_survey(questions, responses, invites, ORG)
    assert (
        clean.quarantine["reason"]
        == "respondent answered from more than one team in the same survey"
    ).sum() == 3


def test_invitations_below_the_answers_are_quarantined():
    questions, responses, invites = survey_frames(surveys=("pulse-2026-10",))
    invites.loc[invites["team"] == "West", "invited"] = 4
    clean = clean_survey(questions, responses, invites, ORG)
    assert "West" not in set(clean.invites["team"])
    assert clean.quarantine["reason"].str.contains("fewer people invited than answered").any()


def test_strict_turns_any_quarantine_into_an_error_that_says_what_to_do():
    questions, responses, invites = _with_bad_rows()
    with pytest.raises(InputError, match="without --strict"):
        clean_survey(questions, responses, invites, ORG, strict=True)


def test_a_missing_column_is_an_error_naming_it():
    questions, responses, invites = survey_frames(surveys=("pulse-2026-10",))
    with pytest.raises(InputError, match="'respondent_id'"):
        clean_survey(questions, responses.drop(columns="respondent_id"), invites, ORG)
