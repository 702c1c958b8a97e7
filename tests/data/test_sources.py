"""Reading sources: folders of CSV/Parquet/Excel, DuckDB files, SQL URLs; files that cannot be read."""

from __future__ import annotations

import codecs
import gzip
import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from compass_nb import data
from compass_nb.errors import InputError
from tests.data.conftest import ORDERS_HEADER, PRODUCTS, write

ONE_ORDER = ORDERS_HEADER + "2026-10-01,A,DC-North,4,20.0\n"


def test_missing_required_column_names_the_file_and_the_column(folder):
    write(folder, "orders.csv", "order_date,sku,location,net_revenue\n2026-10-01,A,DC-North,20\n")
    with pytest.raises(InputError) as err:
        data.load(folder, tables=["orders"])
    message = str(err.value)
    assert "orders.csv" in message and "'quantity'" in message and "missing" in message


def test_empty_file_is_refused_with_its_name(folder):
    write(folder, "orders.csv", "")
    with pytest.raises(InputError, match=r"orders\.csv is empty"):
        data.load(folder)


def test_file_of_blank_lines_counts_as_empty(folder):
    write(folder, "orders.csv", "\n\n  \n")
    with pytest.raises(InputError, match=r"orders\.csv is empty"):
        data.load(folder)


def test_header_only_file_is_a_table_without_rows(folder):
    write(folder, "orders.csv", ORDERS_HEADER)
    loaded = data.load(folder, period="2026-10")
    assert loaded.rows_read["orders"] == 0
    assert loaded.tables["orders"].empty


def test_unknown_table_name_in_folder_is_refused_with_the_valid_names(folder):
    write(folder, "sales.csv", ONE_ORDER)
    with pytest.raises(InputError) as err:
        data.load(folder)
    assert "sales.csv" in str(err.value) and "orders" in str(err.value)


def test_files_that_are_not_tables_are_ignored(folder):
    write(folder, "README.txt", "notes")
    write(folder, "orders.csv", ONE_ORDER)
    assert data.load(folder).rows_read == {"products": 3, "orders": 1}


def test_asking_for_a_table_the_source_lacks_says_which_file_is_expected(folder):
    with pytest.raises(InputError, match=r"no orders table: expected orders\.csv"):
        data.load(folder, tables=["orders"])


def test_latin1_bytes_without_encoding_suggest_setting_it(folder):
    write(
        folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,Düsseldorf,4,20.0\n", encoding="latin-1"
    )
    with pytest.raises(InputError) as err:
        data.load(folder)
    message = str(err.value)
    assert "orders.csv" in message and "utf-8" in message
    assert "--set encoding.orders=latin-1" in message  # this file's setting, not every file's


def test_latin1_bytes_in_the_header_are_refused_too(folder):
    write(
        folder,
        "orders.csv",
        "order_date,sku,location,quantity,net_revenue,région\n",
        encoding="latin-1",
    )
    with pytest.raises(InputError, match=r"orders\.csv.*line 1.*encoding\.orders=latin-1"):
        data.load(folder)


def test_latin1_text_loads_with_the_encoding_parameter(folder):
    write(
        folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,Düsseldorf,4,20.0\n", encoding="latin-1"
    )
    loaded = data.load(folder, encoding="latin-1", period="2026-10")
    assert loaded.tables["orders"]["location"].tolist() == ["Düsseldorf"]


def test_windows_1252_bytes_suggest_cp1252(folder):
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + "2026-10-01,A,DC-North,4,20.0,\u20ac\n",
        encoding="cp1252",
    )
    with pytest.raises(InputError, match=r"encoding\.orders=cp1252"):
        data.load(folder)


def test_unknown_encoding_name_is_refused(folder):
    write(folder, "orders.csv", ONE_ORDER)
    with pytest.raises(InputError, match="Unknown encoding 'klingon'"):
        data.load(folder, encoding="klingon")


def test_bom_is_stripped_from_the_first_column_name(folder):
    write(folder, "orders.csv", b"\xef\xbb\xbf" + ONE_ORDER.encode())
    loaded = data.load(folder, period="2026-10")
    assert loaded.tables["orders"]["order_date"].tolist() == [pd.Timestamp("2026-10-01")]
    assert loaded.quarantine.empty


