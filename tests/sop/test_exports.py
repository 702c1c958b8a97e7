import pandas as pd

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
