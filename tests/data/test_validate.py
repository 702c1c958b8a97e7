"""Validation with quarantine: every bad row kept with its file, row, column, value and reason."""

from __future__ import annotations

import pandas as pd
import pytest

from compass_nb import data
from compass_nb.data.contracts import Column
from compass_nb.data.validate import column_checks
from compass_nb.errors import InputError
from tests.data.conftest import ORDERS_HEADER, write


def quarantined(loaded: data.Loaded, table: str = "orders") -> list[list]:
    q = loaded.quarantine
    return q.loc[q["table"] == table, ["row", "column", "value", "reason"]].values.tolist()


def assert_balanced(loaded: data.Loaded) -> None:
    counts = loaded.quarantine.groupby("table").size()
    for table, read in loaded.rows_read.items():
        assert loaded.rows_accepted[table] + counts.get(table, 0) == read


def test_negative_order_quantity_is_quarantined_with_its_line(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC,4,20\n2026-10-02,B,DC,-2,-10\n")
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded) == [[3, "quantity", "-2", "negative quantity"]]
    assert loaded.tables["orders"]["quantity"].tolist() == [4.0]
    assert_balanced(loaded)


def test_negative_net_revenue_alone_is_accepted_as_a_rebate(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC,0,-5\n")
    assert data.load(folder, period="2026-10").rows_accepted["orders"] == 1


def test_negative_on_hand_inventory_is_quarantined(folder):
    write(
        folder,
        "inventory.csv",
        "snapshot_date,sku,location,on_hand\n2026-10-31,A,DC,-1\n2026-10-31,B,DC,3\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "inventory") == [[2, "on_hand", "-1", "negative quantity"]]


def test_unparseable_dates_are_quarantined_with_the_raw_text(folder):
    text = ORDERS_HEADER + "2026-10-01,A,DC,1,2\n31/10/2026,A,DC,1,2\n2026-02-30,A,DC,1,2\n"
    write(folder, "orders.csv", text)
    loaded = data.load(folder, period="2026-10")
    reason = "unparseable date (expected YYYY-MM-DD)"
    assert quarantined(loaded) == [
        [3, "order_date", "31/10/2026", reason],
        [4, "order_date", "2026-02-30", reason],
    ]


def test_dates_with_a_time_of_day_are_read_as_that_day(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01 13:45:00,A,DC,1,2\n")
    frame = data.load(folder, period="2026-10").tables["orders"]
    assert frame["order_date"].tolist() == [pd.Timestamp("2026-10-01")]


def test_duplicate_keys_keep_the_first_row_and_quarantine_the_rest(folder):
    write(
        folder,
        "products.csv",
        "sku,family,unit_cost,unit_price,lead_time_days\nA,X,1,2,3\nB,X,1,2,3\nA,Y,9,9,9\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "products") == [[4, "sku", "A", "duplicate key"]]
    assert loaded.tables["products"].set_index("sku")["family"].to_dict() == {"A": "X", "B": "X"}


def test_duplicate_composite_key_shows_every_key_value(folder):
    write(
        folder,
        "inventory.csv",
        "snapshot_date,sku,location,on_hand\n2026-10-31,A,DC,1\n2026-10-31,A,DC,2\n2026-10-31,A,DC-2,2\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "inventory") == [
        [3, "snapshot_date, sku, location", "2026-10-31 / A / DC", "duplicate key"]
    ]


def test_orders_of_unknown_skus_are_quarantined(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC,1,2\n2026-10-01,ZZ-9,DC,1,2\n")
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded) == [[3, "sku", "ZZ-9", "unknown sku"]]


def test_a_duplicated_product_still_counts_as_known_for_orders(folder):
    write(
        folder,
        "products.csv",
        "sku,family,unit_cost,unit_price,lead_time_days\nA,X,1,2,3\nA,Y,1,2,3\n",
    )
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC,1,2\n")
    assert data.load(folder, period="2026-10").rows_accepted["orders"] == 1


def test_references_between_crm_tables_name_what_is_unknown(folder):
    write(folder, "org_units.csv", "team,parent_team\nCompany,\nEast,Company\n")
    write(
        folder,
        "reps.csv",
        "rep_id,name,team,role,hire_date,base_salary,ote,plan_id\n"
        "r1,Ana,East,AE,2020-01-01,50000,100000,ae\nr2,Bo,West,AE,2020-01-01,50000,100000,ae\n",
    )
    write(folder, "quotas.csv", "rep_id,period,quota\nr1,2026-10,1000\nr9,2026-10,1000\n")
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "reps") == [[3, "team", "West", "unknown team"]]
    assert quarantined(loaded, "quotas") == [[3, "rep_id", "r9", "unknown rep"]]


def test_missing_value_spellings_count_as_missing(folder):
    rows = "".join(f"2026-10-01,A,DC,{token},2\n" for token in ("NaN", "NULL", "", "n/a"))
    write(folder, "orders.csv", ORDERS_HEADER + rows)
    loaded = data.load(folder, period="2026-10")
    assert [r[3] for r in quarantined(loaded)] == ["missing value"] * 4
    assert_balanced(loaded)


def test_missing_optional_values_are_accepted_as_nulls(folder):
    write(folder, "orders.csv", ORDERS_HEADER.strip() + ",channel\n2026-10-01,A,DC,1,2,NaN\n")
    frame = data.load(folder, period="2026-10").tables["orders"]
    assert frame["channel"].isna().all() and len(frame) == 1


def test_a_row_with_several_faults_is_quarantined_once_with_its_first(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "not-a-date,ZZ,DC,-3,abc\n")
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded) == [
        [2, "order_date", "not-a-date", "unparseable date (expected YYYY-MM-DD)"]
    ]
    assert (loaded.rows_read["orders"], loaded.rows_accepted["orders"]) == (1, 0)


def test_wrong_types_and_out_of_range_values_are_named(folder):
    write(
        folder,
        "products.csv",
        "sku,family,unit_cost,unit_price,lead_time_days,service_level\n"
        "A,X,cheap,2,3,0.9\nB,X,1,2,3,1.5\nC,X,1,2,3,95%\nD,X,1,2,1e400,\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "products") == [
        [2, "unit_cost", "cheap", "wrong type (expected a number)"],
        [3, "service_level", "1.5", "out of range (above 1)"],
        [4, "service_level", "95%", "wrong type (expected a number)"],
        [5, "lead_time_days", "1e400", "out of range (not a finite number)"],
    ]


def test_values_outside_the_allowed_list_are_quarantined(folder):
    write(
        folder,
        "survey_questions.csv",
        "survey_id,question_id,text,kind\ns1,enps,How likely,enps\ns1,q01,Fair,stars\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "survey_questions") == [
        [3, "kind", "stars", "value not allowed (expected one of enps, likert5)"]
    ]


def test_override_needs_a_family_or_a_sku(folder):
    write(
        folder,
        "overrides.csv",
        "cycle,period,family,sku,quantity,author\n2026-09,2026-11,Outdoor,,10,ana\n2026-09,2026-11,,,10,ana\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "overrides") == [
        [3, "family or sku", None, "missing value (one of family, sku is required)"]
    ]


def test_lines_with_the_wrong_number_of_fields_are_quarantined_whole(folder):
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + "2026-10-01,A,DC,1,2\n2026-10-01,A,DC,1,2,surplus\n2026-10-01,A\n",
    )
    loaded = data.load(folder, period="2026-10")
    reason = "malformed line (wrong number of fields)"
    assert quarantined(loaded) == [
        [3, "", "2026-10-01,A,DC,1,2,surplus", reason],
        [4, "", "2026-10-01,A", reason],
    ]
    assert_balanced(loaded)


def test_row_numbers_account_for_quoted_line_breaks(folder):
    text = (
        ORDERS_HEADER.strip()
        + ',channel\n2026-10-01,A,DC,1,2,"web\nshop"\n2026-10-01,A,DC,-1,2,web\n'
    )
    write(folder, "orders.csv", text)
    assert quarantined(data.load(folder, period="2026-10"))[0][0] == 4


def test_strict_mode_turns_quarantine_into_an_error_with_counts(folder):
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + "2026-10-01,A,DC,-1,2\n2026-10-01,A,DC,-2,2\n2026-10-01,Q,DC,1,2\n",
    )
    with pytest.raises(InputError) as err:
        data.load(folder, period="2026-10", strict=True)
    message = str(err.value)
    assert "3 rows failed validation" in message
    assert (
        "orders: 2 rows — negative quantity" in message and "orders: 1 row — unknown sku" in message
    )


