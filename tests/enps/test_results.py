import numpy as np
import pandas as pd
import pytest

from compass_nb import display
from compass_nb.enps.results import Settings, engagement
from compass_nb.enps.views import latest_view, summary_lines
from compass_nb.errors import ParameterError
from compass_nb.params import section_settings

from .conftest import ORG, SIZES, survey_frames

FAST = section_settings(Settings, "enps", bootstrap_samples=400)


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


def test_a_survey_where_every_group_is_large_shows_every_group_and_logs_nothing_hidden():
    sizes = {"East-A": 12, "East-B": 11, "West": 15, "Ops": 20}
    result = engagement(*survey_frames(sizes=sizes), ORG, FAST)
    latest = result.scores[result.scores["survey_id"] == "pulse-2026-10"]
    assert set(latest["group"]) == {"Company", "Sales", "East", "East-A", "East-B", "West", "Ops"}
    assert not result.log["hidden"].str.contains("all figures").any()
    assert latest.set_index("group").loc["Company", "n"] == 58


def test_a_survey_where_all_but_the_company_are_small_shows_the_company_alone():
    sizes = {"East-A": 2, "East-B": 2, "West": 3, "Ops": 4}
    result = engagement(*survey_frames(sizes=sizes), ORG, FAST)
    assert set(result.scores["group"]) == {"Company"}
    assert set(result.participation["group"]) == {"Company"}
    assert result.comments.empty or set(result.comments["group"]) == {"Company"}
    log = result.log[result.log["survey_id"] == "pulse-2026-10"]
    assert {"East-A", "East-B", "West", "Ops"} <= set(log["group"])
    assert summary_lines(result)[0].startswith("Company eNPS")


def test_when_only_the_complement_of_a_set_of_groups_is_small_one_more_is_hidden():
    # East (8) and West (12) are large, but Company − Sales = Ops is 3: Sales goes too
    sizes = {"East-A": 5, "East-B": 3, "West": 12, "Ops": 3}
    result = engagement(*survey_frames(sizes=sizes), ORG, FAST)
    latest = set(result.scores.loc[result.scores["survey_id"] == "pulse-2026-10", "group"])
    assert "Ops" not in latest and "East-B" not in latest
    assert not {"Company", "Sales"} <= latest
    log = result.log[result.log["group"] == "Sales"]
    assert log["reason"].str.contains("Ops be derived by subtraction").any()


def test_no_result_names_a_hidden_group_and_the_log_says_why():
    result = engagement(*survey_frames(), ORG, FAST)
    for table in _tables_with_groups(result):
        assert not set(table["group"]) & {"East-A", "East-B"}
    assert "fewer than 5 respondents" in set(
        result.log.loc[result.log["group"] == "East-B", "reason"]
    )
    reasons = " ".join(result.log.loc[result.log["group"] == "East-A", "reason"])
    assert "East-B be derived by subtraction" in reasons


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
    people = {"Company": 40, "Sales": 20, "West": 12, "Ops": 20, "East": 8}
    for group in set(result.comments["group"]):
        assert people.get(group, 0) >= 10 or "·" in group, group
    assert "East" not in set(result.comments["group"])
    # every comment is listed exactly once
    assert len(result.comments) == 2 * sum(SIZES.values())


def test_company_enps_matches_a_hand_count_and_its_interval_is_the_respondent_bootstrap():
    questions, responses, invites = survey_frames()
    result = engagement(questions, responses, invites, ORG, FAST)
    answers = responses[
        (responses["question_id"] == "enps") & (responses["survey_id"] == "pulse-2026-10")
    ]
    expected = 100 * ((answers["score"] >= 9).mean() - (answers["score"] <= 6).mean())
    company = result.scores[
        (result.scores["group"] == "Company") & (result.scores["survey_id"] == "pulse-2026-10")
    ].iloc[0]
    assert company["enps"] == pytest.approx(expected)
    # the analytic SE of a difference of multinomial shares; the bootstrap is within a point
    p, d = (answers["score"] >= 9).mean(), (answers["score"] <= 6).mean()
    se = 100 * np.sqrt((p + d - (p - d) ** 2) / len(answers))
    assert company["high"] - company["low"] == pytest.approx(2 * 1.96 * se, abs=3)
    assert "respondent bootstrap" in latest_view(result).interval_label


def test_the_finite_population_correction_only_when_asked():
    frames = survey_frames()
    plain = engagement(*frames, ORG, FAST)
    corrected = engagement(
        *frames,
        ORG,
        section_settings(Settings, "enps", bootstrap_samples=400, finite_population=True),
    )
    width = lambda r: (r.scores["high"] - r.scores["low"]).to_numpy()  # noqa: E731
    # 40 of 44 invited answered: (44 − 40) / 43 shrinks the spread by √0.093 ≈ 0.30
    company = (plain.scores["group"] == "Company") & (plain.scores["survey_id"] == "pulse-2026-10")
    assert width(corrected)[company.to_numpy()][0] == pytest.approx(
        width(plain)[company.to_numpy()][0] * np.sqrt(4 / 43), rel=0.02
    )
    assert "random sample of those invited" in corrected.settings.interval_label


def test_a_company_below_the_minimum_shows_nothing_and_says_so():
    result = engagement(*survey_frames(sizes={"West": 2, "Ops": 2}), ORG, FAST)
    assert result.scores.empty and result.participation.empty and result.favourability.empty
    assert summary_lines(result)[0].startswith("pulse-2026-10: the company-wide result is hidden")
    log = result.log[
        (result.log["survey_id"] == "pulse-2026-10") & (result.log["group"] == "Company")
    ]
    assert "fewer than 5 respondents" in set(log["reason"])


def test_a_minimum_group_size_under_3_is_refused():
    with pytest.raises(ParameterError, match="min_group_size"):
        section_settings(Settings, "enps", min_group_size=2)


def test_a_comment_with_markup_is_shown_as_text():
    script = "<script>alert(1)</script> the new scanner app keeps freezing"
    result = engagement(*survey_frames(comment=script), ORG, FAST)
    page = str(display.show(latest_view(result).comments))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_small_group_all_promoters_is_hidden_with_whatever_would_give_its_score():
    questions, responses, invites = survey_frames(
        sizes={"East-A": 6, "East-B": 6, "West": 12, "Ops": 20}
    )
    alike = (responses["team"] == "East-A") & (responses["question_id"] == "enps")
    responses.loc[alike, "score"] = 10
    result = engagement(questions, responses, invites, ORG, FAST)
    latest = result.scores[result.scores["survey_id"] == "pulse-2026-10"]
    shown = set(latest["group"])
    # an eNPS of +100 over 6 answers would tell each of them how the other 5 answered
    assert "East-A" not in shown
    # East = East-A + East-B: East's score beside East-B's would give East-A's
    assert not {"East", "East-B"} <= shown
    log = result.log[
        (result.log["survey_id"] == "pulse-2026-10") & (result.log["group"] == "East-A")
    ]
    assert log["reason"].str.contains("every answer was a promoter's").any()