def test_semicolon_delimited_file_loads_with_decimal_commas(folder):
    write(
        folder,
        "orders.csv",
        "order_date;sku;location;quantity;net_revenue\n2026-10-01;A;DC-North;4;20,5\n",
    )
    loaded = data.load(folder, period="2026-10")
    row = loaded.tables["orders"].iloc[0]
    assert (row["sku"], row["quantity"], row["net_revenue"]) == ("A", 4.0, 20.5)


def test_upper_case_headers_and_extra_columns_are_kept_lower_cased(folder):
    write(
        folder,
        "orders.csv",
        "Order_Date,SKU,Location,Quantity,Net_Revenue,Promo\n2026-10-01,A,DC-North,4,20,yes\n",
    )
    frame = data.load(folder, period="2026-10").tables["orders"]
    assert list(frame.columns[:5]) == ["order_date", "sku", "location", "quantity", "net_revenue"]
    assert frame["promo"].tolist() == ["yes"]


def test_duplicate_header_of_a_contract_column_is_refused(folder):
    write(
        folder,
        "orders.csv",
        "order_date,sku,sku,location,quantity,net_revenue\n2026-10-01,A,B,DC,4,20\n",
    )
    with pytest.raises(InputError, match=r"orders\.csv: the column 'sku' appears more than once"):
        data.load(folder)


def test_duplicate_header_of_an_extra_column_is_kept_with_a_suffix(folder):
    write(folder, "orders.csv", ORDERS_HEADER.strip() + ",note,note\n2026-10-01,A,DC,4,20,x,y\n")
    frame = data.load(folder, period="2026-10").tables["orders"]
    assert frame[["note", "note_2"]].iloc[0].tolist() == ["x", "y"]


def test_blank_lines_are_skipped_and_row_numbers_still_match_the_file(folder):
    text = "\n" + ORDERS_HEADER + "2026-10-01,A,DC,4,20\n\n\n2026-10-02,A,DC,-4,20\n"
    write(folder, "orders.csv", text)
    loaded = data.load(folder, period="2026-10")
    assert loaded.rows_read["orders"] == 2
    assert loaded.quarantine["row"].tolist() == [6]  # line 6 of the file holds the -4


def test_excel_workbook_loads_with_excel_row_numbers(folder):
    frame = pd.DataFrame(
        {
            "order_date": ["2026-10-01", "2026-10-02"],
            "sku": ["A", "Z"],
            "location": ["DC", "DC"],
            "quantity": [4, 5],
            "net_revenue": [20.0, 25.0],
        }
    )
    frame.to_excel(folder / "orders.xlsx", index=False)
    loaded = data.load(folder, period="2026-10")
    assert loaded.rows_accepted["orders"] == 1
    assert loaded.quarantine[["file", "row", "reason"]].values.tolist() == [
        ["orders.xlsx", 3, "unknown sku"]
    ]


def test_unreadable_excel_file_is_refused_with_its_name(folder):
    write(folder, "orders.xlsx", b"this is not a workbook")
    with pytest.raises(InputError, match=r"orders\.xlsx cannot be read as an Excel workbook"):
        data.load(folder)


def test_parquet_file_loads_typed_columns(folder):
    frame = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2026-10-01", "2026-11-02"]),
            "sku": ["A", "B"],
            "location": ["DC", "DC"],
            "quantity": [4.0, float("nan")],
            "net_revenue": [20.0, 25.0],
        }
    )
    frame.to_parquet(folder / "orders.parquet")
    loaded = data.load(folder, period="2026-10")
    assert loaded.rows_read["orders"] == 2
    assert loaded.quarantine[["row", "column", "reason"]].values.tolist() == [
        [2, "quantity", "missing value"]
    ]
    assert loaded.tables["orders"]["quantity"].tolist() == [4.0]


def test_broken_parquet_file_is_refused_with_its_name(folder):
    write(folder, "orders.parquet", b"PAR1 not really")
    with pytest.raises(InputError, match=r"orders\.parquet cannot be read as Parquet"):
        data.load(folder)


def test_two_files_for_one_table_are_refused(folder):
    write(folder, "orders.csv", ONE_ORDER)
    pd.read_csv(folder / "orders.csv").to_parquet(folder / "orders.parquet")
    with pytest.raises(InputError, match="keep one of them"):
        data.load(folder)


