"""Fuzzed input (issue 8): whatever arrives, rows are accounted for or one error names the file.

Hypothesis writes tables in random shapes — column orders, missing and extra columns,
upper-case and duplicate headers, delimiters, encodings and BOMs, blank lines, lines
with the wrong number of fields, huge numbers, NaN spellings, quotes and line breaks
inside cells — as CSV, Parquet and Excel. Every load either raises one
:class:`InputError` naming the file, or accounts for every data row written:
accepted + quarantined = rows read = rows written, and each quarantined row points at a
line that holds a data row.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compass_nb import data
from compass_nb.data.contracts import CONTRACTS
from compass_nb.errors import InputError
from tests.data.conftest import ORDERS_HEADER, PRODUCTS

TABLES = ("orders", "products", "inventory", "quotas", "budget")
TEXT = st.text(alphabet="abcXYZ019 -_.éüß,;\"'", max_size=8)
CELLS = {
    "date": st.sampled_from(
        [
            "2026-10-01",
            "2026-10-31",
            "2026-11-02",
            "31/10/2026",
            "2026-02-30",
            "0001-01-01",
            "9999-12-31",
            "2026-10-01 12:00:00",
        ]
    ),
    "timestamp": st.sampled_from(["2026-10-01 08:00:00", "2026-10-01", "yesterday"]),
    "period": st.sampled_from(["2026-10", "2026-13", "2026-9", "Oct 2026"]),
    "float": st.one_of(
        st.integers(-10, 10**6).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(["1e400", "-1e400", "9" * 40, "1,5", "12abc", "0x1F"]),
    ),
    "bool": st.sampled_from(["true", "false", "1", "0", "yes", "maybe"]),
    "str": st.sampled_from(["A", "B", "C", "ZZ-9", "DC-North"]),
}
MISSING = st.sampled_from(["", "NaN", "nan", "NULL", "N/A", "None", " "])


@st.composite
def table_files(draw: st.DrawFn) -> dict:
    """A table's header and rows, in a random shape."""
    table = draw(st.sampled_from(TABLES))
    contract = CONTRACTS[table]
    columns = draw(st.permutations(contract.names))
    columns = [c for c in columns if draw(st.integers(0, 12)) > 0]  # sometimes drop a column
    extras = draw(st.lists(st.sampled_from(["note", "Note", "x", "sku", "quantity"]), max_size=2))
    header = columns + extras
    header = [h.upper() if draw(st.booleans()) and draw(st.booleans()) else h for h in header]
    types = [
        contract.column(h.lower()).type if h.lower() in contract.names else "str" for h in header
    ]
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        cells = [
            draw(st.one_of(CELLS[t], MISSING, TEXT) if draw(st.integers(0, 5)) == 0 else CELLS[t])
            for t in types
        ]
        if draw(st.integers(0, 9)) == 0:  # a line with a field too many or too few
            cells = cells + ["surplus"] if draw(st.booleans()) else cells[:-1] or ["lonely"]
        if draw(st.integers(0, 19)) == 0 and cells:
            cells[0] = cells[0] + "\nwrapped"
        rows.append(cells)
    return {
        "table": table,
        "header": header,
        "rows": rows,
        "delimiter": draw(st.sampled_from([",", ";"])),
        "file_encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252"])),
        "load_encoding": draw(st.sampled_from(["utf-8", "latin-1"])),
        "blank_lines": draw(st.lists(st.integers(0, 14), max_size=3)),
    }


