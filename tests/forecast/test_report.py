"""The summary sentences: each produced only when its premise holds in its table."""

import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast import report


def _coverage(c80, c95, classes=("smooth", "intermittent")):
    rows = [
        dict(level="SKU × location", demand_class=c, coverage_80=v80, coverage_95=v95)
        for c, v80, v95 in zip(classes, c80, c95, strict=True)
    ]
    return pd.DataFrame(rows)


HEAD = {"series": 10, "coverage": 0.42, "coverage_95": 0.6, "wape": 0.3, "bias": 0.1}


def test_coverage_is_never_called_on_target_when_the_table_shows_otherwise():
    lines = report.coverage_lines(_coverage([0.42, 0.80], [0.60, 0.95]), HEAD, 0.05)
    text = " ".join(lines)
    assert "80 % intervals held 42.0%" in text
    assert "Off target by more than 5%: smooth 80 % at 42%; smooth 95 % at 60%." in text
    assert "within" not in text


def test_coverage_within_tolerance_is_said_so_only_then():
    head = {**HEAD, "coverage": 0.79, "coverage_95": 0.96}
    lines = report.coverage_lines(_coverage([0.79, 0.83], [0.96, 0.93]), head, 0.05)
    assert lines[-1] == "Every measured class and level is within 5% of its target."


def test_a_class_without_series_is_not_measured_rather_than_on_target():
    cov = _coverage([0.8, np.nan], [0.95, np.nan], classes=("smooth", "erratic"))
    lines = report.coverage_lines(cov, {**HEAD, "coverage": 0.8, "coverage_95": 0.95}, 0.05)
    assert lines[-1] == "Coverage not measured for erratic (no series)."


def test_totals_name_their_months_and_state_growth_only_with_a_year_of_history():
    totals = {
        "months": 18,
        "first": pd.Timestamp("2026-11-01"),
        "last": pd.Timestamp("2028-04-01"),
        "units": 1800.0,
        "next_12": 1200.0,
        "last_12": 1000.0,
        "growth": 0.2,
    }
    lines = report.totals_lines(totals, 5)
    assert "18 months ahead (Nov 2026 to Apr 2028): 1,800 units over those 18 months" in lines[0]
    assert (
        lines[1]
        == "Next 12 months (Nov 2026 to Oct 2027): 1,200 units against 1,000 in the last 12 months (+20.0%)."
    )
    short = report.totals_lines({**totals, "last_12": np.nan, "growth": np.nan}, 5)
    assert "no growth is stated" in short[1] and "against" not in short[1]


def test_forecast_totals_come_from_the_total_level_and_the_history():
    fc = pd.DataFrame(
        {"level": "total", "ds": pd.date_range("2026-11-01", periods=14, freq="MS"), "yhat": 10.0}
    )
    demand = pd.DataFrame({"ds": pd.date_range("2025-11-01", periods=12, freq="MS"), "y": 8.0})
    t = report.forecast_totals(fc, demand)
    assert (t["months"], t["units"], t["next_12"], t["last_12"]) == (14, 140.0, 120.0, 96.0)
    assert t["growth"] == pytest.approx(120 / 96 - 1)


def test_coherence_is_claimed_only_within_the_tolerance():
    assert report.coherence_line(0.0).startswith(
        "Family, location and total forecasts are the exact sums"
    )
    assert report.coherence_line(0.002).startswith("Warning: the upper levels do not add up")


def _bench(chosen_mase, snaive_mase, snaive_wape=0.4):
    return pd.DataFrame(
        {
            "forecast": ["chosen forecast", "seasonal naive (same month last year)"],
            "wape": [0.3, snaive_wape],
            "median_mase": [chosen_mase, snaive_mase],
            "beaten_share": [np.nan, 0.4],
        }
    )


def test_the_median_mase_is_compared_with_seasonal_naives_in_the_right_direction():
    head = {**HEAD, "origins": 2, "horizon": 12, "mase": 1.09}
    worse = " ".join(report.backtest_lines(head, _bench(1.09, 0.95)))
    assert "above seasonal naive's (0.95)" in worse
    better = " ".join(report.backtest_lines({**head, "mase": 0.8}, _bench(0.8, 0.95)))
    assert "at or below seasonal naive's" in better and "above" not in better
    assert "beats seasonal naive (same month last year) on 40%" in better


def test_a_benchmark_with_a_lower_wape_is_named():
    head = {**HEAD, "origins": 2, "horizon": 12, "mase": 1.09}
    text = " ".join(report.backtest_lines(head, _bench(1.09, 0.95, snaive_wape=0.2)))
    assert (
        "A lower backtest WAPE than the chosen forecast's 30.0%: seasonal naive (same month last year) at 20.0%"
        in text
    )
    assert "lower backtest WAPE" not in " ".join(report.backtest_lines(head, _bench(1.09, 0.95)))


