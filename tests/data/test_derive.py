"""Items derived from the orders when a source has no products table (issue 16)."""

from __future__ import annotations

import pandas as pd
import pytest

from compass_nb import data
from compass_nb.data.derive import ProductsFromOrders, assumption
from compass_nb.errors import InputError

SPEC = {"family": "All items", "cost_share": 0.6, "lead_time_days": 30, "price_months": 12}


def _orders() -> pd.DataFrame:
    """A sells at 10 until 2023-12 and at 12 from 2024; B sold only in 2023 (at 5, then 3)."""
    rows = [
        ("2023-03-10", "A", 4, 40.0),
        ("2023-11-20", "A", 6, 60.0),
        ("2024-02-01", "A", 5, 60.0),
        ("2024-09-15", "A", 5, 60.0),
        ("2023-01-05", "B", 2, 10.0),
        ("2023-06-05", "B", 2, 6.0),
    ]
    return pd.DataFrame(
        {
            "order_date": pd.to_datetime([r[0] for r in rows]),
            "sku": [r[1] for r in rows],
            "location": "DC",
            "quantity": [float(r[2]) for r in rows],
            "net_revenue": [r[3] for r in rows],
        }
    )


def _products(period: str) -> pd.DataFrame:
    loaded = data.load({"orders": _orders()}, period=period, products_from_orders=SPEC)
    try:
        return loaded.tables["products"].set_index("sku")
    finally:
        loaded.close()


def test_the_unit_price_is_net_revenue_over_units_in_the_months_before_the_cutoff():
    p = _products("2024-10")  # the 12 months from 2023-11-01: A's 6 @ 10 and 10 @ 12
    assert p.loc["A", "unit_price"] == pytest.approx((60 + 60 + 60) / (6 + 5 + 5))
    assert p.loc["A", "unit_cost"] == pytest.approx(0.6 * 180 / 16)


def test_an_item_not_sold_in_the_price_window_takes_its_price_over_all_its_history():
    p = _products("2024-10")  # B's last sale is 2023-06, before the window
    assert p.loc["B", "unit_price"] == pytest.approx(16 / 4)


def test_the_derived_items_are_as_of_each_cutoff():
    p = _products("2023-12")  # no 2024 order is known yet: A at 100 / 10
    assert p.loc["A", "unit_price"] == pytest.approx(10.0)
    assert sorted(p.index) == ["A", "B"]


def test_every_item_gets_the_stated_family_lead_time_and_no_life_cycle_dates():
    p = _products("2024-10")
    assert set(p["family"]) == {"All items"}
    assert set(p["lead_time_days"]) == {30.0}
    assert p["launch_date"].isna().all() and p["discontinue_date"].isna().all()


def test_a_period_in_the_past_reads_the_same_validated_source():
    loaded = data.load({"orders": _orders()}, period="2024-10", products_from_orders=SPEC)
    try:
        earlier = loaded.at("2023-12").tables["products"].set_index("sku")
        assert earlier.loc["A", "unit_price"] == pytest.approx(10.0)
    finally:
        loaded.close()


def test_without_the_derivation_a_source_without_products_has_none():
    with pytest.raises(InputError, match="has no products table"):
        data.load({"orders": _orders()}, period="2024-10", tables=["products"])


def test_a_source_with_products_is_never_derived():
    products = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "family": ["Tools", "Tools"],
            "unit_cost": [4.0, 2.0],
            "unit_price": [11.0, 5.0],
            "lead_time_days": [10.0, 10.0],
        }
    )
    loaded = data.load(
        {"orders": _orders(), "products": products}, period="2024-10", products_from_orders=SPEC
    )
    try:
        assert loaded.synthesized == {}
        assert set(loaded.tables["products"]["family"]) == {"Tools"}
    finally:
        loaded.close()


def test_the_assumption_names_every_value_it_rests_on():
    text = assumption(ProductsFromOrders.from_params(SPEC), 3)
    for part in ("the 3 items", "'All items'", "12 months", "60%", "30 days", "no launch"):
        assert part in text