def _csv_bytes(case: dict) -> tuple[bytes, list[int]]:
    """The file's bytes and the line number where each data row starts."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=case["delimiter"], lineterminator="\n")
    writer.writerow(case["header"])
    line, starts = 2, []
    for i, cells in enumerate(case["rows"]):
        for _ in range(case["blank_lines"].count(i)):
            out.write("\n")
            line += 1
        if len(cells) == 1 and cells[0].strip() == "":
            cells = ["x"]
        starts.append(line)
        before = out.tell()
        writer.writerow(cells)
        line += out.getvalue()[before:].count("\n")
    return out.getvalue().encode(case["file_encoding"], errors="replace"), starts


def _single_field_blank(cells: list[str]) -> bool:
    return len(cells) == 1 and cells[0].strip() == ""


def _check(loaded: data.Loaded, table: str, expected_rows: int, starts: list[int] | None) -> None:
    q = loaded.quarantine
    assert loaded.rows_read[table] == expected_rows
    assert loaded.rows_accepted[table] + (q["table"] == table).sum() == loaded.rows_read[table]
    assert (
        loaded.rows_read["products"]
        == loaded.rows_accepted["products"] + (q["table"] == "products").sum()
    )
    rows = q.loc[q["table"] == table, "row"].tolist()
    assert len(set(rows)) == len(rows)
    if starts is not None:
        assert set(rows) <= set(starts)
    assert len(loaded.tables[table]) <= loaded.rows_accepted[table]


def _expect_input_error(err: InputError, file: str) -> None:
    assert file in str(err), str(err)
    assert "\n  File " not in str(err)
    for dump in ("Possible fixes", "Error:", "state machine"):  # never the database's own text
        assert dump not in str(err), str(err)


def _missing_required(case: dict) -> bool:
    names = [h.lower() for h in case["header"]]
    dup = any(names.count(n) > 1 and n in CONTRACTS[case["table"]].names for n in names)
    return dup or any(c not in names for c in CONTRACTS[case["table"]].required)


FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@FUZZ
@given(table_files())
def test_fuzzed_csv_rows_are_accounted_for_or_the_file_is_named(case):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "products.csv").write_text(PRODUCTS)
        content, starts = _csv_bytes(case)
        name = f"{case['table']}.csv"
        (folder / name).write_bytes(content)
        try:
            loaded = data.load(folder, period="2026-10", encoding=case["load_encoding"])
        except InputError as err:
            _expect_input_error(err, name)
            return
        assert not _missing_required(case)
        _check(loaded, case["table"], len(case["rows"]), starts)


def _frame(case: dict) -> pd.DataFrame:
    width = len(case["header"])
    rows = [(cells + [""] * width)[:width] for cells in case["rows"]]
    return pd.DataFrame(rows, columns=[f"{h}" for h in case["header"]], dtype=object)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(table_files())
def test_fuzzed_parquet_rows_are_accounted_for_or_the_file_is_named(case):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "products.csv").write_text(PRODUCTS)
        frame = _frame(case)
        if frame.columns.duplicated().any():
            return  # Parquet cannot hold two columns of one name
        frame = frame.where(frame != "", None)
        name = f"{case['table']}.parquet"
        frame.to_parquet(folder / name)
        try:
            loaded = data.load(folder, period="2026-10")
        except InputError as err:
            _expect_input_error(err, name)
            return
        assert not _missing_required(case)
        _check(loaded, case["table"], len(frame), [i + 1 for i in range(len(frame))])


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(table_files())
def test_fuzzed_excel_rows_are_accounted_for_or_the_file_is_named(case):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "products.csv").write_text(PRODUCTS)
        frame = _frame(case)
        if frame.columns.duplicated().any():
            return
        name = f"{case['table']}.xlsx"
        frame.to_excel(folder / name, index=False)
        non_blank = int((frame.map(lambda v: str(v).strip() != "")).any(axis=1).sum())
        try:
            loaded = data.load(folder, period="2026-10")
        except InputError as err:
            _expect_input_error(err, name)
            return
        assert not _missing_required(case)
        _check(loaded, case["table"], non_blank, None)


@pytest.mark.parametrize(
    "garbage", [b"\x00\x01\x02", b"\xff\xfe\x00", "é;ü\n".encode("latin-1"), b"a\n\x00b\n"]
)
def test_binary_garbage_is_one_error_naming_the_file(tmp_path, garbage):
    (tmp_path / "orders.csv").write_bytes(garbage)
    with pytest.raises(InputError, match=r"orders\.csv"):
        data.load(tmp_path, period="2026-10")


# -- contract-valid and contract-invalid files (issue 17) -----------------------------------
FAULTS = {
    "negative": "negative quantity",
    "date": "unparseable date (expected YYYY-MM-DD)",
    "sku": "unknown sku",
    "huge": "out of range (above 1,000,000,000,000)",
    "future": "dated in the future (after today, 2026-12-01)",
    "ambiguous": "ambiguous number (one separator before three digits reads as thousands or decimals)",
    "missing": "missing value",
    "fields": "malformed line (wrong number of fields)",
}
SPELLINGS = {"A": ["A", "a", " A", "A ", "a\t"], "B": ["B", "b "], "C": ["C", "c"]}


def _number(value: float, comma: bool) -> str:
    text = repr(float(value)) if value != int(value) else str(int(value))
    return text.replace(".", ",") if comma else text


@st.composite
def order_files(draw: st.DrawFn) -> dict:
    """An orders file of contract-valid rows and rows broken in one known way each."""
    comma = draw(st.booleans())
    rows, expected, total = [], [], 0.0
    for _ in range(draw(st.integers(1, 14))):
        day = draw(st.dates(pd.Timestamp("2022-01-01").date(), pd.Timestamp("2026-10-31").date()))
        sku = draw(st.sampled_from(sorted(SPELLINGS)))
        quantity = draw(
            st.one_of(st.integers(0, 10**6), st.floats(0, 1e6).map(lambda x: round(x, 2)))
        )
        revenue = draw(st.floats(-1e6, 1e6).map(lambda x: round(x, 2)))
        cells = [
            day.isoformat(),
            draw(st.sampled_from(SPELLINGS[sku])),
            draw(st.sampled_from(["DC-North", "dc-north", "DC-North\x00"])),
            _number(quantity, comma),
            _number(revenue, comma),
        ]
        fault = draw(st.sampled_from([None] * 8 + sorted(FAULTS)))
        if fault == "negative":
            cells[3] = _number(-1 - quantity, comma)
        elif fault == "date":
            cells[0] = day.strftime("%d/%m/%Y")
        elif fault == "sku":
            cells[1] = "ZZ-9"
        elif fault == "huge":
            cells[3] = "2e12"
        elif fault == "future":
            cells[0] = "2031-01-15"
        elif fault == "ambiguous":
            cells[3] = "1.234" if comma else '"1,234"'
        elif fault == "missing":
            cells[1] = draw(st.sampled_from(["", "NULL", " "]))
        elif fault == "fields":
            cells = cells[:-1]
        rows.append(cells)
        expected.append(FAULTS.get(fault))
        total += quantity if fault is None else 0.0
    return {
        "comma": comma,
        "rows": rows,
        "expected": expected,
        "total": total,
        "ends": draw(
            st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(rows), max_size=len(rows))
        ),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])),
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(order_files())
def test_valid_rows_are_accepted_and_each_broken_row_is_quarantined_with_its_reason(case):
    delimiter = ";" if case["comma"] else ","
    lines = [delimiter.join(ORDERS_HEADER.strip().split(",")) + "\n"]
    lines += [
        delimiter.join(cells) + end for cells, end in zip(case["rows"], case["ends"], strict=True)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "products.csv").write_text(PRODUCTS)
        (folder / "orders.csv").write_bytes("".join(lines).encode(case["encoding"]))
        encoding = {"orders": "cp1252"} if case["encoding"] == "cp1252" else "utf-8"
        loaded = data.load(folder, period="2026-10", encoding=encoding, today="2026-12-01")
        streamed = data.monthly_orders(
            folder, period="2026-10", encoding=encoding, today="2026-12-01"
        )
    bad = [(i + 2, reason) for i, reason in enumerate(case["expected"]) if reason]
    assert loaded.quarantine[["row", "reason"]].apply(tuple, axis=1).tolist() == bad
    assert loaded.rows_read["orders"] == len(case["rows"])
    assert loaded.rows_accepted["orders"] == len(case["rows"]) - len(bad)
    orders = loaded.tables["orders"]
    assert set(orders["sku"]) <= {"A", "B", "C"}  # the products' spelling
    assert orders["location"].nunique() <= 1  # one spelling, the first in the file
    assert set(orders["location"].str.lower()) <= {"dc-north"}
    assert orders["quantity"].sum() == pytest.approx(case["total"])
    assert streamed.quarantine[["row", "reason"]].apply(tuple, axis=1).tolist() == bad
    assert streamed.monthly["quantity"].sum() == pytest.approx(case["total"])
    assert streamed.rows_read == loaded.rows_read and streamed.rows_accepted == loaded.rows_accepted
