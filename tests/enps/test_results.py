import pandas as pd
import pytest

from compass_nb.enps.anonymity import unsafe_groups
from compass_nb.enps.results import Settings, engagement, summary_lines
from compass_nb.errors import ParameterError
from compass_nb.params import section_settings

from .conftest import ORG, SIZES, survey_frames

FAST = section_settings(Settings, "enps", bootstrap_samples=200)


def _tables_with_groups(result):
    return [
        result.scores,
        result.changes,
        result.participation,
        result.favourability,
        result.drivers,
        result.comments,
        result.themes,
    ]


def test_no_result_names_a_hidden_group_and_the_log_says_why():
    result = engagement(*survey_frames(), ORG, FAST)
    for table in _tables_with_groups(result):
        assert not set(table["group"]) & {"East-A", "East-B"}
    assert "fewer than 5 respondents" in set(
        result.log.loc[result.log["group"] == "East-B", "reason"]
    )
    reasons = " ".join(result.log.loc[result.log["group"] == "East-A", "reason"])
    assert "East-B be derived by subtraction" in reasons


def test_every_shown_team_set_is_safe_against_differencing():
    result = engagement(*survey_frames(), ORG, FAST)
    tree_sizes = result.scores[result.scores["kind"] == "team"]
    from compass_nb.enps._tree import OrgTree

    tree = OrgTree.from_org_units(ORG)
    for _, part in tree_sizes.groupby("survey_id"):
        assert unsafe_groups(part.set_index("group")["n"], tree, 5) == []


def test_a_team_that_grows_past_the_threshold_shows_no_change_from_when_it_was_hidden():
    q1, r1, i1 = survey_frames(sizes={**SIZES, "West": 4}, surveys=("pulse-2026-09",))
    q2, r2, i2 = survey_frames(sizes=SIZES, surveys=("pulse-2026-10",), seed=1)
    result = engagement(pd.concat([q1, q2]), pd.concat([r1, r2]), pd.concat([i1, i2]), ORG, FAST)
    now = result.scores[result.scores["survey_id"] == "pulse-2026-10"]
    assert "West" in set(now["group"])
    assert "West" not in set(result.changes["group"])
    refused = result.log[
        (result.log["group"] == "West") & result.log["hidden"].str.contains("change")
    ]
    assert refused["reason"].str.contains("hidden in pulse-2026-09").all() and len(refused) == 1


def test_comments_are_listed_only_for_groups_of_ten_or_more():
    result = engagement(*survey_frames(comment="More recognition please"), ORG, FAST)
    assert set(result.comments["group"]) <= {
        "Company",
        "Company · other",
        "Sales",
        "Ops",
        "Sales · other",
    }
    assert "East" not in set(result.comments["group"])
    assert len(result.comments) == 2 * sum(SIZES.values())


def test_company_enps_matches_a_hand_count_and_its_interval_contains_it():
    questions, responses, invites = survey_frames()
    result = engagement(
        questions,
        responses,
        invites,
        ORG,
        section_settings(Settings, "enps", bootstrap_samples=300),
    )
    answers = responses[
        (responses["question_id"] == "enps") & (responses["survey_id"] == "pulse-2026-10")
    ]
    expected = 100 * ((answers["score"] >= 9).mean() - (answers["score"] <= 6).mean())
    company = result.scores[
        (result.scores["group"] == "Company") & (result.scores["survey_id"] == "pulse-2026-10")
    ].iloc[0]
    assert company["enps"] == expected
    assert company["low"] <= expected <= company["high"]
    assert company["boot_low"] <= expected <= company["boot_high"]


def test_a_company_below_the_minimum_shows_nothing_and_says_so():
    result = engagement(*survey_frames(sizes={"West": 2, "Ops": 2}), ORG, FAST)
    assert result.scores.empty and result.participation.empty and result.favourability.empty
    assert summary_lines(result)[0].startswith("pulse-2026-10: the company-wide result is hidden")
    log = result.log[result.log["survey_id"] == "pulse-2026-10"].set_index("group")
    assert "fewer than 5 respondents" in log.loc["Company", "reason"].tolist()


def test_a_minimum_group_size_under_3_is_refused():
    with pytest.raises(ParameterError, match="min_group_size"):
        section_settings(Settings, "enps", min_group_size=2)


def test_a_survey_straddling_a_cycle_cut_off_hides_groups_that_would_reveal_late_answers():
    questions, responses, invites = survey_frames(surveys=("pulse-2026-09",))
    late = responses["respondent_id"].isin(["West-0", "West-1"])
    responses.loc[late, "survey_date"] = pd.Timestamp("2026-10-02")
    result = engagement(questions, responses, invites, ORG, FAST)
    shown = set(result.scores["group"])
    # West, Sales and Company each grew by the same two answers after the 2026-09 report
    assert not shown & {"West", "Sales", "Company"}
    assert {"Ops", "East"} <= shown
    reasons = result.log.set_index("group").loc["West", "reason"]
    assert "after the 2026-09 cut-off" in " ".join(pd.Series(reasons).tolist())
