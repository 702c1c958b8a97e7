"""Monthly orders in one streaming pass give what load + monthly_orders(loaded) give."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compass_nb import data
from compass_nb.data.stream import monthly_orders
from compass_nb.errors import InputError
from tests.data.conftest import ORDERS_HEADER, PRODUCTS, write
from tests.data.test_fuzz import CELLS, MISSING, TEXT

FIELDS = ["row", "column", "reason"]


def test_streamed_totals_and_quarantine_of_a_small_file(folder):
    rows = (
        "2026-09-02,A,DC,1,10\n2026-09-20,A,DC,2,20\n\n2026-10-01,A,DC,4,40\n2026-10-02,B,DC,-8,80\n"
        "2026-10-03,Q,DC,1,1\nNULL,A,DC,1,1\n2026-10-04,A,DC,abc,1\n2026-10-05 08:00:00,B,DC,5,5\n"
        "2026-10-06,A,DC,1\n2026-11-01,A,DC,99,9\n"
    )
    write(folder, "orders.csv", ORDERS_HEADER + rows)
    result = monthly_orders(folder)
    assert result.period == "2026-10"
    assert result.monthly.values.tolist() == [
        ["A", "DC", "2026-09", 3.0, 30.0, 2],
        ["A", "DC", "2026-10", 4.0, 40.0, 1],
        ["B", "DC", "2026-10", 5.0, 5.0, 1],
    ]
    assert result.quarantine[["row", "column", "value", "reason"]].values.tolist() == [
        [6, "quantity", "-8", "negative quantity"],
        [7, "sku", "Q", "unknown sku"],
        [8, "order_date", "NULL", "missing value"],
        [9, "quantity", "abc", "wrong type (expected a number)"],
        [11, "", "2026-10-06,A,DC,1", "malformed line (wrong number of fields)"],
    ]
    assert (result.rows_read["orders"], result.rows_accepted["orders"]) == (10, 5)


def test_sources_other_than_a_csv_folder_go_through_load():
    result = monthly_orders("demo:small")
    loaded = data.load("demo:small", tables=["orders"])
    pd.testing.assert_frame_equal(result.monthly, data.monthly_orders(loaded).monthly)


ORDER_CELLS = [
    CELLS["date"],
    CELLS["str"],
    st.sampled_from(["DC", "DC-2"]),
    CELLS["float"],
    CELLS["float"],
]


@st.composite
def order_files(draw: st.DrawFn) -> str:
    delimiter = draw(st.sampled_from([",", ";"]))
    lines = [delimiter.join(ORDERS_HEADER.strip().split(","))]
    for _ in range(draw(st.integers(0, 15))):
        cells = [
            draw(st.one_of(s, MISSING, TEXT) if draw(st.integers(0, 4)) == 0 else s)
            for s in ORDER_CELLS
        ]
        cells = [c.replace(delimiter, "").replace('"', "").replace("\n", "") for c in cells]
        if draw(st.integers(0, 12)) == 0:
            cells = cells[:-1]
        lines.append(delimiter.join(cells))
        if draw(st.integers(0, 12)) == 0:
            lines.append("")
    return "\n".join(lines) + "\n"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(order_files())
def test_streamed_pass_agrees_with_load_on_fuzzed_orders(text):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "products.csv").write_text(PRODUCTS)
        (folder / "orders.csv").write_text(text)
        try:
            loaded = data.load(folder, period="2026-10")
        except InputError as err:
            try:
                monthly_orders(folder, period="2026-10")
            except InputError as again:
                assert str(again) == str(err)
                return
            raise AssertionError("the streamed pass accepted a file load refused") from err
        streamed = monthly_orders(folder, period="2026-10")
        pd.testing.assert_frame_equal(
            streamed.monthly, data.monthly_orders(loaded).monthly, check_dtype=False
        )
        expected = loaded.quarantine
        assert streamed.quarantine[FIELDS].values.tolist() == expected[FIELDS].values.tolist()
        assert streamed.rows_read == loaded.rows_read
        assert streamed.rows_accepted == loaded.rows_accepted
