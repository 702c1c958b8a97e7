import pandas as pd
import pytest

from compass_nb.forecast.sparse import cap_thin, recent_rate, thin_series


def _history():
    ds = pd.date_range("2025-11-01", periods=12, freq="MS")
    once = [0.0] * 11 + [66.0]  # an item sold once, in the last month
    steady = [10.0] * 12
    return pd.concat(
        [
            pd.DataFrame({"unique_id": "once", "ds": ds, "y": once}),
            pd.DataFrame({"unique_id": "steady", "ds": ds, "y": steady}),
        ],
        ignore_index=True,
    )


def _fc(value):
    ds = pd.date_range("2026-11-01", periods=18, freq="MS")
    return pd.DataFrame(
        {
            "unique_id": ["once"] * 18 + ["steady"] * 18,
            "ds": list(ds) * 2,
            "yhat": value,
            "yhat_lo_80": value / 2,
            "yhat_hi_80": value * 2,
            "flag": "",
        }
    )


def test_a_series_sold_in_fewer_months_than_the_threshold_is_thin():
    assert thin_series(_history(), 3) == {"once"}
    assert thin_series(_history(), 1) == set()


def test_an_item_sold_once_is_forecast_no_more_than_it_sold_in_a_year():
    out = cap_thin(_fc(66.0), _history(), min_nonzero=3, window=12)
    once = out[out["unique_id"] == "once"]
    assert once["yhat"].tolist() == pytest.approx([5.5] * 18)  # 66 units over 12 months
    assert once["yhat"].head(12).sum() == pytest.approx(66.0)
    assert once["yhat_hi_80"].iloc[0] == pytest.approx(11.0)  # the interval scaled with it
    assert set(once["flag"]) == {"thin-history"}
    steady = out[out["unique_id"] == "steady"]
    assert steady["yhat"].tolist() == [66.0] * 18 and set(steady["flag"]) == {""}


def test_a_forecast_already_below_the_rate_is_left_as_it_is():
    out = cap_thin(_fc(2.0), _history(), min_nonzero=3, window=12)
    assert out[out["unique_id"] == "once"]["yhat"].tolist() == [2.0] * 18


def test_months_before_the_first_order_count_as_no_demand_in_the_rate():
    h = _history()
    h = h[~((h["unique_id"] == "once") & (h["y"] == 0))]  # history starts at the only sale
    assert recent_rate(h, 12)["once"] == pytest.approx(66 / 12)
