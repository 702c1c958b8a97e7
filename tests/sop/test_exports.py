import pandas as pd
import pytest

from compass_nb.sop.exports import write_exports


def test_exports_write_csv_per_table_and_one_workbook(tmp_path):
    plan = pd.DataFrame({"sku": ["A"], "month": [pd.Timestamp("2026-11-01")], "quantity": [5.0]})
    files = write_exports({"supply_plan": plan, "exceptions": plan.head(0)}, tmp_path)
    assert sorted(f.name for f in files) == [
        "exceptions.csv",
        "supply_plan.csv",
        "supply_plan.xlsx",
    ]
    assert pd.read_csv(tmp_path / "supply_plan.csv")["month"].tolist() == ["2026-11"]
    book = pd.read_excel(tmp_path / "supply_plan.xlsx", sheet_name=None)
    assert set(book) == {"supply_plan", "exceptions"}


def test_planned_orders_are_whole_units_after_lot_size_and_moq():
    from compass_nb.sop.exports import planned_orders, rounding_added

    plan = pd.DataFrame(
        {
            "family": "F",
            "sku": ["A", "A", "B", "C"],
            "location": "L",
            "month": pd.to_datetime(["2026-11-01", "2026-12-01", "2026-11-01", "2026-11-01"]),
            "production": [13.2, 0.0, 2.5, 4.0000001],
        }
    )
    products = pd.DataFrame(
        {"sku": ["A", "B", "C"], "lot_size": [12, None, 4], "moq": [None, 5, None]}
    )
    orders = planned_orders(plan, products)
    # A: 13.2 → two cases of 12; B: 2.5 → 3 units, raised to its MOQ of 5; C: 4.0000001 → 4
    assert orders["quantity"].tolist() == [24, 5, 4] and orders["quantity"].dtype == "int64"
    assert set(orders["unit"]) == {"units"}
    added, share = rounding_added(orders)
    assert added == pytest.approx(33 - 19.7000001) and share == pytest.approx(added / 19.7000001)
