"""A PostgreSQL source, against a real server the test starts (``benchmarks/pgcluster.py``).

Orders are validated and summed by month inside PostgreSQL (pushdown); the outcome must
be the one the DuckDB path gives on the same table, read whole.
"""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks import pgcluster
from compass_nb import data
from compass_nb.data import sources

pytestmark = pytest.mark.skipif(
    pgcluster.unavailable() is not None, reason=str(pgcluster.unavailable())
)

PRODUCTS = "sku,family,unit_cost,unit_price,lead_time_days\nA,Outdoor,2,5,14\nB,Outdoor,3,7.5,21\nC,Kitchen,1,2,7\n"
ORDERS = (
    "order_date,sku,location,quantity,net_revenue,customer_id\n"
    "2026-08-03,A,DC-North,4,20,c1\n"
    "2026-08-17,a ,dc-north,1,5,c2\n"  # spelt otherwise: the same SKU and location
    "2026-09-01,B,DC-South,2,15,c1\n"
    "2026-09-02,B,DC-South,-1,-7.5,c3\n"  # negative quantity
    "2026-09-05,Z,DC-South,1,3,c3\n"  # unknown SKU
    "2026-09-06,C,,1,2,c3\n"  # missing location
    "2026-09-30,C,DC-West,NaN,2,c4\n"  # NaN quantity: missing
    "2026-10-01,C,DC-West,3,6,c4\n"  # after the cut-off of 2026-09
    "2027-06-01,C,DC-West,3,6,c4\n"  # in the future
    "2026-09-12,A,DC-North,1e13,5,c5\n"  # above the bound of units
)
TYPES = {
    "products": "sku text, family text, unit_cost numeric, unit_price numeric, lead_time_days integer",
    "orders": "order_date date, sku text, location text, quantity float8, net_revenue numeric, customer_id text",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pg-csv")
    (folder / "products.csv").write_text(PRODUCTS)
    (folder / "orders.csv").write_text(ORDERS)
    with pgcluster.cluster(port=54331) as url:
        for table in ("products", "orders"):
            pgcluster.copy_csv(url, table, TYPES[table], folder / f"{table}.csv")
        yield url


def test_orders_are_validated_and_summed_in_postgresql_as_duckdb_would(database, monkeypatch):
    today = "2026-11-15"
    # the DuckDB path: the tables read whole, checked and summed in DuckDB
    whole = data.load(database, period="2026-09", tables=["orders"], today=today)
    expected = data.monthly_orders(whole)
    read = sources.SQLSource.frame

    def no_whole_orders(self, table):
        assert table != "orders", "the orders table was read whole"
        return read(self, table)

    monkeypatch.setattr(sources.SQLSource, "frame", no_whole_orders)
    pushed = data.monthly_orders(database, period="2026-09", today=today)
    pd.testing.assert_frame_equal(pushed.monthly, expected.monthly, check_dtype=False)
    # hand-worked: A at DC-North in August is 4 + 1 units (two spellings), 25 of revenue
    august = pushed.monthly.loc[pushed.monthly["month"] == "2026-08"]
    assert august[["sku", "location", "quantity", "net_revenue", "lines"]].values.tolist() == [
        ["A", "DC-North", 5.0, 25.0, 2]
    ]
    columns = ["table", "row", "column", "value", "reason"]
    # read whole through pandas, a date column arrives as a timestamp: shown with its midnight
    whole_shown = expected.quarantine.assign(
        value=expected.quarantine["value"].str.replace(" 00:00:00", "")
    )
    assert pushed.quarantine[columns].values.tolist() == whole_shown[columns].values.tolist()
    assert pushed.quarantine.loc[pushed.quarantine["table"] == "orders", "reason"].tolist() == [
        "negative quantity",
        "unknown sku",
        "missing value",
        "missing value",
        "dated in the future (after today, 2026-11-15)",
        "out of range (above 1,000,000,000,000)",
    ]
    assert pushed.rows_read == expected.rows_read == {"products": 3, "orders": 10}
    assert pushed.rows_accepted == expected.rows_accepted


def test_the_default_period_and_the_fingerprint_come_from_the_database(database, monkeypatch):
    read = sources.SQLSource.frame
    monkeypatch.setattr(
        sources.SQLSource,
        "frame",
        lambda self, t: pytest.fail("read orders whole") if t == "orders" else read(self, t),
    )
    pushed = data.monthly_orders(database, today="2026-11-15")
    assert pushed.period == "2026-09"  # valid orders run to 2026-10-01
    again = data.monthly_orders(database, today="2026-11-15")
    assert pushed.fingerprints == again.fingerprints and len(pushed.fingerprints) == 2


def test_a_postgresql_source_loads_like_any_other(database):
    loaded = data.load(database, period="2026-09", today="2026-11-15")
    assert set(loaded.tables) == {"products", "orders"}
    assert len(loaded.tables["orders"]) == 3  # the valid orders of August and September