def test_duckdb_file_source_reads_tables_by_name(tmp_path):
    path = tmp_path / "erp.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE products AS SELECT * FROM read_csv(?)",
            [str(write(tmp_path, "p.csv", PRODUCTS))],
        )
        con.execute(
            "CREATE TABLE ORDERS AS SELECT DATE '2026-10-01' AS order_date, 'C' AS sku, 'DC' AS location, "
            "2 AS quantity, 4.0 AS net_revenue"
        )
    loaded = data.load(path, period="2026-10")
    assert loaded.tables["orders"][["sku", "quantity"]].values.tolist() == [["C", 2.0]]
    assert loaded.rows_read == {"products": 3, "orders": 1}


def test_sql_url_takes_credentials_from_the_environment(tmp_path, monkeypatch):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path}/crm.db")
    pd.read_csv(write(tmp_path, "p.csv", PRODUCTS)).to_sql("products", engine, index=False)
    engine.dispose()
    monkeypatch.setenv("COMPASS_TEST_DIR", str(tmp_path))
    loaded = data.load("sqlite:///${COMPASS_TEST_DIR}/crm.db", period="2026-10")
    assert loaded.tables["products"]["sku"].tolist() == ["A", "B", "C"]


def test_source_without_dated_tables_needs_an_explicit_period(folder):
    with pytest.raises(InputError, match="Set the period, e.g. --period 2026-10"):
        data.load(folder)


def test_sql_url_with_an_unset_variable_names_it():
    with pytest.raises(InputError, match="environment variable DB_PASSWORD_UNSET is not set"):
        data.load("postgresql://ana:${DB_PASSWORD_UNSET}@db.example/sales")


def test_mask_credentials_hides_passwords_in_urls_only():
    text = "source postgresql://ana:s3cr%40t@db:5432/sales and https://example.org/a:b"
    assert (
        data.mask_credentials(text)
        == "source postgresql://ana:***@db:5432/sales and https://example.org/a:b"
    )


def test_missing_source_is_refused_with_what_a_source_can_be(tmp_path):
    with pytest.raises(InputError, match="does not exist: give demo, demo:small, a folder"):
        data.load(tmp_path / "nowhere")


