import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.errors import ParameterError
from compass_nb.sop.inventory import (
    empirical_safety_stock,
    net_requirements,
    opening_stock,
    projected_inventory,
    safety_stock,
    safety_stock_table,
)


def test_safety_stock_is_z_sigma_root_lead_time():
    # z(0.95) = 1.644854; 20 · √4 = 40
    assert safety_stock(100, 20, 4, 0.95) == pytest.approx(1.644854 * 40, rel=1e-6)


def test_safety_stock_adds_lead_time_variability():
    # √(4 · 20² + 100² · 1²) = √11600 = 107.703
    assert safety_stock(100, 20, 4, 0.95, 1.0) == pytest.approx(1.644854 * 107.7033, rel=1e-5)


def test_safety_stock_is_zero_at_a_fifty_percent_service_level():
    assert safety_stock(100, 20, 4, 0.5) == pytest.approx(0.0, abs=1e-12)


@given(st.floats(0.5, 0.98), st.floats(0.5, 0.98), st.floats(0.1, 6), st.floats(0.1, 6))
@settings(max_examples=40, deadline=None)
def test_safety_stock_grows_with_service_level_and_lead_time(s1, s2, lt1, lt2):
    lo_s, hi_s = sorted((s1, s2))
    lo_lt, hi_lt = sorted((lt1, lt2))
    assert safety_stock(50, 10, lo_lt, lo_s) <= safety_stock(50, 10, lo_lt, hi_s) + 1e-9
    assert safety_stock(50, 10, lo_lt, lo_s) <= safety_stock(50, 10, hi_lt, lo_s) + 1e-9


def test_safety_stock_refuses_a_service_level_outside_zero_one():
    with pytest.raises(ParameterError, match="between 0 and 1"):
        safety_stock(10, 2, 1, 1.2)


def test_empirical_safety_stock_is_quantile_of_lead_time_demand_minus_mean():
    history = pd.Series([0, 0, 10, 0, 0, 0, 20, 0, 0, 0])
    # one-month lead time: 0.9 quantile of the values = 11, minus mean 3
    assert empirical_safety_stock(history, 1.0, 0.9) == pytest.approx(8.0)
    # two months: rolling sums 0,10,10,0,0,20,20,0,0 -> 0.9 quantile 20, minus 2·3
    assert empirical_safety_stock(history, 2.0, 0.9) == pytest.approx(14.0)


Z90 = 1.2815516


def _history():
    months = pd.date_range("2025-11-01", periods=12, freq="MS")
    steady = pd.DataFrame({"sku": "A", "location": "L", "month": months, "actual": [10, 12] * 6})
    flat = pd.DataFrame({"sku": "B", "location": "L", "month": months, "actual": 20.0})
    lumpy = pd.DataFrame(
        {
            "sku": "C",
            "location": "L",
            "month": months,
            "actual": [5, 0, 0, 0, 7, 0, 0, 0, 0, 6, 0, 0],
        }
    )
    return months, pd.concat([steady, flat, lumpy], ignore_index=True)


def test_without_residuals_safety_stock_uses_de_seasonalised_demand_and_a_lead_time_spread(
    products,
):
    months, actuals = _history()
    items = pd.DataFrame({"sku": ["A", "B", "C"], "location": "L"})
    table = safety_stock_table(
        items, actuals, products, months[-1], service_level=0.9, window=24, lead_time_sd_share=0.25
    ).set_index("sku")
    assert table.loc["A", "method"] == "de-seasonalised demand"
    assert table.loc["C", "method"] == "empirical (intermittent)"
    # family F (A + B) sells 30 and 32 in alternate months around a mean of 31: A's demand
    # divided by that index is 10·31/30 and 12·31/32 in turn
    sd = np.std([10 * 31 / 30, 12 * 31 / 32] * 6, ddof=1)
    assert table.loc["A", "demand_sd"] == pytest.approx(sd)
    # no lead_time_sd_days: 25 % of the 1-month lead time, never zero
    assert table.loc["A", "lead_time_sd_months"] == pytest.approx(0.25)
    assert table.loc["A", "lead_time_sd_source"] == "default 25%"
    expected = Z90 * np.sqrt(1.0 * sd**2 + 11.0**2 * 0.25**2)
    assert table.loc["A", "safety_stock"] == pytest.approx(expected, rel=1e-6)
    lumpy = actuals.loc[actuals["sku"] == "C", "actual"]
    assert table.loc["C", "safety_stock"] == pytest.approx(empirical_safety_stock(lumpy, 2.0, 0.9))


