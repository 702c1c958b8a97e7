"""The one CSV/XLSX writer (issue 17, defect 1): no cell of data runs as a spreadsheet formula."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb import data, exports
from compass_nb.comp.engine import compute_payouts
from compass_nb.comp.payroll import payroll_export, write_payroll
from compass_nb.comp.statements import write_statements
from compass_nb.crediting import credited_bookings
from compass_nb.sop.exports import write_exports
from tests.comp.comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame
from tests.data.conftest import ORDERS_HEADER, PRODUCTS, write

LINK = '=HYPERLINK("http://evil.example/x","click")'
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")


def csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def xlsx_cells(path: Path) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_no_formula(path: Path) -> None:
    """The done-when of defect 1: no text cell starts with = + - @ unless it is a number."""
    if path.suffix == ".xlsx":
        cells = xlsx_cells(path)
        assert all(cell.data_type != "f" for cell in cells), path
        texts = [str(c.value) for c in cells if isinstance(c.value, str)]
    else:
        texts = csv_cells(path)
    offending = [t for t in texts if t.startswith(STARTS) and not _is_number(t)]
    assert offending == [], (path, offending)


def test_supply_plan_exports_write_a_formula_sku_as_text_and_keep_numbers_numeric(tmp_path):
    plan = pd.DataFrame(
        {
            "sku": [LINK, "A-1", "+49 30 1234", "@SUM(A1:A9)"],
            "month": pd.to_datetime(["2026-11-01"] * 4),
            "quantity": [5.0, -2.0, 0.0, 7.5],
        }
    )
    files = write_exports({"supply_plan": plan}, tmp_path)
    for path in files:
        assert_no_formula(path)
    sheet = openpyxl.load_workbook(tmp_path / "supply_plan.xlsx")["supply_plan"]
    assert sheet["A2"].value == "'" + LINK and sheet["A2"].data_type == "s"
    assert [sheet[f"C{r}"].value for r in range(2, 6)] == [5, -2, 0, 7.5]
    assert all(sheet[f"C{r}"].data_type == "n" for r in range(2, 6))
    back = pd.read_csv(tmp_path / "supply_plan.csv")
    assert back["sku"].tolist() == ["'" + LINK, "A-1", "'+49 30 1234", "'@SUM(A1:A9)"]
    assert back["quantity"].tolist() == [5.0, -2.0, 0.0, 7.5]


def test_payroll_and_statements_write_a_formula_name_as_text(tmp_path):
    reps = reps_frame(("=r1", "flat", "2020-01-01", None, 100000)).assign(name="@cmd|' /C calc'!A0")
    quotas = pd.DataFrame({"rep_id": ["=r1"], "period": ["2026-10"], "quota": [100000.0]})
    opps = opportunities_frame(("-O1", "=r1", "2026-10-03", 1234.56))
    result = compute_payouts(
        {"flat": plan_from(FLAT_10)},
        reps,
        quotas,
        credited_bookings(opps, NO_SPLITS),
        start="2026-10",
        end="2026-10",
    )
    payroll = write_payroll(tmp_path, payroll_export(result, reps, "2026-10"), "2026-10")
    statements = [
        p for p in write_statements(tmp_path, result, reps, "2026-10") if p.suffix == ".csv"
    ]
    for path in [payroll, *statements]:
        assert_no_formula(path)
    rows = pd.read_csv(payroll, dtype=str)
    assert rows[["rep_id", "name", "payout"]].values.tolist() == [
        ["'=r1", "'@cmd|' /C calc'!A0", "123.46"]
    ]
    trace = pd.read_csv(statements[0], dtype=str)
    assert trace["opportunity_id"].tolist() == ["'-O1"]


def test_negative_amounts_written_as_text_stay_plain_numbers(tmp_path):
    frame = pd.DataFrame({"clawback": ["-120.00", "0.00"], "note": ["-", "- late deal"]})
    path = exports.write_csv(frame, tmp_path / "x.csv")
    assert csv_cells(path) == ["clawback", "note", "-120.00", "'-", "0.00", "'- late deal"]


def test_quarantine_files_write_raw_values_as_text(tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    write(folder, "products.csv", PRODUCTS)
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + f'2026-10-01,"{LINK.replace(chr(34), 2 * chr(34))}",DC,1,2\n',
    )
    loaded = data.load(folder, period="2026-10")
    assert loaded.quarantine["value"].tolist() == [
        LINK
    ]  # the quarantine itself keeps the raw value
    written = data.write_quarantine(loaded.quarantine, tmp_path / "q")
    assert_no_formula(Path(written["orders"]))
    assert pd.read_csv(written["orders"])["value"].tolist() == ["'" + LINK]


def test_column_names_and_cells_xlsx_cannot_hold_are_made_safe(tmp_path):
    frame = pd.DataFrame({"=name": ["a\x00b", "ok"], "n": [1, 2]})
    path = exports.write_xlsx({"bad/sheet:name": frame}, tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["bad_sheet_name"]
    sheet = book["bad_sheet_name"]
    assert [sheet["A1"].value, sheet["A2"].value, sheet["B3"].value] == ["'=name", "ab", 2]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="=+-@\t\r 0123456789.,eE()AaZz|!", max_size=10),
            st.floats(allow_nan=False, allow_infinity=False, width=32).map(str),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_no_text_cell_of_any_written_file_starts_like_a_formula(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("w")
    frame = pd.DataFrame({"value": values, "number": range(len(values))})
    for path in (
        exports.write_csv(frame, folder / "f.csv"),
        exports.write_xlsx({"f": frame}, folder / "f.xlsx"),
    ):
        assert_no_formula(path)
    back = [row[0] for row in csv.reader(open(folder / "f.csv", encoding="utf-8", newline=""))]
    assert len(back) == len(values) + 1  # one row per value: a line break never splits a cell
    for written, value in zip(back[1:], values, strict=True):  # nothing but the quote is added
        expected = "'" + value if exports.is_formula(value) else value
        assert written == expected.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("text", ["-5", "+3.25", "-1e3", "-0,5"])
def test_plain_numbers_are_not_quoted(text):
    assert exports.neutralised(text) == text
