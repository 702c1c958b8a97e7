"""The incentives charts: one panel per contest, words where there is nothing to draw,
every axis with its unit."""

import pytest

from compass_nb import params
from compass_nb.data import demo
from compass_nb.incentives import IncentivesSettings, analyse
from compass_nb.viz import incentives as charts


@pytest.fixture(scope="module")
def review():
    s = params.section_settings(IncentivesSettings, "incentives", simulations=200, bootstrap=100)
    return analyse(
        demo.generate("small"),
        "2026-10",
        settings=s,
        contests_dir="parameters/contests",
        currency="EUR",
    )


def _panels(ax):
    return ax.figure.axes


def test_design_costs_label_the_money_axis_with_the_currency(review):
    panels = _panels(charts.design_costs(review, min_group_size=5, currency="EUR"))
    assert len(panels) == len(review.contests) == 3
    assert all(p.get_xlabel() == "expected cost (EUR)" for p in panels)
    ticks = [t.get_text() for t in panels[2].get_xticklabels()]
    assert len(ticks) == len(set(ticks))  # no repeated money tick


def test_a_lift_not_measured_says_why_in_words_not_an_empty_chart(review):
    for chart in (
        charts.lift_trend(review, currency="EUR"),
        charts.lift_intervals(review, currency="EUR"),
    ):
        texts = [t.get_text() for p in _panels(chart) for t in p.texts]
        # the small demo has no comparison team for either past contest
        assert sum("lift not measured" in t for t in texts) == 3
        assert any("no comparison team" in t.replace("\n", " ") for t in texts)


def test_standings_show_quantiles_or_say_the_group_is_too_small(review):
    s = params.section_settings(
        IncentivesSettings, "incentives", simulations=200, bootstrap=100, min_group_size=8
    )
    strict = analyse(
        demo.generate("small"),
        "2026-10",
        settings=s,
        contests_dir="parameters/contests",
        currency="EUR",
    )
    panels = _panels(charts.standings_spread(strict, min_group_size=8, currency="EUR"))
    texts = [t.get_text() for p in panels for t in p.texts]
    assert sum("fewer than 8 eligible sellers" in t for t in texts) == 3  # 7, 5 and 5
    panels = _panels(charts.standings_spread(review, min_group_size=5, currency="EUR"))
    assert not any(p.texts for p in panels)
    assert panels[1].get_xlabel().startswith("score: bookings (EUR) ÷ quota factor")
