"""eNPS without invitation counts or an org tree (issue 16): participation is not measured
(never 0 %), the anonymity rule still rests on the answers, and a source without org_units
gets one flat tree under the company; each assumption is stated in the summary."""

import pandas as pd
import pytest

from compass_nb.enps.results import Settings, engagement
from compass_nb.enps.validate import flat_org_units
from compass_nb.enps.views import headline, latest_view, summary_lines
from compass_nb.params import section_settings

from .conftest import ORG, survey_frames

FAST = section_settings(Settings, "enps", bootstrap_samples=400)
LATEST = "pulse-2026-10"


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame["survey_id"] == LATEST].set_index("group")


def test_without_invites_participation_is_not_measured_and_said_so():
    questions, responses, _ = survey_frames()
    result = engagement(questions, responses, None, ORG, FAST)
    assert _latest(result.participation)["invited"].isna().all()
    assert headline(result)["participation"] is None
    lines = summary_lines(result)
    assert not [line for line in lines if line.startswith("Participation")]
    assert lines[-1] == (
        "Assumed: no invitation counts (survey_invites): participation is not measured and "
        "intervals are not finite-population corrected."
    )
    assert latest_view(result).participation_missing.startswith("not measured")


def test_without_invites_the_same_groups_are_hidden_the_threshold_rests_on_answers():
    questions, responses, invites = survey_frames()
    with_invites = engagement(questions, responses, invites, ORG, FAST)
    without = engagement(questions, responses, None, ORG, FAST)
    # East-B has 3 answers (< 5): hidden; East-A (5) would give East-B away beside East
    assert "East-B" not in _latest(without.scores).index
    assert "East-A" not in _latest(without.scores).index
    assert set(_latest(without.scores).index) == set(_latest(with_invites.scores).index)
    pd.testing.assert_frame_equal(
        without.log.reset_index(drop=True), with_invites.log.reset_index(drop=True)
    )
    # the company's 40 answers, hand-counted: promoters minus detractors
    answers = responses[(responses["question_id"] == "enps") & (responses["survey_id"] == LATEST)]
    expected = 100 * ((answers["score"] >= 9).mean() - (answers["score"] <= 6).mean())
    assert _latest(without.scores).loc["Company", "enps"] == pytest.approx(expected)
    assert _latest(without.scores).loc["Company", "n"] == 40


def test_without_invites_no_finite_population_correction_even_when_asked():
    questions, responses, _ = survey_frames()
    asked = section_settings(Settings, "enps", bootstrap_samples=400, finite_population=True)
    corrected = engagement(questions, responses, None, ORG, asked)
    plain = engagement(questions, responses, None, ORG, FAST)
    assert not corrected.settings.finite_population
    pd.testing.assert_frame_equal(corrected.scores, plain.scores)
    lines = summary_lines(corrected)
    assert lines[0].endswith("a respondent bootstrap).")  # not "…, finite-population corrected"
    assert "random sample of those invited" not in corrected.settings.interval_label


def test_flat_org_units_puts_every_answering_team_under_one_company():
    _, responses, _ = survey_frames()
    org = flat_org_units(responses)
    assert org.values.tolist() == [
        ["Company", None],
        ["East-A", "Company"],
        ["East-B", "Company"],
        ["Ops", "Company"],
        ["West", "Company"],
    ]
    renamed = flat_org_units(responses.assign(team="Company"))
    assert renamed["team"].tolist() == ["Company (all teams)", "Company"]


def test_without_org_units_small_teams_pool_under_the_company_and_it_is_stated():
    questions, responses, invites = survey_frames()
    result = engagement(questions, responses, invites, None, FAST)
    shown = _latest(result.scores)
    # East-B (3) is hidden, East-A (5) would reveal it beside Ops and West: both pooled as
    # "Company · other" (5 + 3 = 8); 20 + 12 + 8 = the company's 40
    assert shown["n"].to_dict() == {"Company": 40, "Ops": 20, "West": 12, "Company · other": 8}
    assert result.root == "Company"
    assert summary_lines(result)[-1] == (
        "Assumed: no org_units: each team that answered is taken as a team directly under the "
        "company (Company), with no departments rolled up."
    )
    # invitations still count: 40 of 44 invited
    assert headline(result)["participation"] == pytest.approx(40 / 44)


def test_without_invites_the_participation_chart_says_not_measured():
    import matplotlib

    matplotlib.use("Agg")
    from compass_nb.viz import enps as charts

    questions, responses, _ = survey_frames()
    view = latest_view(engagement(questions, responses, None, ORG, FAST))
    ax = charts.participation_bars(view.participation, missing=view.participation_missing)
    assert [t.get_text() for t in ax.texts][0] == (
        "participation not measured: the source holds no invitation counts (survey_invites)"
    )
    assert not ax.patches
