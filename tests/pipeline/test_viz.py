"""Charts of compass_nb.viz.pipeline draw what they are given and return their Axes."""

import pandas as pd
import pytest
from matplotlib.axes import Axes

from compass_nb.viz import pipeline as charts


def test_flow_waterfall_bars_reach_each_running_total(result):
    flow = pd.DataFrame(
        {"step": ["start", "created", "won", "end"], "value": [100.0, 30.0, -50.0, 80.0]}
    )
    ax = charts.flow_waterfall(flow)
    bars = [(p.get_y(), p.get_height()) for p in ax.patches]
    assert bars == [(0, 100), (100, 30), (80, 50), (0, 80)]


def test_funnel_draws_one_bar_per_stage_and_the_won_bar(result):
    ax = charts.funnel(result.conversion)
    assert len(ax.patches) == len(result.conversion) + 1


def test_attainment_bands_draw_one_bar_per_band(result):
    ax = charts.attainment_bands(result.attainment_bands)
    heights = [p.get_height() for p in ax.patches]
    assert heights == result.attainment_bands["sellers"].tolist()


def test_the_money_funnel_draws_amounts(result):
    ax = charts.funnel(result.conversion, money=True)
    widths = [p.get_width() for p in ax.patches][::-1]
    assert widths[0] == result.conversion["reached_amount"].iloc[0]
    assert "EUR" in ax.get_xlabel()


def test_a_quarter_that_is_over_says_actual_instead_of_a_histogram(result):
    ax = charts.outcome_distribution(result.current)
    assert "actual" in ax.get_title() and not ax.patches


@pytest.mark.parametrize(
    "draw",
    [
        lambda a: charts.cohort_conversion(a.conversion_by_cohort),
        lambda a: charts.win_rate_bars(a.win_rates["team"], "team"),
        lambda a: charts.cycle_histogram(a.cycles),
        lambda a: charts.stage_durations(a.stage_durations),
        lambda a: charts.velocity_trend(a.velocity),
        lambda a: charts.velocity_drivers(a.drivers),
        lambda a: charts.coverage_bars(a.coverage),
        lambda a: charts.slippage_histogram(a.push_days),
        lambda a: charts.forecast_rollups(a.forecast, quarter=a.next_quarter[0]),
        lambda a: charts.backtest_chart(a.backtest),
        lambda a: charts.outcome_distribution(a.upcoming),
        lambda a: charts.reliability_chart(a.calibration),
        lambda a: charts.stage_probabilities(a.stage_probabilities),
        lambda a: charts.coverage_bars(a.coverage, risk=1.5),
        lambda a: charts.ramp_curve(a.ramp),
    ],
)
def test_every_chart_returns_its_axes(result, draw):
    assert isinstance(draw(result), Axes)


def test_an_empty_selection_says_so_instead_of_failing(result):
    ax = charts.backtest_chart(result.backtest.iloc[:0])
    assert ax.texts[0].get_text() == "no data for this selection"


@pytest.mark.parametrize("chart", ["coverage_bars", "attainment_bands", "ramp_curve"])
def test_a_quota_chart_without_quotas_says_not_measured_and_draws_nothing(result, chart):
    data = {"coverage_bars": result.coverage, "attainment_bands": result.attainment_bands}
    ax = getattr(charts, chart)(
        data.get(chart, result.ramp), missing="not measured: the source holds no quotas"
    )
    assert [t.get_text() for t in ax.texts] == ["not measured: the source holds no quotas"]
    assert not ax.patches and not ax.lines
