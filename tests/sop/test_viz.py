"""The S&OP charts: every axis says its unit, money its currency; no empty frames."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from compass_nb.viz import sop as charts


def _labels(ax):
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]


def _percent_ticks_are_sane(ax):
    for text in _labels(ax):
        if text.endswith("%"):
            assert abs(float(text.rstrip("%").replace(",", ""))) <= 10_000, text


@pytest.fixture
def months():
    return pd.date_range("2026-11-01", periods=4, freq="MS")


def test_money_ticks_never_repeat_on_a_narrow_range(months):
    steps = pd.DataFrame(
        {
            "step": ["budget", "volume", "price", "plan"],
            "value": [1_900_000.0, -30_000.0, -60_000.0, 1_810_000.0],
            "total": [True, False, False, True],
        }
    )
    ax = charts.bridge(steps, currency="EUR", title="t", empty_note="none")
    ax.figure.canvas.draw()
    shown = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    # ticks 50 k apart around 1.9 M read 1.80 M, 1.85 M, … not "1.9 M" three times
    assert len(shown) >= 3 and len(shown) == len(set(shown))
    assert all(t.endswith(" M") for t in shown)
    assert ax.get_ylabel() == "revenue (EUR)"


def test_each_chart_labels_its_axes_with_their_unit(months):
    budget = pd.DataFrame(
        {
            "family": "F",
            "month": months,
            "revenue": [10.0, 20.0, 30.0, 40.0],
            "budget_revenue": [12.0, 18.0, np.nan, np.nan],
        }
    )
    ax = charts.budget_gap(budget, currency="USD")
    assert ax.get_ylabel() == "revenue a month (USD)" and ax.get_xlabel() == "month"
    balance = pd.DataFrame(
        {
            "family": ["F", "G"],
            "demand": [100.0, 50.0],
            "supply": [80.0, 50.0],
            "gap_units": [20.0, 0.0],
        }
    )
    ax = charts.demand_supply_balance(balance)
    assert ax.get_ylabel() == "units over the horizon"
    monthly = pd.DataFrame({"month": months, "plan": 1.0, "budget": 2.0, "last_year": np.nan})
    ax = charts.revenue_plan_budget_last_year(monthly, currency="EUR")
    assert ax.get_ylabel() == "net revenue a month (EUR)"
    load = pd.DataFrame(
        {
            "resource": "Line-C",
            "family": "F",
            "month": months,
            "planned_units": [50.0, 100.0, 100.0, 20.0],
            "capacity_units": 100.0,
        }
    )
    ax = charts.capacity_heatmap(load)
    assert ax.get_ylabel() == "resource · family" and ax.get_xlabel() == "month"
    _percent_ticks_are_sane(ax)
    scenarios = pd.DataFrame(
        {
            "scenario": ["base", "base", "base", "up", "up", "up"],
            "metric": ["revenue", "margin", "fill_rate"] * 2,
            "value": [100.0, 40.0, 0.9, 120.0, 45.0, 0.85],
        }
    )
    ax = charts.scenario_comparison(scenarios, currency="EUR")
    assert ax.get_xlabel() == "over the horizon (EUR)"
    for other in ax.figure.axes:
        _percent_ticks_are_sane(other)


def test_a_chart_without_data_says_so_in_words():
    ax = charts.budget_gap(
        pd.DataFrame(columns=["family", "month", "revenue", "budget_revenue"]), currency="EUR"
    )
    assert not ax.axison and "no budget" in ax.texts[-1].get_text()
    ax = charts.capacity_heatmap(pd.DataFrame())
    assert "unlimited capacity" in ax.texts[-1].get_text()


def test_tracking_charts_draw_nothing_on_a_store_without_history():
    before = len(plt.get_fignums())
    assert charts.accuracy_trend(pd.DataFrame()) is None
    assert charts.fva_stairstep(pd.DataFrame()) is None
    assert charts.adherence_and_fill(pd.DataFrame(), pd.DataFrame()) is None
    assert charts.plan_change(pd.DataFrame(), currency="EUR") is None
    assert len(plt.get_fignums()) == before
    assert str(charts.tracked(pd.DataFrame({"a": [1]}), history=False)) == ""
    assert "<table" in str(charts.tracked(pd.DataFrame({"a": [1]}), history=True))


def test_a_single_tracked_month_gets_a_window_not_years_of_axis():
    data = pd.DataFrame({"lag": 1, "month": [pd.Timestamp("2026-10-01")], "wape": [0.2]})
    ax = charts.accuracy_trend(data)
    lo, hi = ax.get_xlim()
    assert hi - lo < 200  # days
    _percent_ticks_are_sane(ax)