def test_strict_mode_passes_clean_data(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC,1,2\n")
    assert data.load(folder, period="2026-10", strict=True).quarantine.empty


def test_checks_run_missing_then_type_then_range():
    column = Column("quantity", "float", min=0)
    reasons = [fault.reason for _, fault in column_checks(column, "n", "t")]
    assert reasons == [
        "missing value",
        "wrong type (expected a number)",
        "out of range (not a finite number)",
        "negative quantity",
    ]


def test_quarantine_is_written_one_csv_per_table(folder, tmp_path):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC,-1,2\n2026-10-01,Q,DC,1,2\n")
    loaded = data.load(folder, period="2026-10")
    written = data.write_quarantine(loaded.quarantine, tmp_path / "private" / "quarantine")
    assert list(written) == ["orders"]
    back = pd.read_csv(written["orders"])
    assert back[["row", "reason"]].values.tolist() == [[2, "negative quantity"], [3, "unknown sku"]]


# -- issue 17 --------------------------------------------------------------------------------
def test_a_product_quarantined_for_another_column_still_makes_its_sku_known(folder):
    """Defect 8: references are checked against the key column alone."""
    write(
        folder,
        "products.csv",
        "sku,family,unit_cost,unit_price,lead_time_days,service_level\n"
        "A,X,1,2,3,95%\nB,X,1,2,3,0.9\n,X,1,2,3,0.9\n",
    )
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + "2026-10-01,A,DC,1,2\n2026-10-01,B,DC,1,2\n2026-10-01,Q,DC,1,2\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "products") == [
        [2, "service_level", "95%", "wrong type (expected a number)"],
        [4, "sku", None, "missing value"],
    ]
    assert quarantined(loaded) == [[4, "sku", "Q", "unknown sku"]]
    assert loaded.tables["orders"]["sku"].tolist() == ["A", "B"]
    assert_balanced(loaded)


