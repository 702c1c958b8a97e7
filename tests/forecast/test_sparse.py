import pandas as pd
import pytest

from compass_nb.forecast.sparse import cap_thin, cap_young, recent_rate, thin_series, young_series


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


def _launch(first_month: str, values: list[float], uid: str = "launch") -> pd.DataFrame:
    ds = pd.date_range(first_month, periods=len(values), freq="MS")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": values})


def test_a_series_first_ordered_fewer_months_ago_than_the_threshold_is_young():
    # first order in 2026-04, panel ends 2026-08: five months old
    h = pd.concat([_launch("2026-04-01", [2, 67, 155, 133, 309]), _history()], ignore_index=True)
    h = h[h["ds"] <= "2026-08-01"]
    assert young_series(h, 6) == {"launch"}
    assert young_series(h, 5) == set()
    # months of no demand before the first order do not make a series older
    late = _launch("2025-01-01", [0.0] * 15 + [2, 67, 155, 133, 309], uid="late")
    assert young_series(late, 6) == {"late"}


def test_a_launch_ramp_is_forecast_at_most_the_cap_times_its_best_month():
    h = _launch("2026-04-01", [2, 67, 155, 133, 309])  # the demo's KIT-1014 at DC-North
    ds = pd.date_range("2026-09-01", periods=4, freq="MS")
    fc = pd.DataFrame(
        {
            "unique_id": "launch",
            "ds": ds,
            "yhat": [338.0, 500.0, 1000.0, 24758.0],  # a trend extrapolated without bound
            "yhat_lo_80": [221.0, 400.0, 800.0, 24000.0],
            "yhat_hi_80": [455.0, 600.0, 1200.0, 25000.0],
            "flag": "new-item",
        }
    )
    out = cap_young(fc, h, months=24, cap=1.5)
    assert out["yhat"].tolist() == pytest.approx([338.0, 463.5, 463.5, 463.5])  # 1.5 × 309
    assert out["yhat_lo_80"].iloc[0] == 221.0  # a month under the cap keeps its interval
    # a capped month keeps the widest relative width of the months up to it (±34.6 % in
    # the first month), not the runaway trend's ±1 %: the interval never narrows ahead
    width = (455.0 - 338.0) / 338.0
    assert out["yhat_hi_80"].tolist()[1:] == pytest.approx([463.5 * (1 + width)] * 3)
    assert out["yhat_lo_80"].iloc[3] == pytest.approx(463.5 * (1 - (338.0 - 221.0) / 338.0))
    assert set(out["flag"]) == {"new-item;growth-capped"}


def test_a_young_series_under_its_cap_and_an_old_one_above_it_are_left_as_they_are():
    young = _launch("2026-04-01", [2, 67, 155, 133, 309])
    old = _launch("2023-01-01", [10.0] * 44, uid="old")  # ends 2026-08 too
    fc = pd.DataFrame(
        {
            "unique_id": ["launch", "old"],
            "ds": pd.Timestamp("2026-09-01"),
            "yhat": [400.0, 100.0],
            "yhat_hi_80": [500.0, 120.0],
            "flag": "",
        }
    )
    out = cap_young(fc, pd.concat([young, old], ignore_index=True), months=24, cap=1.5)
    assert out["yhat"].tolist() == [400.0, 100.0]
    assert out["flag"].tolist() == ["", ""]


def test_the_young_cap_works_on_any_index_and_leaves_the_row_order():
    h = _launch("2026-04-01", [2, 67, 155, 133, 309])
    fc = pd.DataFrame(
        {
            "unique_id": "launch",
            "ds": pd.date_range("2026-09-01", periods=3, freq="MS")[::-1],  # newest first
            "yhat": [1000.0, 500.0, 338.0],
            "yhat_hi_80": [1010.0, 600.0, 455.0],
            "flag": "",
        },
        index=[7, 7, 3],  # a repeated label, as a concatenated frame may have
    )
    out = cap_young(fc, h, months=24, cap=1.5)
    assert out.index.tolist() == [7, 7, 3]
    assert out["yhat"].tolist() == pytest.approx([463.5, 463.5, 338.0])
    assert out["yhat_hi_80"].tolist() == pytest.approx([463.5 * (1 + 117 / 338)] * 2 + [455.0])
