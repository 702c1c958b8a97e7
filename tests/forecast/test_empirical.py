import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast.empirical import (
    apply_empirical,
    lead_time_backtest,
    lead_time_demand,
    lead_time_months,
    monthly_quantiles,
)


def _history(values, uid="a", start="2024-01-01"):
    ds = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(values, float)})


def test_monthly_bounds_are_the_interpolated_quantiles_of_recent_demand():
    # the last 10 months 0..9: 10 % and 90 % quantiles (linear) are 0.9 and 8.1
    h = _history([100, 100, *range(10)])
    q = monthly_quantiles(h, (80,), window=10).set_index("unique_id")
    assert (q.loc["a", "yhat_lo_80"], q.loc["a", "yhat_hi_80"]) == pytest.approx((0.9, 8.1))


def test_empirical_bounds_hold_the_point_forecast_and_nest():
    h = _history([0, 0, 0, 0, 0, 0, 0, 0, 0, 4])
    fc = pd.DataFrame(
        {
            "unique_id": "a",
            "yhat": [1.5],
            "yhat_lo_80": [-3.0],
            "yhat_hi_80": [9.0],
            "yhat_lo_95": [-5.0],
            "yhat_hi_95": [12.0],
        }
    )
    out = apply_empirical(fc, h, {"a"}, (80, 95), window=24).iloc[0]
    # 90 % quantile of nine zeros and a 4 is 0.4 (< the forecast): the bound is the forecast
    assert out["yhat_lo_80"] == 0 and out["yhat_hi_80"] == pytest.approx(1.5)
    # 97.5 %: position 0.975 × 9 = 8.775 between the last zero and the 4, so 0.775 × 4
    assert out["yhat_lo_95"] == 0 and out["yhat_hi_95"] == pytest.approx(3.1)


def test_lead_time_demand_is_the_distribution_of_sums_over_the_lead_time():
    h = _history([1, 0, 3, 0, 5, 2])
    out = lead_time_demand(h, pd.Series({"a": 2}), (80,), window=5).iloc[0]
    # sums of 2 consecutive months over the last 5 months (+1 to start the first sum): 1, 3, 3, 5, 7
    assert out["sums"] == 5 and out["mean_demand"] == pytest.approx(19 / 5)
    assert (out["lo_80"], out["hi_80"]) == pytest.approx(
        tuple(np.quantile([1, 3, 3, 5, 7], [0.1, 0.9]))
    )


def test_lead_times_in_days_become_whole_months_rounded_up():
    assert lead_time_months(pd.Series([10, 30, 31, 61, None])).tolist() == [1, 1, 2, 3, 1]


def test_the_lead_time_backtest_compares_with_the_demand_after_the_origin():
    h = _history([2, 2, 2, 2, 2, 2, 9, 1], start="2026-01-01")
    bt = lead_time_backtest(h, [pd.Timestamp("2026-06-01")], pd.Series({"a": 2}), (80,), 12)
    assert len(bt) == 1 and bt["actual"].iloc[0] == 10.0
    assert bt["hi_80"].iloc[0] == pytest.approx(4.0)  # every past 2-month sum was 4