def test_bias_lines_name_the_extremes_and_the_largest():
    fam = pd.DataFrame(
        {
            "family": ["Garden", "Textiles", "Tools"],
            "bias": [-0.277, 0.204, 0.01],
            "wape": [0.4, 0.3, 0.2],
        }
    )
    loc = pd.DataFrame({"location": ["N"], "bias": [0.02], "wape": [0.2]})
    lines = report.bias_lines(fam, loc)
    assert lines[0] == (
        "Backtest bias by family ranges from -27.7% (Garden) to +20.4% (Textiles); the largest in size is Garden's."
    )
    assert lines[1] == "Backtest bias of location N: +2.0%."
    assert lines[2] == "The least accurate family is Garden (WAPE 40.0%)."


def test_lags_without_stored_forecasts_are_not_measured():
    lags = pd.DataFrame({"lag": [1, 3, 6], "cycles": [0, 0, 0], "wape": np.nan})
    assert report.lag_lines(lags)[0].startswith("Accuracy by lag is not measured yet")
    some = pd.DataFrame({"lag": [1, 3, 6], "cycles": [3, 1, 0], "wape": [0.3, 0.35, np.nan]})
    text = report.lag_lines(some)[0]
    assert "lag 1 WAPE 30.0% over 3 cycle(s); lag 3 WAPE 35.0% over 1 cycle(s)" in text
    assert text.endswith("Not measured yet: lag 6.")


def test_an_override_sentence_totals_the_error_before_and_after():
    outcomes = pd.DataFrame(
        {
            "improved": ["yes", "no", ""],
            "statistical_error": [7.0, 1.0, float("nan")],
            "override_error": [3.0, 2.0, float("nan")],
            "note": ["", "", "not measured: the store holds no forecast of cycle 2025-01"],
        }
    )
    line = report.override_lines(outcomes)[0]
    assert line == (
        "Of 3 overrides, 2 could be measured against their cycle's stored forecast (1 reduced "
        "the error; together 8 units off before the overrides, 5 after); 1 was made in cycles "
        "the store holds no forecast of."
    )


def test_a_step_not_measured_is_said_so_never_shown_as_adding_nothing():
    fva = pd.DataFrame(
        {
            "step": ["naive", "statistical", "override", "consensus"],
            "fva": [np.nan, 0.06, np.nan, -0.01],
        }
    )
    line = report.fva_lines(fva, "the backtest")[0]
    assert "statistical lowered WAPE by 6.0 points" in line
    assert "overrides not measured" in line and "consensus raised WAPE by 1.0 points" in line


def test_no_sentence_about_overrides_or_the_nowcast_without_them():
    assert report.override_lines(pd.DataFrame()) == []
    assert report.nowcast_lines(pd.DataFrame(), "EUR") == []
    assert report.lead_time_line({}) == []


def test_capped_young_series_are_counted_with_their_units_only_when_there_are_some():
    from compass_nb.forecast.adjust import PlanRules

    rules = PlanRules(
        3, 12, young_months=24, young_cap=1.5, empirical_window=24, launch_ramp=(0.25,)
    )
    fc = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "total"],
            "level": ["sku_location", "sku_location", "sku_location", "total"],
            "flag": ["new-item;growth-capped"] * 2 + ["", ""],
            "yhat": [463.5, 463.5, 10.0, 937.0],
            "yhat_base": [1000.0, 24758.0, 10.0, 25768.0],
        }
    )
    (line,) = report.young_line(fc, rules)
    assert line.startswith("1 young series (first ordered fewer than 24 months ago)")
    assert "above 1.5 times their best month" in line
    assert "927 units over the horizon where the models forecast 25,758" in line
    assert report.young_line(fc.assign(flag=""), rules) == []


def test_the_nowcast_gap_says_which_side_of_the_forecast_it_runs():
    now = pd.DataFrame(
        {
            "unique_id": ["OFF-1009|DC-South", "a|b"],
            "month": pd.Timestamp("2026-11-01"),
            "share_elapsed": 0.48,
            "nowcast": [100.0, 50.0],
            "forecast": [212.0, 40.0],
            "gap_units": [-112.0, 10.0],
            "gap_value": [-17_000.0, 100.0],
        }
    )
    (line,) = report.nowcast_lines(now, "EUR")
    assert line.endswith(
        "the largest gap is OFF-1009|DC-South, 112 units (17 k EUR) below its forecast."
    )
    flipped = now.assign(gap_units=-now["gap_units"], gap_value=-now["gap_value"])
    assert report.nowcast_lines(flipped, "EUR")[0].endswith("(17 k EUR) above its forecast.")