def test_decimal_comma_files_read_grouped_thousands_and_refuse_ambiguous_values(folder):
    """Defect 9: "1.234" in a ;-file is neither 1.234 nor 1234 — it is quarantined."""
    header = "order_date;sku;location;quantity;net_revenue\n"
    rows = (
        "2026-10-01;A;DC;1.234;10\n"  # ambiguous
        "2026-10-02;A;DC;2;1.234,50\n"  # grouped thousands with decimals
        "2026-10-03;A;DC;1.234.567;0,5\n"  # several groups: thousands
        "2026-10-04;A;DC;12,5;-3\n"  # decimal comma
        "2026-10-05;A;DC;0.25;7\n"  # a dot that cannot group thousands is a decimal point
    )
    write(folder, "orders.csv", header + rows)
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded) == [
        [
            2,
            "quantity",
            "1.234",
            "ambiguous number (one separator before three digits reads as thousands or decimals)",
        ]
    ]
    orders = loaded.tables["orders"]
    assert orders["quantity"].tolist() == [2.0, 1234567.0, 12.5, 0.25]
    assert orders["net_revenue"].tolist() == [1234.5, 0.5, -3.0, 7.0]
    streamed = data.monthly_orders(folder, period="2026-10")
    assert streamed.quarantine[["row", "reason"]].values.tolist() == [
        [2, quarantined(loaded)[0][3]]
    ]
    assert streamed.monthly["quantity"].tolist() == [2.0 + 1234567.0 + 12.5 + 0.25]


def test_quoted_thousands_in_a_comma_file_are_read_and_a_lone_group_is_ambiguous(folder):
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + '2026-10-01,A,DC,"1,234.5",1\n2026-10-02,A,DC,"1,234",1\n',
    )
    loaded = data.load(folder, period="2026-10")
    assert loaded.tables["orders"]["quantity"].tolist() == [1234.5]
    assert [r[:2] for r in quarantined(loaded)] == [[3, "quantity"]]


