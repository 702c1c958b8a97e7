"""The eNPS charts (compass_nb.viz.enps) and explorer (compass_nb.widgets.enps)."""

import pytest

from compass_nb.enps import pulse
from compass_nb.enps.results import Settings, engagement, group_view, headline, summary_lines
from compass_nb.enps.scores import Buckets
from compass_nb.params import section_settings
from compass_nb.viz import enps as charts
from compass_nb.widgets.enps import engagement_explorer, group_card

from .conftest import ORG, survey_frames


@pytest.fixture(scope="module")
def result():
    return engagement(
        *survey_frames(comment="The CRM tool is slow"),
        ORG,
        section_settings(Settings, "enps", bootstrap_samples=200),
    )


def test_every_enps_chart_states_the_scale_and_bucket_limits(result):
    buckets = Buckets(scale_min=1, promoter_min=9, detractor_max=6)
    latest = result.scores[result.scores["survey_id"] == result.latest]
    for ax in (
        charts.enps_trend(result.scores, buckets=buckets),
        charts.bucket_shares(latest, buckets=buckets),
    ):
        assert "scale 1–10" in ax.get_xlabel() and "promoters 9–10" in ax.get_xlabel()
        assert "detractors 1–6" in ax.get_xlabel()
    grid = pulse.heatmap_data(
        result.favourability, result.latest, result.questions, first="Company"
    )
    assert grid.index[0] == "Company"
    assert "answers 4–5" in charts.favourability_heatmap(grid).get_xlabel()
    assert "under 60%" in charts.participation_bars(result.participation).get_xlabel()
    assert "(0–10)" in charts.driver_dots(result.drivers).get_xlabel()


def test_a_hidden_group_card_says_hidden_and_shows_no_figures(result):
    card = group_card(result, "East-B", result.latest)
    assert "Hidden for this survey" in card and "eNPS <b>" not in card
    assert "fewer than 5 respondents" in card


def test_group_names_are_escaped_in_the_card(result):
    assert "<b>&lt;x&gt;</b>" not in group_card(result, "<x>", result.latest)
    assert "&lt;x&gt;" in group_card(result, "<x>", result.latest)


def test_the_explorer_offers_only_groups_that_are_shown_somewhere(result):
    box = engagement_explorer(result)
    options = set(box.children[0].children[0].options)
    assert options == set(result.scores["group"])
    assert "East-B" not in options


def test_headline_and_summary_come_from_the_company_row(result):
    h = headline(result)
    company = group_view(result, "Company", result.latest).score
    assert h["enps"] == company["enps"] and h["n"] == 40
    assert summary_lines(result)[0].startswith(f"Company eNPS {company['enps']:+.0f}")


def test_charts_draw_an_empty_state_when_nothing_may_be_shown():
    empty = engagement(
        *survey_frames(sizes={"West": 2, "Ops": 2}),
        ORG,
        section_settings(Settings, "enps", bootstrap_samples=50),
    )
    grid = pulse.heatmap_data(empty.favourability, empty.latest, empty.questions, first="Company")
    for ax in (
        charts.enps_trend(empty.scores),
        charts.bucket_shares(empty.scores),
        charts.favourability_heatmap(grid),
        charts.participation_bars(empty.participation),
        charts.driver_dots(empty.drivers),
        charts.theme_bars(empty.themes),
    ):
        assert "nothing that may be shown" in ax.texts[0].get_text()
    assert "Hidden for this survey" in group_card(empty, "Company", empty.latest)
