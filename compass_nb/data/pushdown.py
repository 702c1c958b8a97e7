"""PostgreSQL does the work: orders validated and summed by month where they are stored.

For a PostgreSQL source, :func:`compass_nb.data.monthly_orders` does not read the orders
table: the contract's checks (missing values, non-finite numbers, bounds, negative
quantities, dates out of range or in the future, unknown SKUs) become one SQL ``CASE``
run by PostgreSQL, which returns the SKU × location × month totals of the rows that pass
and only the rows that fail (row number, fault, value). The small ``products`` table is
read and checked as any other (its SKUs are the reference). The outcome — totals,
quarantine, counts — is the one :func:`~compass_nb.data.load` gives on the same table
(rows numbered in the table's scan order, as reading it gives them). Identifiers are
compared trimmed and ignoring case, as everywhere: a SKU takes the spelling of
``products``; a location, the smallest of its spellings (a table has no first row).

Pushed down when the orders table is typed (a date or timestamp ``order_date``, numeric
``quantity`` and ``net_revenue``) and read without a column mapping; otherwise the table
is read whole and checked in DuckDB, with the same result.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.data import cutoff as cut
from compass_nb.data import validate as val
from compass_nb.data.contracts import CONTRACTS, NULL_TOKENS, Column
from compass_nb.errors import InputError

_DATE = ("DATE", "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP WITH TIME ZONE")
_NUMBER = (
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "NUMERIC",
    "DECIMAL",
    "REAL",
    "DOUBLE PRECISION",
    "FLOAT",
    "DOUBLE_PRECISION",
)
_TEXT = ("TEXT", "VARCHAR", "CHARACTER VARYING", "CHAR", "CHARACTER")


def _lit(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _kind(sql_type) -> str:
    name = str(sql_type).split("(")[0].strip().upper()
    if name in _DATE or name.startswith("TIMESTAMP"):
        return "date"
    if name in _NUMBER:
        return "float"
    if name in _TEXT:
        return "str"
    return "other"


def fingerprint_in_database(src, table: str) -> str:
    """sha256 over the row count and a sum of row hashes, computed by PostgreSQL."""
    import sqlalchemy as sa

    name = _q(src.tables[table])
    with src.engine.connect() as c:
        n, total = c.execute(
            sa.text(
                f"SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0) FROM {name} AS t"
            )
        ).one()
    return hashlib.sha256(f"{table}:{n}:{total}".encode()).hexdigest()


def _typed_hash(column: str, kind: str, seed: int) -> str:
    """A 64-bit hash of a column's value by its type (no conversion to text)."""
    if kind == "date":
        return f"hashint8extended(CAST(extract(epoch FROM {column}) AS bigint), {seed})"
    if kind == "float":
        return f"hashfloat8extended(CAST({column} AS float8), {seed})"
    return f"hashtextextended(CAST({column} AS text), {seed})"


def _value(column: Column, kind: str) -> str:
    """The column's value as the contract reads it, in PostgreSQL (missing spellings NULL)."""
    col = f"o.{_q(column.name)}"
    if column.type == "date":
        return f"CAST({col} AS date)"
    if column.type == "float":
        return f"CASE WHEN CAST({col} AS float8) = 'NaN'::float8 THEN NULL ELSE CAST({col} AS float8) END"
    tokens = ", ".join(_lit(t) for t in NULL_TOKENS)
    text = f"CAST({col} AS text)"
    trimmed = f"btrim({text})" if column.ident else text
    longest = max(len(t) for t in NULL_TOKENS) + 2
    return (
        f"CASE WHEN {text} IS NULL OR (length({text}) <= {longest} AND "
        f"btrim({text}, E' \\t\\r\\n') IN ({tokens})) THEN NULL ELSE {trimmed} END"
    )


def _checks(column: Column, v: str, today: str | None) -> list[tuple[str, val.Fault]]:
    """The checks :func:`compass_nb.data.validate.column_checks` makes of a typed column, in
    its order and with its reasons, as PostgreSQL conditions."""
    out: list[tuple[str, val.Fault]] = []
    if column.required:
        out.append((f"{v} IS NULL", val.Fault(column.name, "missing value")))
    if column.type == "float":
        out.append(
            (
                f"{v} IN ('Infinity'::float8, '-Infinity'::float8)",
                val.Fault(column.name, "out of range (not a finite number)"),
            )
        )
    if column.type == "date":
        low, high = val.DATE_RANGE
        out.append(
            (
                f"({v} < DATE '{low}' OR {v} > DATE '{high}')",
                val.Fault(column.name, f"out of range (dates {low} to {high})"),
            )
        )
    if today is not None:
        grace = (pd.Timestamp(today) + pd.Timedelta(days=2)).date().isoformat()
        out.append((f"{v} >= DATE '{grace}'", val.Fault(column.name, val.future_reason(today))))
    if column.min is not None:
        out.append((f"{v} < {column.min!r}", val.Fault(column.name, val._below(column))))
    if column.max is not None:
        out.append(
            (
                f"{v} > {column.max!r}",
                val.Fault(column.name, f"out of range (above {val._bound(column.max)})"),
            )
        )
    return out


