import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast.lifecycle import (
    apply_lifecycle,
    launch_forecasts,
    lifecycle_table,
    on_sale_share,
)

PRODUCTS = pd.DataFrame(
    {
        "sku": ["OLD", "NEW", "KEEP"],
        "family": ["F", "F", "F"],
        "launch_date": pd.to_datetime([None, "2027-02-10", None]),
        "discontinue_date": pd.to_datetime(["2027-03-15", None, None]),
    }
)


def _fc(skus, months=("2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01"), value=10.0):
    rows = [
        (f"{s}|N", s, "N", "F", pd.Timestamp(m), value, value / 2, value * 2, "")
        for s in skus
        for m in months
    ]
    cols = ["unique_id", "sku", "location", "family", "ds", "yhat", "yhat_lo_80", "yhat_hi_80"]
    return pd.DataFrame(rows, columns=[*cols, "flag"])


def test_the_share_of_a_month_on_sale_counts_the_days_before_the_discontinue_date():
    ds = pd.Series(pd.to_datetime(["2027-02-01", "2027-03-01", "2027-04-01", "2027-02-01"]))
    sku = pd.Series(["OLD", "OLD", "OLD", "NEW"])
    share = on_sale_share(sku, ds, PRODUCTS)["share"].tolist()
    # OLD sells 1-14 March (14 of 31 days), nothing in April; NEW from 10 Feb (19 of 28 days)
    assert share == pytest.approx([1.0, 14 / 31, 0.0, 19 / 28])


def test_no_forecast_after_the_discontinue_date_and_none_before_the_launch():
    out = apply_lifecycle(_fc(["OLD", "NEW", "KEEP"]), PRODUCTS).set_index(["sku", "ds"])
    assert out.loc[("OLD", pd.Timestamp("2027-04-01")), "yhat"] == 0
    assert out.loc[("OLD", pd.Timestamp("2027-04-01")), "yhat_hi_80"] == 0
    assert out.loc[("OLD", pd.Timestamp("2027-03-01")), "yhat"] == pytest.approx(10 * 14 / 31)
    assert out.loc[("NEW", pd.Timestamp("2027-01-01")), "yhat"] == 0
    assert out.loc["KEEP", "yhat"].tolist() == [10.0] * 4
    flags = out.groupby(level="sku")["flag"].first()
    assert flags.to_dict() == {"KEEP": "", "NEW": "pre-launch", "OLD": "discontinued"}


def test_a_launch_without_history_starts_from_its_familys_average_item_and_ramps():
    bottom = _fc(["A", "B"], value=30.0)  # the family forecasts 60 a month over two items
    bottom.loc[bottom["sku"] == "B", "location"] = "S"
    bottom["unique_id"] = bottom["sku"] + "|" + bottom["location"]
    history = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "location": ["N", "S"],
            "family": "F",
            "ds": pd.Timestamp("2026-12-01"),
            "y": [75.0, 25.0],  # the family sells 75 % in N, 25 % in S
        }
    )
    products = pd.DataFrame(
        {
            "sku": ["A", "B", "L"],
            "family": "F",
            "launch_date": pd.to_datetime([None, None, "2027-02-01"]),
        }
    )
    out = launch_forecasts(bottom, history, products, ramp=(0.5,))
    north = out[out["location"] == "N"].set_index("ds")["yhat"]
    # average item 30: nothing before February, half of it in the launch month, then all
    assert north.tolist() == pytest.approx([0.0, 0.5 * 30 * 0.75, 30 * 0.75, 30 * 0.75])
    assert out[out["location"] == "S"]["yhat"].sum() == pytest.approx(0.25 * 30 * 2.5)
    # the interval keeps the family's items' relative width (half to double)
    last = out[(out["location"] == "N")].iloc[-1]
    assert (last["yhat_lo_80"], last["yhat_hi_80"]) == pytest.approx((22.5 / 2, 45.0))
    assert set(out["flag"]) == {"launch"} and set(out["demand_class"]) == {"new"}


def test_no_launch_rows_for_an_item_that_has_history():
    bottom = _fc(["A"])
    history = pd.DataFrame(
        {"sku": ["A"], "location": "N", "family": "F", "ds": pd.Timestamp("2026-12-01"), "y": [5.0]}
    )
    products = pd.DataFrame(
        {"sku": ["A"], "family": "F", "launch_date": pd.to_datetime(["2027-02-01"])}
    )
    assert launch_forecasts(bottom, history, products, ramp=(0.5,)).empty


def test_the_lifecycle_table_counts_the_units_a_phase_out_removes():
    before = _fc(["OLD", "KEEP"])
    after = apply_lifecycle(before, PRODUCTS)
    table = lifecycle_table(after, before, PRODUCTS).set_index("sku")
    assert list(table.index) == ["OLD"]
    assert table.loc["OLD", "change"] == "phase-out"
    assert table.loc["OLD", "removed_units"] == pytest.approx(10 + 10 * (1 - 14 / 31))
    assert np.isclose(table.loc["OLD", "forecast_units"], 20 + 10 * 14 / 31)