def test_file_fingerprint_is_the_sha256_of_its_bytes(folder):
    path = write(folder, "orders.csv", ONE_ORDER)
    loaded = data.load(folder, period="2026-10")
    assert loaded.fingerprints["orders"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_source_fingerprint_changes_when_a_file_changes(folder: Path):
    write(folder, "orders.csv", ONE_ORDER)
    before = data.source_fingerprint(folder)
    write(folder, "orders.csv", ONE_ORDER.replace(",4,", ",5,"))
    assert data.source_fingerprint(folder) != before
    assert data.source_fingerprint(folder) == data.source_fingerprint(folder)


def test_demo_written_as_files_loads_like_the_demo_in_memory(tmp_path):
    from compass_nb.data.demo import write_demo

    write_demo(tmp_path, profile="small")
    from_files = data.load(tmp_path, tables=["orders", "opportunities", "reps"])
    in_memory = data.load("demo:small", tables=["orders", "opportunities", "reps"])
    assert from_files.period == in_memory.period == "2026-10"
    assert from_files.rows_read == in_memory.rows_read
    assert from_files.quarantine.empty and in_memory.quarantine.empty
    pd.testing.assert_frame_equal(
        data.monthly_orders(from_files).monthly, data.monthly_orders(in_memory).monthly
    )
    for table in ("opportunities", "reps"):
        a = from_files.tables[table].sort_values(
            from_files.tables[table].columns[0], ignore_index=True
        )
        b = in_memory.tables[table].sort_values(
            in_memory.tables[table].columns[0], ignore_index=True
        )
        assert a.shape == b.shape, table


def test_demo_fingerprint_names_the_profile_and_generator_version():
    from compass_nb.data.demo import GENERATOR_VERSION

    small = data.source_fingerprint("demo:small")
    assert small == data.source_fingerprint("demo:small")
    assert small != data.source_fingerprint("demo")
    loaded = data.load("demo:small", tables=["products"], period="2026-10")
    expected = f"demo:small:{GENERATOR_VERSION}:products".encode()
    assert loaded.fingerprints["products"] == hashlib.sha256(expected).hexdigest()


def test_referenced_tables_are_loaded_and_returned_with_the_asked_ones(folder):
    write(folder, "orders.csv", ONE_ORDER)
    loaded = data.load(folder, tables=["orders"], period="2026-10")
    assert list(loaded.tables) == ["products", "orders"] == list(loaded.rows_read)


def test_month_to_date_orders_are_none_without_an_orders_table(folder):
    assert data.load(folder, period="2026-10").mtd_orders is None


# -- issue 17 --------------------------------------------------------------------------------
def _products_with_accents(folder: Path) -> None:
    write(folder, "products.csv", PRODUCTS.replace("Kitchen", "Küche"))


def test_each_file_is_read_in_its_own_encoding(folder):
    """Defect 7: one encoding for every file made following a hint for one break the others."""
    _products_with_accents(folder)
    write(
        folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,Düsseldorf,4,20.0\n", encoding="cp1252"
    )
    for setting in ({"orders": "cp1252"}, "cp1252", {"default": "cp1252"}):
        loaded = data.load(folder, encoding=setting, period="2026-10")
        assert loaded.tables["products"]["family"].tolist() == ["Outdoor", "Outdoor", "Küche"]
        assert loaded.tables["orders"]["location"].tolist() == ["Düsseldorf"]
        assert loaded.encodings == {"products": "utf-8", "orders": "cp1252"}


def test_a_single_byte_setting_never_garbles_a_utf8_file(folder):
    _products_with_accents(folder)
    loaded = data.load(folder, encoding="latin-1", period="2026-10")
    assert loaded.tables["products"]["family"].tolist()[-1] == "Küche"  # not "KÃ¼che"


def test_the_default_period_honours_the_encoding_of_each_file(folder):
    write(
        folder,
        "orders.csv",
        "order_date,sku,location,quantity,net_revenue,région\n2026-10-31,A,DC,4,20.0,é\n",
        encoding="latin-1",
    )
    with pytest.raises(InputError, match=r"encoding\.orders=latin-1"):
        data.latest_complete_period(folder)
    assert data.latest_complete_period(folder, encoding={"orders": "latin-1"}) == "2026-10"
    assert data.load(folder, encoding={"orders": "latin-1"}).period == "2026-10"


def test_an_encoding_setting_naming_no_table_or_codec_is_refused(folder):
    with pytest.raises(InputError, match="'order', which is not an input table"):
        data.load(folder, encoding={"order": "latin-1"})
    with pytest.raises(InputError, match="Unknown encoding 'klingon' \\(encoding of products\\)"):
        data.load(folder, encoding={"products": "klingon"})


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16", "utf-32"])
def test_utf16_and_utf32_files_are_read_with_or_without_a_bom(folder, codec):
    """Defect 15: UTF-16 without a BOM printed NUL-garbled column names."""
    write(folder, "orders.csv", ONE_ORDER.replace("DC-North", "Köln"), encoding=codec)
    loaded = data.load(folder, period="2026-10")
    assert loaded.tables["orders"][["location", "quantity"]].values.tolist() == [["Köln", 4.0]]
    assert loaded.quarantine.empty


@pytest.mark.parametrize(
    ("content", "what"),
    [
        pytest.param(
            gzip.compress(ONE_ORDER.encode(), mtime=0),
            "is a gzip-compressed file: decompress it",
            id="gzip",
        ),
        (b"PK\x03\x04" + bytes(range(256)), "is a ZIP archive"),
        (b"PAR1" + bytes(200), "is a Parquet file: rename it"),
        (bytes(range(256)) * 4, "is binary data, not text"),
    ],
)
def test_compressed_or_binary_files_say_what_they_are_whatever_the_encoding(folder, content, what):
    """Defect 15: binary or gzip files got an encoding hint that led in a circle."""
    write(folder, "orders.csv", content)
    for encoding in ("utf-8", "latin-1", "cp1252"):
        with pytest.raises(InputError) as err:
            data.load(folder, encoding=encoding)
        assert str(err.value).startswith(f"orders.csv {what}")
        assert "encoding" not in str(err.value)


def test_a_stray_nul_byte_is_text_not_binary(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC\x00,4,20\n" * 3)
    assert data.load(folder, period="2026-10").tables["orders"]["location"].tolist() == ["DC"] * 3


LINES = "2026-10-01,A,DC,1,2|2026-10-02,B,DC,-1,2|2026-10-03,Q,DC,3,2|2026-10-04,A,DC,x,2|2026-10-05,C,DC,5,2"


@pytest.mark.parametrize(
    "ends",
    [
        ["\n"] * 3 + ["\r\n"] * 2,
        ["\r\n"] * 3 + ["\n"] * 2,
        ["\r"] * 5,
        ["\n", "\r", "\r\n", "\n", "\r"],
    ],
)
def test_mixed_line_endings_load_and_quarantine_exactly_like_uniform_ones(folder, ends):
    """Defect 17: rows appended with \\r\\n stopped the run with the parser's dump."""
    rows = LINES.split("|")
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + "".join(r + e for r, e in zip(rows, ends, strict=True)),
    )
    mixed = data.load(folder)
    expected = [[3, "negative quantity"], [4, "unknown sku"], [5, "wrong type (expected a number)"]]
    assert mixed.period == "2026-09"
    assert mixed.quarantine[["row", "reason"]].values.tolist() == expected
    assert data.latest_complete_period(folder) == "2026-09"
    streamed = data.monthly_orders(folder, period="2026-10")
    assert streamed.quarantine[["row", "reason"]].values.tolist() == expected
    assert streamed.monthly["quantity"].tolist() == [1.0, 5.0]
    write(folder, "orders.csv", ORDERS_HEADER + "\n".join(rows) + "\n")
    uniform = data.load(folder, period="2026-10")
    pd.testing.assert_frame_equal(
        data.load(folder, period="2026-10").quarantine, uniform.quarantine
    )
    pd.testing.assert_frame_equal(mixed.at("2026-10").tables["orders"], uniform.tables["orders"])


def test_a_file_the_database_parser_refuses_is_read_by_pythons_csv_module(folder, monkeypatch):
    """Defect 17: the database parser's strictness never stops a run, nor shows its dump."""
    from compass_nb.data import validate

    real = validate.check_table

    def strict_parser(con, contract, raw, today=None):
        if raw.from_sql.startswith("read_csv"):
            raise duckdb.InvalidInputException("CSV Parser state machine reached an invalid state")
        return real(con, contract, raw, today)

    rows = LINES.replace("|", "\n") + "\n"
    write(folder, "orders.csv", ORDERS_HEADER + rows + "2026-10-06,A\n")
    expected = data.load(folder, period="2026-10")
    monkeypatch.setattr(validate, "check_table", strict_parser)
    lenient = data.load(folder, period="2026-10")
    pd.testing.assert_frame_equal(lenient.quarantine, expected.quarantine)
    pd.testing.assert_frame_equal(lenient.tables["orders"], expected.tables["orders"])
    assert lenient.rows_read == expected.rows_read == {"products": 3, "orders": 6}


def test_a_file_no_parser_reads_is_one_message_of_our_own(folder, monkeypatch):
    from compass_nb.data import validate

    def broken(*args, **kwargs):
        raise duckdb.InvalidInputException("Invalid Input Error: ... Possible fixes: ...")

    write(folder, "orders.csv", ONE_ORDER)
    monkeypatch.setattr(validate, "check_table", broken)
    with pytest.raises(InputError) as err:
        data.load(folder, period="2026-10")
    message = str(err.value)
    assert message.startswith("products.csv cannot be read as the products table")
    assert "Possible fixes" not in message and "Invalid Input Error" not in message


def test_a_utf8_bom_ahead_of_another_encoding_follows_the_files_setting(folder):
    text = ORDERS_HEADER + "2026-10-01,A,Düsseldorf,4,20.0\n"
    write(folder, "orders.csv", codecs.BOM_UTF8 + text.encode("cp1252"))
    with pytest.raises(InputError, match=r"not valid utf-8 text.*--set encoding\.orders="):
        data.load(folder, period="2026-10")
    loaded = data.load(folder, period="2026-10", encoding={"orders": "cp1252"})
    assert loaded.tables["orders"]["location"].tolist() == ["Düsseldorf"]


def test_a_header_with_a_nul_byte_is_named_as_such(folder):
    write(folder, "orders.csv", ORDERS_HEADER.replace("sku", "sku\x00") + "2026-10-01,A,DC,4,20\n")
    with pytest.raises(InputError, match=r"orders\.csv: the header line \(line 1\) holds control"):
        data.load(folder, period="2026-10")
