"""The registry of store tables: staging a table that breaks its declaration is an error."""

import pandas as pd
import pytest

from compass_nb import store
from compass_nb.data.contracts import CONTRACTS
from compass_nb.store import TABLES, check_frame

DECISION = {
    "decision_id": ["PLAN"],
    "kind": ["scenario"],
    "title": ["Which scenario the plan follows"],
    "option": ["base"],
    "status": ["decided"],
    "owner": [""],
    "due": [""],
    "expected_value": [0.0],
    "at_stake": [float("nan")],
    "family": [""],
    "gap_id": [""],
    "first_month": [pd.NaT],
    "last_month": [pd.NaT],
}


def test_staging_an_undeclared_table_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="not declared"):
        store.stage(tmp_path, "my_table", pd.DataFrame({"x": [1]}), period="2026-10", run_id=1)


def test_a_frame_lacking_a_declared_column_is_refused():
    frame = pd.DataFrame(DECISION).drop(columns="owner")
    with pytest.raises(ValueError, match=r"lacks declared columns \['owner'\]"):
        check_frame("decisions", frame)


def test_a_frame_with_an_undeclared_column_is_refused():
    with pytest.raises(ValueError, match=r"undeclared columns \['note'\]"):
        check_frame("decisions", pd.DataFrame(DECISION).assign(note="x"))


def test_a_column_of_the_wrong_type_is_refused_and_an_empty_one_fits_any():
    with pytest.raises(ValueError, match="'expected_value' is str, declared float"):
        check_frame("decisions", pd.DataFrame(DECISION).assign(expected_value="one"))
    check_frame("decisions", pd.DataFrame(DECISION).assign(owner=None))


def test_clean_tables_follow_their_contract_and_keep_a_sources_extra_columns():
    assert set(CONTRACTS) <= {name.removeprefix("clean_") for name in TABLES}
    orders = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2026-10-01"]),
            "sku": ["A"],
            "location": ["L"],
            "quantity": [1.0],
            "net_revenue": [2.0],
            "warehouse_note": ["kept"],
        }
    )
    check_frame("clean_orders", orders)
    with pytest.raises(ValueError, match="lacks declared columns"):
        check_frame("clean_orders", orders.drop(columns="sku"))


def test_a_period_keyed_input_is_stored_under_table_period():
    assert "table_period" in TABLES["clean_budget"].columns
    assert "period" not in TABLES["clean_budget"].columns
