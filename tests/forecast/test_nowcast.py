import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast.nowcast import elapsed_share, nowcast, weekday_weights


def test_half_a_month_elapsed_blends_mtd_with_the_rest_of_the_forecast():
    fc = pd.DataFrame({"unique_id": ["a"], "yhat": [100.0]})
    mtd = pd.DataFrame(
        {
            "order_date": ["2026-11-03", "2026-11-15"],
            "unique_id": ["a", "a"],
            "quantity": [20.0, 40.0],
        }
    )
    out = nowcast(fc, mtd, "2026-11").iloc[0]  # 15 of 30 days
    assert out["share_elapsed"] == pytest.approx(0.5)
    assert out["run_rate"] == pytest.approx(120)
    assert out["nowcast"] == pytest.approx(60 + 50)


def test_weekday_weights_shift_the_elapsed_share():
    w = np.array([1, 1, 1, 1, 1, 0, 0], float)  # no weekend demand
    # November 2026: 21 weekdays; 1..15 Nov holds 10 of them
    assert elapsed_share(
        pd.Timestamp("2026-11-01"), pd.Timestamp("2026-11-15"), w
    ) == pytest.approx(10 / 21)


def test_weekday_weights_have_mean_one():
    days = pd.date_range("2026-01-05", periods=28)
    orders = pd.DataFrame({"order_date": days, "quantity": np.where(days.weekday < 5, 10.0, 0.0)})
    w = weekday_weights(orders)
    assert w.mean() == pytest.approx(1) and w[5] == 0 and w[0] == pytest.approx(7 / 5)


def test_gaps_are_ranked_by_money_with_the_rank_in_units_beside_it():
    from compass_nb.forecast.nowcast import net_unit_prices, ranked_gaps

    now = pd.DataFrame(
        {
            "unique_id": ["cheap|N", "dear|N"],
            "sku": ["cheap", "dear"],
            "location": "N",
            "family": "F",
            "month": pd.Timestamp("2026-11-01"),
            "forecast": [100.0, 10.0],
            "mtd": [0.0, 0.0],
            "share_elapsed": 0.5,
            "nowcast": [70.0, 15.0],
        }
    )
    orders = pd.DataFrame(
        {
            "order_date": ["2026-10-01", "2026-10-02"],
            "sku": ["dear", "dear"],
            "quantity": [2.0, 2.0],
            "net_revenue": [180.0, 220.0],
        }
    )
    products = pd.DataFrame({"sku": ["cheap", "dear"], "unit_price": [1.0, 120.0]})
    prices = net_unit_prices(orders, products)
    assert prices.to_dict() == {"cheap": 1.0, "dear": 100.0}  # net 400 / 4; list for cheap
    out = ranked_gaps(now, prices)
    assert out["sku"].tolist() == ["dear", "cheap"]  # 500 EUR before −30 EUR
    assert out["gap_value"].tolist() == [500.0, -30.0]
    assert out["rank_units"].tolist() == [2, 1]
