"""Monthly orders: clean orders summed by SKU × location × month, up to the cut-off.

:func:`monthly_orders` is the one function for it. Given a :class:`~compass_nb.data.Loaded`
it sums the loaded orders in DuckDB. Given a source, it avoids the copy that
:func:`compass_nb.data.load` makes of a big ``orders.csv`` (for ten million lines that copy
costs as much as reading the file): the file is read once, typed, with row numbers
streamed alongside, and the same contract checks and SKU reference run in the same query
that groups the rows. Identifier spellings (case, stray blanks) are settled on the
grouped result, the way :func:`~compass_nb.data.validate.canonical_spellings` settles
them for ``load``; lines DuckDB cannot convert are re-read as text and judged by the
usual validator. So the outcome — totals, quarantine, counts — is the one ``load`` gives.
A file DuckDB's parser refuses goes through ``load``, which reads it with Python's csv
module.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from compass_nb.data import cutoff as cut
from compass_nb.data import validate as val
from compass_nb.data.contracts import CONTRACTS
from compass_nb.data.loader import (
    Loaded,
    _checked_period,
    _checked_tables,
    _connection,
    _no_dates_message,
    load,
)
from compass_nb.data.mapping import as_inputs
from compass_nb.data.sources import (
    FolderSource,
    csv_table,
    encoding_for,
    frame_table,
    open_source,
    remove_temporary,
)
from compass_nb.errors import InputError

MONTHLY_COLUMNS = ["sku", "location", "month", "quantity", "net_revenue", "lines"]


@dataclass
class MonthlyOrders:
    """Clean orders summed by SKU × location × month up to the cut-off, with the quarantine."""

    monthly: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: dict[str, int]
    rows_accepted: dict[str, int]
    period: str
    fingerprints: dict[str, str]


def monthly_orders(
    data: Loaded | str | os.PathLike | dict,
    *,
    period: str | None = None,
    encoding: str | dict[str, str] = "utf-8",
    threads: int | None = None,
    today: str | pd.Timestamp | None = None,
    inputs: dict | None = None,
) -> MonthlyOrders:
    """Clean orders summed by SKU × location × month, up to the cut-off, computed in DuckDB.

    Parameters
    ----------
    data
        A :class:`~compass_nb.data.Loaded` holding ``orders`` (its period, quarantine and
        counts are used), or a source: a folder holding ``orders.csv`` is read in one
        streaming pass, any other source goes through :func:`~compass_nb.data.load`.
    period, encoding, threads, today, inputs
        As for :func:`~compass_nb.data.load`, when ``data`` is a source. Orders read through
        a mapping (``inputs``) go through :func:`~compass_nb.data.load`; a database that
        can run the aggregation (PostgreSQL) runs it there
        (:mod:`compass_nb.data.pushdown`).

    Returns
    -------
    MonthlyOrders
        ``monthly``: ``sku, location, month`` (``YYYY-MM``), ``quantity``, ``net_revenue``,
        ``lines``, sorted by the first three; the quarantine, counts, period and
        fingerprints of the tables read (``products`` and ``orders``).
    """
    if isinstance(data, Loaded):
        return _from_loaded(data)
    spec = as_inputs(inputs)
    src = open_source(data, spec.files())
    if getattr(src, "pushdown", False):
        from compass_nb.data.pushdown import monthly_orders_in_database

        return monthly_orders_in_database(src, period=period, today=today, inputs=spec)
    path = src.files.get("orders") if isinstance(src, FolderSource) else None
    if path is None or path.suffix.lower() != ".csv" or spec.mapping("orders") is not None:
        return _through_load(src, period, encoding, threads, today, spec)
    today = pd.Timestamp(today).normalize() if today is not None else src.today()
    if period is not None:
        period = _checked_period(period, today)
    con = _connection(threads)
    checks: dict[str, val.TableCheck] = {}
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            tables = [t for t in ("products", "orders") if t in src.names()]
            hashes = {t: pool.submit(src.fingerprint, t) for t in tables}
            vocabularies: dict[str, dict[str, str]] = {}
            checks = _checked_tables(con, src, tables[:-1], encoding, today, vocabularies)
            try:
                result = _stream_orders(
                    con, path, encoding_for(encoding, "orders"), checks, vocabularies, today
                )
            except duckdb.Error:  # the parser's strictness: load reads it the lenient way
                return _through_load(src, period, encoding, threads, today)
            fingerprints = {t: hashes[t].result() for t in tables}
        if period is None:
            if result.last_date is None:
                raise InputError(_no_dates_message(src.label))
            period = cut.complete_period(result.last_date)
        monthly = result.monthly.loc[result.monthly["month"] <= period].reset_index(drop=True)
        quarantine = pd.concat(
            [val.quarantine_rows(con, c) for c in checks.values()] + [result.quarantine]
        ).reset_index(drop=True)
        rows_read = {t: c.rows_read for t, c in checks.items()} | {"orders": result.rows_read}
        accepted = {t: c.rows_accepted for t, c in checks.items()} | {"orders": result.accepted}
        return MonthlyOrders(monthly, quarantine, rows_read, accepted, period, fingerprints)
    finally:
        for check in checks.values():
            remove_temporary(check.raw)
        con.close()


def _from_loaded(loaded: Loaded) -> MonthlyOrders:
    monthly = loaded.con.sql(
        f"SELECT sku, location, strftime(order_date, '%Y-%m') AS month, sum(quantity) AS quantity, "
        f"sum(net_revenue) AS net_revenue, count(*) AS lines FROM {loaded.view('orders')} "
        f"GROUP BY ALL ORDER BY sku, location, month"
    ).df()
    return MonthlyOrders(
        monthly,
        loaded.quarantine,
        loaded.rows_read,
        loaded.rows_accepted,
        loaded.period,
        loaded.fingerprints,
    )


def _through_load(source, period, encoding, threads, today, inputs=None) -> MonthlyOrders:
    loaded = load(
        source,
        period=period,
        tables=["orders"],
        encoding=encoding,
        threads=threads,
        today=today,
        inputs=inputs,
    )
    try:
        return _from_loaded(loaded)
    finally:
        loaded.close()


@dataclass
class _Streamed:
    file: str
    monthly: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    accepted: int
    last_date: pd.Timestamp | None


def _grouped_sql(rows: str, unknown_code: int | None) -> str:
    """Rows grouped by SKU, location and (for rows kept) month.

    A row is kept when it passed every check, or failed only the SKU reference
    (``unknown``: its SKU may turn out to be a known one spelt differently). Every group
    holds its first position (for first-seen spellings); the rejected rows of a group are
    listed (position, fault code, shown value).
    """
    unknown = f"coalesce({val.CODE} = {unknown_code}, false)" if unknown_code else "false"
    keep = f"({val.CODE} IS NULL OR {unknown})"
    listed = f"({val.CODE} IS NOT NULL)"
    return (
        f"SELECT sku, location, CASE WHEN {keep} THEN strftime(order_date, '%Y-%m') END AS month, "
        f"{keep} AS kept, {unknown} AS unknown, "
        f"sum(quantity) FILTER (WHERE {keep}) AS quantity, "
        f"sum(net_revenue) FILTER (WHERE {keep}) AS net_revenue, "
        f"count(*) FILTER (WHERE {keep}) AS lines, count(*) AS parsed, "
        f"max(order_date) FILTER (WHERE {keep}) AS last_date, min({val.ORDINAL}) AS first, "
        f"list({val.ORDINAL} ORDER BY {val.ORDINAL}) FILTER (WHERE {listed}) AS bad_ord, "
        f"list({val.CODE} ORDER BY {val.ORDINAL}) FILTER (WHERE {listed}) AS bad_code, "
        f"list({val.REASON_VALUE} ORDER BY {val.ORDINAL}) FILTER (WHERE {listed}) AS bad_value "
        f"FROM ({rows}) GROUP BY ALL"
    )


def _unknown_code(faults: list[val.Fault]) -> int | None:
    codes = [i + 1 for i, f in enumerate(faults) if f.reason == "unknown sku"]
    return codes[0] if codes else None


def _flatten(groups: pd.DataFrame, column: str, dtype=None) -> np.ndarray | list:
    values = [v for v in groups[column] if isinstance(v, list | np.ndarray)]
    if dtype is None:
        return [x for v in values for x in v]
    return np.concatenate([np.asarray(v, dtype=dtype) for v in values] or [np.array([], dtype)])


@dataclass
class _Part:
    """Grouped rows of one reading of the file, and the table that numbers its rows."""

    groups: pd.DataFrame
    raw: object
    faults: list[val.Fault]


def _stream_orders(
    con: duckdb.DuckDBPyConnection,
    path,
    encoding: str,
    checks: dict[str, val.TableCheck],
    vocabularies: dict[str, dict[str, str]],
    today: pd.Timestamp | None,
) -> _Streamed:
    contract = CONTRACTS["orders"]
    day = today.date().isoformat() if today is not None else None
    keys = {t: c.checked for t, c in checks.items()}
    raw = csv_table("orders", path, encoding, con, typed=True)
    try:
        sql, faults, _ = val.checked_sql(contract, raw, day)
        rows = val.row_faults_sql(contract, faults, f"({sql})", keys)
        groups = con.sql(_grouped_sql(rows, _unknown_code(faults))).df()
        parsed = int(groups["parsed"].sum())
        raw.after_read(con, parsed)
        parts = [_Part(groups, raw, faults)]
        recovered = raw.recovered if raw.recovered is not None else pd.DataFrame()
        if len(recovered):
            parts.append(_recovered_part(con, raw, keys, day))
        rows_read = parsed + len(recovered) + len(raw.malformed)
        return _settled(raw, parts, vocabularies, "products" in checks, rows_read)
    finally:
        remove_temporary(raw)


def _recovered_part(con, raw, keys: dict[str, str], day: str | None) -> _Part:
    """Lines DuckDB could not convert, validated as text like ``load`` would, grouped."""
    contract = CONTRACTS["orders"]
    frame_raw = frame_table("orders", raw.file, raw.recovered, con)
    frame_raw.decimal_comma = raw.decimal_comma
    lines = raw.unit_lines(raw.recovered_lines)
    frame_raw.row_numbers = lambda o: lines[np.asarray(o, dtype="int64")]
    sql, faults, _ = val.checked_sql(contract, frame_raw, day)
    con.execute(f"CREATE OR REPLACE TABLE recovered_orders AS {sql}")
    rows = val.row_faults_sql(
        contract, faults, f"(SELECT rowid AS {val.ORDINAL}, * FROM recovered_orders)", keys
    )
    return _Part(con.sql(_grouped_sql(rows, _unknown_code(faults))).df(), frame_raw, faults)


def _spellings(parts: list[_Part], column: str) -> pd.DataFrame:
    """Each distinct spelling of ``column`` with the file line of its first row.

    Lines are worked out (a scan of the file, at worst) only when two spellings of one
    identifier compete; otherwise which came first does not matter.
    """
    found = pd.concat(
        [
            p.groups.loc[p.groups[column].notna(), [column, "first"]].assign(part=i)
            for i, p in enumerate(parts)
        ],
        ignore_index=True,
    )
    found = found.groupby([column, "part"], as_index=False)["first"].min()
    folds = found[column].map(val.ident_fold)
    contested = folds.duplicated(keep=False).to_numpy()
    found["line"] = 0
    for i, part in enumerate(parts):
        rows = contested & (found["part"] == i).to_numpy()
        if rows.any():
            found.loc[rows, "line"] = part.raw.row_numbers(found.loc[rows, "first"].to_numpy())
    first = found.groupby(column, as_index=False)["line"].min()
    return first.rename(columns={column: "value", "line": "first"})


def _settled(raw, parts: list[_Part], vocabularies, products: bool, rows_read) -> _Streamed:
    """Monthly totals and the quarantine from the grouped parts, spellings settled as ``load``.

    SKUs take the spelling of ``products`` (an unknown SKU stays as written), locations
    (and SKUs without ``products``) the first spelling in the file; a row whose SKU
    failed the reference only for its spelling is accepted.
    """
    for column in ("sku", "location"):
        changed = val.spelling_map(
            _spellings(parts, column),
            vocabularies.setdefault(column, {}),
            known_only=column == "sku" and products,
        )
        for part in parts:
            part.groups[column] = part.groups[column].map(lambda v, c=changed: c.get(v, v))
    known = set(vocabularies.get("sku", {}).values()) if products else set()
    monthly, quarantines, accepted, last = [], [], 0, None
    for part in parts:
        g = part.groups
        rescued = g["unknown"].astype(bool) & g["sku"].isin(known)
        good = g.loc[g["kept"].astype(bool) & (~g["unknown"].astype(bool) | rescued)]
        bad = g.loc[~rescued & g["bad_ord"].map(lambda v: isinstance(v, list | np.ndarray))]
        check = val.TableCheck(
            "orders", raw.file, "", "", CONTRACTS["orders"].names, part.faults, part.raw
        )
        quarantines.append(
            val.quarantine_frame(
                check,
                _flatten(bad, "bad_ord", "int64"),
                _flatten(bad, "bad_code", "int64"),
                _flatten(bad, "bad_value"),
            )
        )
        monthly.append(good[MONTHLY_COLUMNS])
        accepted += int(good["lines"].sum())
        if len(good) and not pd.isna(good["last_date"].max()):
            day = pd.Timestamp(good["last_date"].max())
            last = day if last is None else max(last, day)
    totals = (
        pd.concat(monthly)
        .groupby(["sku", "location", "month"], as_index=False)[["quantity", "net_revenue", "lines"]]
        .sum()
        .sort_values(["sku", "location", "month"], ignore_index=True)
    )
    totals["lines"] = totals["lines"].astype("int64")
    quarantine = pd.concat(quarantines).sort_values("row", kind="stable", ignore_index=True)
    return _Streamed(raw.file, totals[MONTHLY_COLUMNS], quarantine, rows_read, accepted, last)
