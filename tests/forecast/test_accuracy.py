import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast import accuracy
from compass_nb.store.tables import check_frame


def _ev():
    """Two SKU × location series, one origin, two steps; actuals 10 each month."""
    rows = []
    for uid, cls, yhat, snaive in (
        ("A|N", "smooth", [12, 8], [10, 10]),
        ("B|N", "lumpy", [10, 10], [6, 14]),
    ):
        for step in (1, 2):
            rows.append(
                dict(
                    unique_id=uid,
                    level="sku_location",
                    sku=uid[0],
                    location="N",
                    family="F" if uid[0] == "A" else "G",
                    demand_class=cls,
                    window=0,
                    origin=pd.Timestamp("2026-06-01"),
                    step=step,
                    ds=pd.Timestamp("2026-06-01") + pd.DateOffset(months=step),
                    y=10.0,
                    yhat=float(yhat[step - 1]),
                    yhat_lo_80=float(yhat[step - 1]) - 1,
                    yhat_hi_80=float(yhat[step - 1]) + 1,
                    yhat_lo_95=float(yhat[step - 1]) - 3,
                    yhat_hi_95=float(yhat[step - 1]) + 3,
                    model="m",
                    Naive=4.0,
                    SNaive=float(snaive[step - 1]),
                    Naive2=4.0,
                    Theta=10.0,
                    scale=2.0,
                )
            )
    return pd.DataFrame(rows)


def test_benchmark_rows_give_the_share_of_series_the_chosen_forecast_beats():
    t = accuracy.benchmark_table(_ev()).set_index("forecast")
    assert list(t.index) == ["chosen forecast", *accuracy.BENCHMARKS.values()]
    # chosen MAE: A 2, B 0; seasonal naive: A 0, B 4 -> chosen beats it on B only
    assert t.loc["seasonal naive (same month last year)", "beaten_share"] == pytest.approx(0.5)
    # Theta is exact on both: the chosen forecast ties it on B and loses on A
    assert t.loc["Theta", "beaten_share"] == 0 and t.loc["Theta", "tied_share"] == 0.5
    assert t.loc["naive (last month)", "beaten_share"] == 1.0
    assert t.loc["chosen forecast", "wape"] == pytest.approx(4 / 40)
    # MASE: A's mean scaled error (2 + 2) / 2 / 2 = 1, B's 0 -> median 0.5
    assert t.loc["chosen forecast", "median_mase"] == pytest.approx(0.5)


def test_coverage_is_filled_for_every_class_with_its_target_and_says_when_a_class_is_missing():
    cov = accuracy.coverage_table(_ev(), {"smooth": "model intervals"}).set_index("demand_class")
    # A's actual 10 against 12 ± 1 and 8 ± 1: outside both 80 % bands, inside both 95 % ones
    assert cov.loc["smooth", "coverage_80"] == 0 and cov.loc["smooth", "coverage_95"] == 1
    assert cov.loc["lumpy", "coverage_80"] == 1
    assert cov.loc["smooth", "target_coverage_80"] == 0.8
    assert cov.loc["smooth", "target_coverage_95"] == 0.95
    assert np.isnan(cov.loc["erratic", "coverage_80"])
    assert cov.loc["erratic", "note"].startswith("not measured")
    assert cov.loc["smooth", "method"] == "model intervals"


def test_accuracy_by_family_names_each_familys_bias():
    t = accuracy.accuracy_by(_ev(), "family").set_index("family")
    assert t.loc["F", "bias"] == pytest.approx(0.0) and t.loc["F", "wape"] == pytest.approx(0.2)
    assert t.loc["G", "wape"] == 0


def test_residuals_follow_their_declaration_with_the_error_sign_of_the_brief():
    res = accuracy.forecast_residuals(_ev())
    check_frame("forecast_residuals", res)
    a = res[res["unique_id"] == "A|N"].set_index("horizon")
    assert (a.loc[1, "actual"] - a.loc[1, "forecast"]) == -2.0  # error = actual − forecast
    assert a.loc[1, "origin"] == pd.Timestamp("2026-06-01")


def _snapshots():
    rows = []
    for cycle in ("2026-07", "2026-08"):
        for k in (1, 2, 3):
            ds = (pd.Period(cycle, freq="M") + k).to_timestamp()
            rows.append((cycle, "sku_location", "A|N", ds, 12.0))
            rows.append((cycle, "total", "total", ds, 12.0))
    return pd.DataFrame(rows, columns=["period", "level", "unique_id", "ds", "yhat"])


def test_accuracy_by_lag_scores_stored_forecasts_and_says_which_lags_are_not_measured():
    demand = pd.DataFrame(
        {
            "sku": "A",
            "location": "N",
            "ds": pd.date_range("2026-07-01", periods=3, freq="MS"),
            "y": [10.0, 10.0, 8.0],
        }
    )
    t = accuracy.accuracy_by_lag(_snapshots(), demand, "2026-09", (1, 2, 6)).set_index("lag")
    # lag 1: Aug (from Jul) and Sep (from Aug): |12-10| + |12-8| over 18
    assert t.loc[1, "cycles"] == 2 and t.loc[1, "wape"] == pytest.approx(6 / 18)
    assert t.loc[1, "months"] == "2026-08, 2026-09"
    # lag 2: only Sep from Jul is closed
    assert t.loc[2, "cycles"] == 1 and t.loc[2, "bias"] == pytest.approx(4 / 8)
    assert t.loc[2, "total_bias"] == pytest.approx(4 / 8)
    assert t.loc[6, "cycles"] == 0 and np.isnan(t.loc[6, "wape"])
    assert "not measured" in t.loc[6, "note"]


def test_the_headline_is_measured_on_the_sku_location_level():
    h = accuracy.headline(_ev())
    assert h["wape"] == pytest.approx(0.1) and h["coverage"] == pytest.approx(0.5)
    assert h["series"] == 2 and h["origins"] == 1 and h["horizon"] == 2
