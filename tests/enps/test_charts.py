"""The eNPS charts (compass_nb.viz.enps) and explorer (compass_nb.widgets.enps)."""

import numpy as np
import pytest

from compass_nb.enps.results import Settings, engagement
from compass_nb.enps.scores import Buckets
from compass_nb.enps.views import group_view, headline, latest_view, summary_lines
from compass_nb.params import section_settings
from compass_nb.viz import enps as charts
from compass_nb.widgets.enps import engagement_explorer, group_card

from .conftest import ORG, survey_frames

SETTINGS = section_settings(Settings, "enps", bootstrap_samples=200, min_driver_responses=10)


@pytest.fixture(scope="module")
def result():
    return engagement(*survey_frames(comment="The CRM tool is slow"), ORG, SETTINGS)


def test_every_enps_chart_states_the_scale_the_bucket_limits_and_its_units(result):
    buckets = Buckets(scale_min=1, promoter_min=9, detractor_max=6)
    view = latest_view(result)
    for ax in (
        charts.enps_trend(result.scores, buckets=buckets),
        charts.bucket_shares(view.latest_scores, buckets=buckets),
    ):
        assert "scale 1–10" in ax.get_xlabel() and "promoters 9–10" in ax.get_xlabel()
        assert "detractors 1–6" in ax.get_xlabel()
    assert charts.enps_trend(result.scores).get_ylabel() == charts.ENPS_AXIS
    assert (
        "respondent bootstrap"
        in charts.enps_trend(result.scores).get_legend().get_texts()[0].get_text()
    )
    assert "answers 4–5" in charts.favourability_heatmap(view.heatmap).get_xlabel()
    assert "under 60%" in charts.participation_bars(result.participation).get_xlabel()
    drivers = charts.driver_bars(view.drivers)
    assert "variance of eNPS answers" in drivers.get_xlabel() and "R²" in drivers.get_xlabel()
    assert "eNPS in points" in charts.enps_heatmap(view.enps_grid).get_xlabel()


def test_the_heatmap_marks_hidden_cells_as_hidden(result):
    grid = latest_view(result).enps_grid
    assert grid.index[0] == "Company"
    ax = charts.enps_heatmap(grid.assign(extra=np.nan))
    assert ax.patch.get_hatch() == charts.HIDDEN_HATCH
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["hidden"]


def test_a_withheld_split_is_drawn_hatched_with_its_score():
    scores = latest_view(
        engagement(
            *survey_frames(sizes={"East-A": 12, "East-B": 10, "West": 6, "Ops": 20}), ORG, SETTINGS
        )
    ).latest_scores
    ax = charts.bucket_shares(scores.assign(split=scores["group"] != "West"))
    hatched = [p for p in ax.patches if p.get_hatch() == charts.HIDDEN_HATCH and p.get_width() > 0]
    assert len(hatched) == 1


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
    points = f"{company['enps']:+.0f}".replace("-", "−")
    assert summary_lines(result)[0].startswith(f"Company eNPS {points}")


def test_charts_draw_an_empty_state_when_nothing_may_be_shown():
    empty = engagement(*survey_frames(sizes={"West": 2, "Ops": 2}), ORG, SETTINGS)
    view = latest_view(empty)
    for ax in (
        charts.enps_trend(empty.scores),
        charts.enps_heatmap(view.enps_grid),
        charts.bucket_shares(empty.scores),
        charts.favourability_heatmap(view.heatmap),
        charts.participation_bars(empty.participation),
        charts.driver_bars(empty.drivers),
        charts.theme_bars(empty.themes),
    ):
        assert "nothing that may be shown" in ax.texts[0].get_text()
    assert "Hidden for this survey" in group_card(empty, "Company", empty.latest)