def test_identifiers_are_trimmed_cleaned_and_spelt_one_way(folder):
    """Defect 13: " OPP-00021", r-0005 and a NUL byte are the same ids as OPP-00021, R-0005."""
    write(folder, "org_units.csv", "team,parent_team\nCompany,\nEast,Company\n")
    write(
        folder,
        "reps.csv",
        "rep_id,name,team,role,hire_date,base_salary,ote,plan_id\n"
        "R-0005,Ana,East,AE,2020-01-01,50000,100000,ae\n"
        "r-0005 ,Ana again,east,AE,2020-01-01,50000,100000,ae\n",
    )
    write(folder, "quotas.csv", "rep_id,period,quota\nr-0005,2026-10,1000\n")
    write(
        folder,
        "opportunities.csv",
        "opportunity_id,owner_id,created_date,close_date,stage,amount,is_closed,is_won\n"
        "OPP-00021,R-0005,2026-09-01,2026-10-01,Closed Won,100,true,true\n"
        " OPP-00021,r-0005,2026-09-01,2026-10-01,Closed Won,100,true,true\n",
    )
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER
        + "2026-10-01,A,DC-North,1,2\n2026-10-01,a ,DC-North\x00,2,2\n2026-10-01,A,dc-north,4,2\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded, "reps") == [[3, "rep_id", "R-0005", "duplicate key"]]
    assert quarantined(loaded, "opportunities") == [
        [3, "opportunity_id", "OPP-00021", "duplicate key"]
    ]
    assert loaded.tables["quotas"]["rep_id"].tolist() == ["R-0005"]
    assert loaded.tables["orders"][["sku", "location"]].drop_duplicates().values.tolist() == [
        ["A", "DC-North"]
    ]
    monthly = data.monthly_orders(loaded).monthly
    assert monthly[["sku", "location", "quantity"]].values.tolist() == [["A", "DC-North", 7.0]]
    streamed = data.monthly_orders(folder, period="2026-10").monthly
    pd.testing.assert_frame_equal(streamed, monthly, check_dtype=False)


def test_the_first_spelling_of_an_identifier_without_a_master_is_kept(folder):
    write(
        folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,dc-west,1,2\n2026-10-01,A,DC-West,2,2\n"
    )
    loaded = data.load(folder, period="2026-10")
    assert loaded.tables["orders"]["location"].tolist() == ["dc-west", "dc-west"]


def test_quantities_above_their_upper_bound_are_quarantined_so_totals_stay_finite(folder):
    """Defect 16: 1e308 passed and a column total overflowed to inf."""
    rows = "2026-10-01,A,DC,1e308,2\n2026-10-01,A,DC,1e308,2\n2026-10-01,A,DC,5,2e13\n2026-10-01,A,DC,3,-4\n"
    write(folder, "orders.csv", ORDERS_HEADER + rows)
    loaded = data.load(folder, period="2026-10")
    assert quarantined(loaded) == [
        [2, "quantity", "1e308", "out of range (above 1,000,000,000,000)"],
        [3, "quantity", "1e308", "out of range (above 1,000,000,000,000)"],
        [4, "net_revenue", "2e13", "out of range (above 10,000,000,000,000)"],
    ]
    monthly = data.monthly_orders(loaded).monthly
    assert monthly[["quantity", "net_revenue"]].values.tolist() == [[3.0, -4.0]]


def test_checks_run_missing_then_type_then_range_then_bounds():
    column = Column("quantity", "float", min=0, max=10, integer=True)
    reasons = [fault.reason for _, fault in column_checks(column, "n", "t", True)]
    assert reasons == [
        "missing value",
        "ambiguous number (one separator before three digits reads as thousands or decimals)",
        "wrong type (expected a number)",
        "out of range (not a finite number)",
        "wrong type (expected a whole number)",
        "negative quantity",
        "out of range (above 10)",
    ]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_clean_tables_keep_the_rows_in_the_order_of_the_file(folder, fmt):
    n = 300_000  # several of DuckDB's row groups, read in parallel
    frame = pd.DataFrame(
        {
            "order_date": "2026-10-01",
            "sku": "A",
            "location": "DC",
            "quantity": [float(i % 1000) for i in range(n)],
            "net_revenue": [float(i) for i in range(n)],
        }
    )
    frame.loc[[7, 150_001], "quantity"] = -1.0
    if fmt == "csv":
        frame.to_csv(folder / "orders.csv", index=False)
    else:
        frame.to_parquet(folder / "orders.parquet")
    orders = data.load(folder, period="2026-10", threads=2).tables["orders"]
    expected = [float(i) for i in range(n) if i not in (7, 150_001)]
    assert orders["net_revenue"].tolist() == expected
