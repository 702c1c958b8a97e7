"""Monthly orders straight from a big CSV: validated, quarantined and summed in one pass.

:func:`compass_nb.data.load` copies a CSV into DuckDB so that every table can be handed
out as pandas; for ten million order lines that copy costs as much as reading the file.
When only the SKU × location × month totals are wanted (forecasting, the ingest
benchmark), :func:`monthly_orders` reads ``orders.csv`` once, typed, with row numbers
streamed alongside: the same contract checks and SKU reference run in the same query
that groups the clean rows and collects the rejected ones. Lines DuckDB cannot convert
are re-read as text and judged by the usual validator, so the outcome — totals,
quarantine, counts — is the one ``load`` + ``orders_monthly`` gives.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.data import cutoff as cut
from compass_nb.data import validate as val
from compass_nb.data.contracts import CONTRACTS
from compass_nb.data.loader import _checked_tables, _connection, load, orders_monthly
from compass_nb.data.sources import FolderSource, csv_table, frame_table, open_source
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
    source: str | os.PathLike,
    *,
    period: str | None = None,
    encoding: str = "utf-8",
    threads: int | None = None,
) -> MonthlyOrders:
    """Orders of ``source`` validated and summed by SKU × location × month, up to the cut-off.

    A folder holding ``orders.csv`` is read in one streaming pass; any other source goes
    through :func:`~compass_nb.data.load`. Parameters as for ``load``.
    """
    src = open_source(source)
    if not (isinstance(src, FolderSource) and src.files.get("orders", None) is not None):
        return _through_load(source, period, encoding, threads)
    if src.files["orders"].suffix.lower() != ".csv":
        return _through_load(source, period, encoding, threads)
    con = _connection(threads)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            tables = [t for t in ("products", "orders") if t in src.names()]
            hashes = {t: pool.submit(src.fingerprint, t) for t in tables}
            checks = _checked_tables(con, src, tables[:-1], encoding)
            result = _stream_orders(con, src.files["orders"], encoding, checks)
            fingerprints = {t: hashes[t].result() for t in tables}
        if period is None:
            if result.last_date is None:
                raise InputError(
                    f"{result.file} holds no valid order dates: set the period, e.g. --period 2026-10."
                )
            period = cut.complete_period(result.last_date)
        period = cut.check_period(period)
        monthly = result.monthly.loc[result.monthly["month"] <= period].reset_index(drop=True)
        quarantine = pd.concat(
            [val.quarantine_rows(con, c) for c in checks.values()] + [result.quarantine]
        ).reset_index(drop=True)
        rows_read = {t: c.rows_read for t, c in checks.items()} | {"orders": result.rows_read}
        accepted = {t: c.rows_accepted for t, c in checks.items()} | {"orders": result.accepted}
        return MonthlyOrders(monthly, quarantine, rows_read, accepted, period, fingerprints)
    finally:
        con.close()


def _through_load(source, period, encoding, threads) -> MonthlyOrders:
    loaded = load(source, period=period, tables=["orders"], encoding=encoding, threads=threads)
    return MonthlyOrders(
        orders_monthly(loaded),
        loaded.quarantine,
        loaded.rows_read,
        loaded.rows_accepted,
        loaded.period,
        loaded.fingerprints,
    )


@dataclass
class _Streamed:
    file: str
    monthly: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    accepted: int
    last_date: pd.Timestamp | None


def _grouped_sql(rows: str) -> str:
    ok = f"{val.CODE} IS NULL"
    bad = f"{val.CODE} IS NOT NULL"
    return (
        f"SELECT CASE WHEN {ok} THEN sku END AS sku, CASE WHEN {ok} THEN location END AS location, "
        f"CASE WHEN {ok} THEN strftime(order_date, '%Y-%m') END AS month, "
        f"sum(quantity) FILTER (WHERE {ok}) AS quantity, "
        f"sum(net_revenue) FILTER (WHERE {ok}) AS net_revenue, count(*) FILTER (WHERE {ok}) AS lines, "
        f"count(*) AS parsed, max(order_date) FILTER (WHERE {ok}) AS last_date, "
        f"list({val.ORDINAL} ORDER BY {val.ORDINAL}) FILTER (WHERE {bad}) AS bad_ord, "
        f"list({val.CODE} ORDER BY {val.ORDINAL}) FILTER (WHERE {bad}) AS bad_code, "
        f"list({val.REASON_VALUE} ORDER BY {val.ORDINAL}) FILTER (WHERE {bad}) AS bad_value "
        f"FROM ({rows}) GROUP BY ALL"
    )


def _stream_orders(con, path, encoding: str, checks: dict[str, val.TableCheck]) -> _Streamed:
    contract = CONTRACTS["orders"]
    clean = {t: c.clean for t, c in checks.items()}
    raw = csv_table("orders", path, encoding, con, typed=True)
    sql, faults, _ = val.checked_sql(contract, raw)
    grouped = con.sql(_grouped_sql(val.row_faults_sql(contract, faults, f"({sql})", clean))).df()
    parsed = int(grouped["parsed"].sum())
    raw.after_read(con, parsed)
    good = grouped.loc[grouped["sku"].notna()]
    bad = grouped.loc[grouped["sku"].isna() & grouped["bad_ord"].notna()]
    ordinals = np.concatenate([np.asarray(v, dtype="int64") for v in bad["bad_ord"]] or [[]])
    codes = np.concatenate([np.asarray(v, dtype="int64") for v in bad["bad_code"]] or [[]])
    values = [x for v in bad["bad_value"] for x in v]
    check = val.TableCheck("orders", raw.file, "", "", contract.names, faults, raw)
    quarantine = val.quarantine_frame(check, ordinals.astype("int64"), codes, values)
    monthly = good[MONTHLY_COLUMNS]
    last = good["last_date"].max() if len(good) else None
    accepted = int(good["lines"].sum())
    recovered = raw.recovered if raw.recovered is not None else pd.DataFrame()
    if len(recovered):
        extra_monthly, extra_q, extra_accepted, extra_last = _judge_recovered(con, raw, clean)
        monthly = pd.concat([monthly, extra_monthly])
        quarantine = pd.concat([quarantine, extra_q])
        accepted += extra_accepted
        dates = [d for d in (last, extra_last) if d is not None and not pd.isna(d)]
        last = max(dates) if dates else None
    monthly = (
        monthly.groupby(["sku", "location", "month"], as_index=False)[
            ["quantity", "net_revenue", "lines"]
        ]
        .sum()
        .sort_values(["sku", "location", "month"], ignore_index=True)
    )
    quarantine = quarantine.sort_values("row", kind="stable", ignore_index=True)
    rows_read = parsed + len(recovered) + len(raw.malformed)
    return _Streamed(raw.file, monthly, quarantine, rows_read, accepted, _timestamp(last))


def _timestamp(value) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def _judge_recovered(con, raw, clean: dict[str, str]):
    """Lines DuckDB could not convert, validated as text like ``load`` would."""
    contract = CONTRACTS["orders"]
    frame_raw = frame_table("orders", raw.file, raw.recovered, con)
    frame_raw.decimal_comma = raw.decimal_comma
    lines = raw.unit_lines(raw.recovered_lines)
    frame_raw.row_numbers = lambda o: lines[np.asarray(o, dtype="int64")]
    sql, faults, _ = val.checked_sql(contract, frame_raw)
    con.execute(f"CREATE OR REPLACE TABLE recovered_orders AS {sql}")
    rows = val.row_faults_sql(
        contract, faults, f"(SELECT rowid AS {val.ORDINAL}, * FROM recovered_orders)", clean
    )
    grouped = con.sql(_grouped_sql(rows)).df()
    good = grouped.loc[grouped["sku"].notna()]
    bad = grouped.loc[grouped["sku"].isna() & grouped["bad_ord"].notna()]
    ordinals = np.concatenate([np.asarray(v, dtype="int64") for v in bad["bad_ord"]] or [[]])
    codes = np.concatenate([np.asarray(v, dtype="int64") for v in bad["bad_code"]] or [[]])
    values = [x for v in bad["bad_value"] for x in v]
    check = val.TableCheck("orders", raw.file, "", "", contract.names, faults, frame_raw)
    quarantine = val.quarantine_frame(check, ordinals.astype("int64"), codes, values)
    last = good["last_date"].max() if len(good) else None
    return good[MONTHLY_COLUMNS], quarantine, int(good["lines"].sum()), _timestamp(last)