def _orders_sql(src, known: bool, today: str | None):
    """The fault ``CASE``, the faults it numbers and the typed values (``None``: the table's
    types do not allow the pushdown)."""
    import sqlalchemy as sa

    contract = CONTRACTS["orders"]
    kinds = {
        c["name"].lower(): _kind(c["type"])
        for c in sa.inspect(src.engine).get_columns(src.tables["orders"])
    }
    wanted = {"order_date": "date", "quantity": "float", "net_revenue": "float"}
    if any(kinds.get(name) != kind for name, kind in wanted.items()) or any(
        kinds.get(c) not in ("str", "float") for c in ("sku", "location")
    ):
        return None
    present = [c for c in contract.columns if c.name in kinds]
    exprs = {c.name: _value(c, kinds[c.name]) for c in present}
    values = {name: f"v.{_q('v_' + name)}" for name in exprs}  # each computed once per row
    faults: list[val.Fault] = []
    whens = []
    for c in present:
        for condition, fault in _checks(
            c, values[c.name], today if c.name == contract.cutoff else None
        ):
            faults.append(fault)
            whens.append(f"WHEN {condition} THEN {len(faults)}")
    if known:
        faults.append(val.Fault("sku", "unknown sku"))
        whens.append(f"WHEN {values['sku']} IS NOT NULL AND p.k IS NULL THEN {len(faults)}")
    return f"CASE {' '.join(whens)} END", faults, values, exprs, kinds