def test_with_residuals_safety_stock_uses_the_forecast_error_over_the_lead_time(products):
    months, actuals = _history()
    products = products.assign(lead_time_sd_days=[3.04375, np.nan, np.nan])
    residuals = pd.DataFrame(
        {
            "unique_id": "A|L",
            "level": "sku_location",
            "sku": "A",
            "location": "L",
            "family": "F",
            "origin": pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01", "2026-04-01"]),
            # A's lead time is one month: only horizon 1 errors count (3, −4, 0), not horizon 2
            "horizon": [1, 1, 1, 2],
            "actual": [13.0, 8.0, 11.0, 50.0],
            "forecast": [10.0, 12.0, 11.0, 10.0],
        }
    )
    plan = pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "month": pd.date_range("2026-11-01", periods=3, freq="MS"),
            "consensus": [20.0, 30.0, 40.0],
        }
    )
    table = safety_stock_table(
        plan,
        actuals,
        products,
        months[-1],
        service_level=0.9,
        window=24,
        lead_time_sd_share=0.25,
        residuals=residuals,
    ).set_index("sku")
    rmse = np.sqrt((3**2 + 4**2 + 0**2) / 3)
    assert table.loc["A", "method"] == "forecast error" and table.loc["A", "residuals"] == 3
    assert table.loc["A", "demand_sd"] == pytest.approx(rmse)
    # d̄ is the plan over the one-month lead time (20), σ_LT the products' 3 days (0.1 month)
    assert table.loc["A", "demand_mean"] == 20.0
    assert table.loc["A", "lead_time_sd_source"] == "products"
    expected = Z90 * np.sqrt(1.0 * rmse**2 + 20.0**2 * 0.1**2)
    assert table.loc["A", "safety_stock"] == pytest.approx(expected, rel=1e-6)


def test_opening_stock_is_the_latest_snapshot_before_the_cutoff():
    inv = pd.DataFrame(
        {
            "snapshot_date": ["2026-09-30", "2026-10-31", "2026-11-30"],
            "sku": "A",
            "location": "L",
            "on_hand": [5, 7, 9],
        }
    )
    assert opening_stock(inv, "2026-10-31")["on_hand"].tolist() == [7.0]


def _plan(months, demand, receipts, production):
    return pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "month": months,
            "demand": demand,
            "receipts": receipts,
            "production": production,
        }
    )


def test_projection_carries_the_backlog_and_serves_it_first(months):
    plan = _plan(months, [15.0, 5, 5], [0.0, 5, 0], [0.0, 0, 20])
    out = projected_inventory(
        plan,
        pd.DataFrame({"sku": ["A"], "location": "L", "on_hand": [10.0]}),
        pd.DataFrame({"sku": ["A"], "location": "L", "safety_stock": [8.0]}),
    )
    assert out["closing"].tolist() == [-5.0, -5.0, 10.0]
    assert out["opening"].tolist() == [10.0, -5.0, -5.0]
    assert out["met"].tolist() == [10.0, 0.0, 5.0]
    assert out["unmet"].tolist() == [5.0, 5.0, 0.0]
    assert out["backlog"].tolist() == [5.0, 5.0, 0.0]
    assert out["below_safety_stock"].tolist() == [True, True, False]


def test_days_of_supply_divides_stock_by_forward_daily_demand(months):
    plan = _plan(months, [10.0, 30, 30], [0.0, 0, 0], [0.0, 0, 0])
    out = projected_inventory(
        plan,
        pd.DataFrame({"sku": ["A"], "location": "L", "on_hand": [70.0]}),
        pd.DataFrame({"sku": ["A"], "location": "L", "safety_stock": [0.0]}),
        max_cover_months=1.0,
    )
    # month 1 closes at 60 with 30 units a month ahead: two months of cover
    assert out["days_of_supply"].iloc[0] == pytest.approx(60 / (30 / (365.25 / 12)))
    assert out["excess"].iloc[0] == pytest.approx(30.0)


@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 30), st.integers(0, 30)),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 40),
)
@settings(max_examples=25, deadline=None)
def test_inventory_balances_for_every_month(rows, opening):
    months = pd.date_range("2027-01-01", periods=len(rows), freq="MS")
    d, r, p = (list(map(float, x)) for x in zip(*rows, strict=True))
    out = projected_inventory(
        _plan(months, d, r, p),
        pd.DataFrame({"sku": ["A"], "location": "L", "on_hand": [float(opening)]}),
        pd.DataFrame({"sku": ["A"], "location": "L", "safety_stock": [5.0]}),
    )
    np.testing.assert_allclose(
        out["closing"], out["opening"] + out["receipts"] + out["production"] - out["demand"]
    )
    np.testing.assert_allclose(out["opening"].iloc[1:], out["closing"].iloc[:-1])
    np.testing.assert_allclose(out["met"] + out["unmet"], out["demand"])
    assert (out["met"] >= 0).all() and (out["on_hand"] >= 0).all()


def test_net_requirements_keep_stock_at_safety_stock(months):
    plan = _plan(months, [40.0, 40, 40], [0.0, 30, 0], [0.0, 0, 0])
    need = net_requirements(
        plan,
        pd.DataFrame({"sku": ["A"], "location": "L", "on_hand": [50.0]}),
        pd.DataFrame({"sku": ["A"], "location": "L", "safety_stock": [20.0]}),
    )
    assert need.tolist() == [10.0, 10.0, 40.0]
