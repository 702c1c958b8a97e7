"""Compensation charts and the plan-modelling widget draw from group data (smoke and empty states)."""

import numpy as np
import pandas as pd
import pytest

from compass_nb.viz import comp as charts


def test_every_chart_shows_a_note_instead_of_failing_on_empty_data():
    empty = pd.DataFrame()
    axes = [
        charts.payout_by_team(empty),
        charts.cost_of_sales(empty),
        charts.attainment_payout_bands(empty),
        charts.pay_curves(empty),
        charts.cost_backtest(empty),
        charts.budget_chart(empty),
        charts.scenario_by_group(empty),
        charts.cost_simulation(np.array([]), pd.DataFrame()),
    ]
    assert all(ax.texts[0].get_text() == "no data for this selection" for ax in axes)


def test_cost_simulation_marks_the_budget_percentiles():
    totals = np.arange(1, 101, dtype=float) * 1000
    levels = pd.DataFrame(
        {"percentile": ["P10", "P50", "P90"], "total_cost": np.percentile(totals, [10, 50, 90])}
    )
    ax = charts.cost_simulation(totals, levels)
    assert [line.get_xdata()[0] for line in ax.lines] == pytest.approx([10900, 50500, 90100])


def test_plan_modeller_redraws_when_a_slider_moves(monkeypatch, demo_analysis):
    from compass_nb.widgets import comp as widget

    a = demo_analysis
    calls = []
    monkeypatch.setattr(
        widget, "_draw", lambda a, rate, top, quota, currency: calls.append((rate, top, quota))
    )
    box = widget.plan_modeller(a)
    box.children[0].children[1].value = 1.5
    assert calls == [(1.0, 1.0, 1.0), (1.0, 1.5, 1.0)]


def test_the_attainment_view_draws_one_bar_per_band_of_five_sellers(demo_analysis):
    ax = charts.attainment_payout_bands(demo_analysis.bands)
    assert len(ax.collections[0].get_segments()) == len(demo_analysis.bands)
    assert all(label.get_text().endswith("sellers") for label in ax.get_xticklabels())


def test_the_backtest_chart_marks_months_outside_the_band_in_red(demo_analysis):
    bt = demo_analysis.backtest
    ax = charts.cost_backtest(bt)
    actual = ax.collections[-1]
    assert len(actual.get_offsets()) == len(bt)