def monthly_orders_in_database(src, *, period=None, today=None, inputs=None):
    """:func:`compass_nb.data.monthly_orders` for a PostgreSQL source (see the module docstring)."""
    import sqlalchemy as sa

    from compass_nb.data.loader import _checked_period, _checked_tables, _connection
    from compass_nb.data.stream import MONTHLY_COLUMNS, MonthlyOrders, _through_load

    if "orders" not in src.names():
        raise InputError(f"The source {src.label} has no orders table.")
    today = pd.Timestamp(today).normalize() if today is not None else src.today()
    if period is not None:
        period = _checked_period(period, today)
    day = today.date().isoformat()
    has_products = "products" in src.names()
    built = _orders_sql(src, has_products, day)
    if built is None or (inputs is not None and inputs.mapping("orders") is not None):
        return _through_load(src, period, "utf-8", None, today, inputs)
    fault, faults, values, exprs, kinds = built
    con = _connection(None)
    vocabularies: dict[str, dict[str, str]] = {}
    checks = {}
    try:
        if has_products:
            checks = _checked_tables(con, src, ["products"], "utf-8", today, vocabularies)
        quarantine = [val.quarantine_rows(con, c) for c in checks.values()]
        keys = sorted(vocabularies.get("sku", {}))
    finally:
        con.close()
    join = (
        "LEFT JOIN (SELECT unnest(CAST(:keys AS text[])) AS k) AS p ON p.k = lower("
        f"{values['sku']})"
        if has_products
        else ""
    )
    table = _q(src.tables["orders"])
    typed = ", ".join(f"{e} AS {_q('v_' + n)}" for n, e in exprs.items())
    # OFFSET 0 keeps PostgreSQL from copying each value's expression into every check
    hashed = " # ".join(
        f"coalesce({_typed_hash(f'o.{_q(n)}', kinds[n], i)}, {i})" for i, n in enumerate(exprs)
    )
    rows = f"(SELECT {hashed} AS __h, {typed} FROM {table} AS o OFFSET 0) AS v {join}"
    numbered = (
        f"(SELECT row_number() OVER () AS __r, {typed} FROM {table} AS o OFFSET 0) AS v {join}"
    )

    def ok(expr: str) -> str:
        return f"CASE WHEN code IS NULL THEN {expr} END"

    month = ok(
        "date_trunc('month', CAST(v_order_date AS timestamp))"
    )  # formatted here: to_char is slow
    # one scan: the clean rows' totals by SKU × location × month, one group for the rows
    # that fail (counted), and a hash of every row (the table's fingerprint)
    grouped = (
        f"SELECT code IS NULL AS ok, {ok('lower(v_sku)')} AS sku_k, min({ok('v_sku')}) AS sku, "
        f"{ok('lower(v_location)')} AS loc_k, min({ok('v_location')}) AS location, "
        f"{month} AS month, sum({ok('v_quantity')}) AS quantity, "
        f"sum({ok('v_net_revenue')}) AS net_revenue, count(*) AS lines, "
        f"max({ok('v_order_date')}) AS last_date, sum(__h::numeric) AS hashed "
        f"FROM (SELECT {fault} AS code, v.* FROM {rows} OFFSET 0) AS t GROUP BY 1, 2, 4, 6"
    )
    rejected = (
        f"SELECT __r, code, CASE code {' '.join(_shown_cases(faults, values))} END AS value FROM ("
        f"SELECT v.*, {fault} AS code FROM {numbered}) AS c WHERE code IS NOT NULL ORDER BY __r"
    )
    params = {"keys": keys} if has_products else {}
    columns = ["ok", "sku_k", "sku", "loc_k", "location", "month", "quantity", "net_revenue"]
    columns += ["lines", "last_date", "hashed"]
    try:
        with src.engine.connect() as c:
            c.execute(sa.text("SET work_mem = '256MB'"))  # group in memory, this session only
            found = pd.DataFrame(
                c.execute(sa.text(grouped), params).mappings().all(), columns=columns
            )
            failing = int(found.loc[~found["ok"].astype(bool), "lines"].sum())
            # rows are numbered (a second pass) only when some fail: clean tables pay one scan
            bad = (
                pd.DataFrame(c.execute(sa.text(rejected), params).mappings().all())
                if failing
                else pd.DataFrame(columns=["__r", "code", "value"])
            )
    except Exception as err:  # a type PostgreSQL cannot compare: read the table instead
        from compass_nb.data.sources import _first_line

        raise InputError(
            f"{src.label}: cannot check the orders table: {_first_line(err)}"
        ) from None
    total = int(found["lines"].sum())
    digest = f"orders:{total}:{found['hashed'].astype(object).sum() if total else 0}"
    groups = found.loc[found["ok"].astype(bool)].reset_index(drop=True)
    groups["month"] = to_datetime(groups["month"]).dt.strftime("%Y-%m")
    spelled = vocabularies.get("sku", {})
    groups["sku"] = [spelled.get(k, s) for k, s in zip(groups["sku_k"], groups["sku"], strict=True)]
    groups["location"] = groups.groupby("loc_k")["location"].transform("min")
    if period is None:
        if groups.empty:
            raise InputError(
                f"Cannot tell the latest complete month of {src.label}: no valid dated orders."
            )
        period = cut.complete_period(pd.Timestamp(groups["last_date"].max()))
    monthly = (
        groups.loc[groups["month"] <= period]
        .astype({"quantity": "float64", "net_revenue": "float64", "lines": "int64"})
        .groupby(["sku", "location", "month"], as_index=False)[["quantity", "net_revenue", "lines"]]
        .sum()
        .sort_values(["sku", "location", "month"], ignore_index=True)
    )
    orders_q = pd.DataFrame(
        {
            "table": "orders",
            "file": f"{src.label}#orders",
            "row": bad["__r"].astype("int64").to_numpy(),
            "column": [faults[int(k) - 1].column for k in bad["code"]],
            "value": bad["value"].astype(object).to_numpy(),
            "reason": [faults[int(k) - 1].reason for k in bad["code"]],
        }
    )
    accepted = int(groups["lines"].sum()) if len(groups) else 0
    rows_read = {t: c.rows_read for t, c in checks.items()} | {"orders": accepted + len(bad)}
    rows_ok = {t: c.rows_accepted for t, c in checks.items()} | {"orders": accepted}
    fingerprints = {t: src.fingerprint(t) for t in ["products"] if t in src.names()}
    fingerprints["orders"] = hashlib.sha256(digest.encode()).hexdigest()
    return MonthlyOrders(
        monthly[MONTHLY_COLUMNS],
        pd.concat([*quarantine, orders_q], ignore_index=True)[val.QUARANTINE_COLUMNS],
        rows_read,
        rows_ok,
        period,
        fingerprints,
    )


def _shown_cases(faults: list[val.Fault], values: dict[str, str]) -> list[str]:
    contract = CONTRACTS["orders"]
    out = []
    for code, fault in enumerate(faults, start=1):
        column = contract.column(fault.column)
        shown = f"CAST({_q('v_' + fault.column)} AS text)"
        if column.type == "float":  # as DuckDB writes a double: no trailing .0
            shown = f"regexp_replace({shown}, '\\.0$', '')"
        out.append(f"WHEN {code} THEN {shown}")
    return out


__all__ = ["fingerprint_in_database", "monthly_orders_in_database"]
