"""Loading: a source's tables, validated with quarantine, as of a period's cut-off.

The work happens in one in-memory DuckDB database per :class:`Loaded`: each table is
read once into a checked table (typed columns plus a fault code per row), the clean
tables are views of it, and the cut-off views filter those. Pandas frames are made only
when a table is asked for, so that aggregating ten million order lines
(:func:`compass_nb.data.stream.monthly_orders`) never leaves DuckDB. The same validated
source serves another period through :meth:`Loaded.at`, without reading or checking the
files again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from compass_nb.calendar import check_period, next_period, period_end, to_datetime
from compass_nb.data import cutoff as cut
from compass_nb.data import derive
from compass_nb.data import mapping as maps
from compass_nb.data import validate as val
from compass_nb.data.contracts import CONTRACTS, TABLE_ORDER, dependencies
from compass_nb.data.sources import Source, encoding_for, open_source, remove_temporary
from compass_nb.errors import InputError

_DATE_TYPES = ("date", "timestamp")


def _frame(con: duckdb.DuckDBPyConnection, sql: str, table: str) -> pd.DataFrame:
    """A query's result as pandas, dates as ``datetime64[ns]``."""
    frame = con.sql(sql).df()
    for column in CONTRACTS[table].columns:
        if column.type in _DATE_TYPES and column.name in frame:
            frame[column.name] = to_datetime(frame[column.name]).astype("datetime64[ns]")
    return frame


class Tables(MutableMapping):
    """The clean tables of a :class:`Loaded`, as of its cut-off, made into pandas on first use."""

    def __init__(self, loaded: Loaded, names: list[str]):
        self._loaded = loaded
        self._names = list(names)
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name not in self._names:
                raise KeyError(name)
            self._frames[name] = self._loaded.as_of_cutoff(name)
        return self._frames[name]

    def __setitem__(self, name: str, frame: pd.DataFrame) -> None:
        if name not in self._names:
            self._names.append(name)
        self._frames[name] = frame

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._frames.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Tables({', '.join(self._names)})"


@dataclass(eq=False)
class Loaded:
    """Clean input tables as of a period, with everything the validation set aside.

    Attributes
    ----------
    tables
        Table name → clean DataFrame as of the cut-off (built on first access).
    quarantine
        Every rejected row: ``table, file, row, column, value, reason`` (``row`` is the
        1-based line of the data row in a CSV file, the row number in Excel, the row's
        position in Parquet, a database table or the demo).
    rows_read, rows_accepted
        Per table; ``rows_read == rows_accepted + quarantined rows`` always.
    period, cutoff
        The cycle (``YYYY-MM``) and its last day.
    fingerprints
        Table → sha256 of the input (file bytes; demo profile and generator version).
    files
        Table → the file (or database table) it was read from.
    encodings
        Table → the encoding a CSV file was read as (a BOM, UTF-16 or valid UTF-8 decide
        before the ``encoding`` setting does).
    today
        The date after which an event is in the future (quarantined).
    readings
        Table → how its file was read through the ``inputs`` mapping (preset, renamed
        headers), for the tables read through one.
    notes
        Table → what reading it did beyond the contract (footer lines skipped, a date order
        detected, flags derived from the stage list).
    period_reason
        Why the period is the one it is (the latest date seen and the rule applied).
    synthesized
        Table → how it was derived, for the tables the source lacks and the loader
        derived (``products`` from the orders); they are in :attr:`tables`, not in
        :attr:`rows_read`.
    """

    con: duckdb.DuckDBPyConnection = field(repr=False)
    source: str
    period: str
    quarantine: pd.DataFrame
    rows_read: dict[str, int]
    rows_accepted: dict[str, int]
    fingerprints: dict[str, str]
    files: dict[str, str]
    requested: list[str]
    encodings: dict[str, str] = field(default_factory=dict)
    today: pd.Timestamp | None = None
    ordered: dict[str, str] = field(default_factory=dict, repr=False)
    readings: dict[str, object] = field(default_factory=dict, repr=False)
    notes: dict[str, list[str]] = field(default_factory=dict)
    derived: dict[str, list[str]] = field(default_factory=dict)
    period_reason: str = ""
    synthesized: dict[str, derive.ProductsFromOrders] = field(default_factory=dict)
    tables: Tables = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tables = Tables(self, self.requested)
        self._mtd: pd.DataFrame | None = None

    @property
    def cutoff(self) -> pd.Timestamp:
        """The period's last day: nothing dated later is in :attr:`tables`."""
        return period_end(self.period)

    @property
    def fingerprint(self) -> str:
        """One sha256 over every loaded table's fingerprint.

        When every table of the source was loaded (``tables=None``) it equals
        :func:`source_fingerprint` of the source, without hashing the files again.
        """
        return combined_fingerprint(self.fingerprints)

    def at(self, period: str) -> Loaded:
        """The same validated source as of another ``period``.

        Nothing is read or checked again: the checked tables, the quarantine, the counts
        and the fingerprints are shared, and only the cut-off views are new. The result
        shares this one's database; :meth:`close` either when both are done.
        """
        period = _checked_period(period, self.today)
        read = [t for t in self.requested if t not in self.synthesized]
        _cutoff_views(self.con, read, period, self.synthesized)
        return Loaded(
            con=self.con,
            source=self.source,
            period=period,
            quarantine=self.quarantine,
            rows_read=self.rows_read,
            rows_accepted=self.rows_accepted,
            fingerprints=self.fingerprints,
            files=self.files,
            requested=list(self.requested),
            encodings=self.encodings,
            today=self.today,
            ordered=self.ordered,
            readings=self.readings,
            notes=self.notes,
            derived=self.derived,
            period_reason=f"the period {period} was asked for",
            synthesized=self.synthesized,
        )

    def view(self, table: str) -> str:
        """The DuckDB view holding ``table``'s clean rows as of the cut-off, for SQL.

        Its rows are in no set order (a Parquet file's are not in the file's); the frames
        of :attr:`tables` are.
        """
        return _cut_view(table, self.period)

    def _rows(self, table: str) -> pd.DataFrame:
        """``table``'s clean rows visible at the cut-off, as pandas, in the source's order."""
        if table not in self.ordered:
            return _frame(self.con, f"SELECT * FROM {self.view(table)}", table)
        condition = cut.cutoff_condition(CONTRACTS[table], self.period)
        where = f" WHERE {condition}" if condition else ""
        ordinal = f'"{val.ORDINAL}"'
        sql = f"SELECT * EXCLUDE ({ordinal}) FROM {self.ordered[table]}{where} ORDER BY {ordinal}"
        return _frame(self.con, sql, table)

    def as_of_cutoff(self, table: str) -> pd.DataFrame:
        """``table``'s clean rows visible at the cut-off, as pandas, in the source's order."""
        frame = self._rows(table)
        if table == "opportunities" and "opportunity_history" in self.rows_read:
            history = self._rows("opportunity_history")
            return cut.opportunities_as_of(frame, history, self.cutoff)
        if table == "reps":
            return cut.reps_as_of(frame, self.cutoff)
        return frame

    def rows_at_cutoff(self) -> dict[str, int]:
        """Per table, how many clean rows the cycle sees (dated on or before the cut-off)."""
        return {
            t: int(self.con.execute(f"SELECT count(*) FROM {self.view(t)}").fetchall()[0][0])
            for t in self.requested
        }

    def empty_tables(self, tables: list[str] | None = None) -> list[str]:
        """The tables (of ``tables``, default all loaded) with no clean rows in this cycle."""
        counts = self.rows_at_cutoff()
        return [t for t in (self.requested if tables is None else tables) if not counts.get(t)]

    def require_rows(self, tables: list[str] | None = None) -> None:
        """Raise one :class:`InputError` when the cycle has no data, saying what to do.

        With ``tables``, when any of them has no clean row in this cycle (a step's needs);
        without, when no dated table (orders, inventory, deal history, survey answers...)
        that holds rows in the source has one by the cut-off: the cycle has no data at all.
        For the 01 step, so that such a cycle stops there instead of failing downstream.
        """
        if tables is None:
            dated = [t for t in self.requested if _dated(t) and self.rows_read.get(t)]
            empty = self.empty_tables(dated)
            empty = empty if dated and len(empty) == len(dated) else []
        else:
            empty = self.empty_tables(list(tables))
        if empty:
            raise InputError(_empty_message(self, empty))

    @property
    def mtd_orders(self) -> pd.DataFrame | None:
        """Clean orders of the month after the period (month to date), for the nowcast only.

        ``None`` when the orders were not loaded.
        """
        if self._mtd is None:
            if "orders" not in self.rows_read:
                return None
            start = (self.cutoff + pd.Timedelta(days=1)).date().isoformat()
            end = (period_end(next_period(self.period)) + pd.Timedelta(days=1)).date().isoformat()
            within = f"order_date >= DATE '{start}' AND order_date < DATE '{end}'"
            if "orders" in self.ordered:
                ordinal = f'"{val.ORDINAL}"'
                sql = (
                    f"SELECT * EXCLUDE ({ordinal}) FROM {self.ordered['orders']} WHERE {within} "
                    f"ORDER BY {ordinal}"
                )
            else:
                sql = f"SELECT * FROM clean_orders WHERE {within}"
            self._mtd = _frame(self.con, sql, "orders")
        return self._mtd

    def close(self) -> None:
        """Release the DuckDB database behind the tables (frames already built stay usable)."""
        self.con.close()


def _dated(table: str) -> bool:
    return CONTRACTS[table].cutoff is not None


def _empty_message(loaded: Loaded, empty: list[str]) -> str:
    ranges = []
    for table in empty:
        column = CONTRACTS[table].cutoff
        if loaded.rows_read.get(table) and not loaded.rows_accepted.get(table):
            ranges.append(f"every {table} row was quarantined")
        elif column and loaded.rows_accepted.get(table):
            low, high = loaded.con.execute(
                f'SELECT min("{column}"), max("{column}") FROM clean_{table}'
            ).fetchall()[0]
            ranges.append(f"{table} run from {str(low)[:10]} to {str(high)[:10]}")
    span = f" ({'; '.join(ranges)})" if ranges else ""
    return (
        f"The cycle {loaded.period} has no data in {', '.join(empty)}: nothing is dated on or "
        f"before {loaded.cutoff.date()}{span}. Choose a period the data covers, e.g. "
        "--period YYYY-MM, or leave the period out for the latest complete month."
    )


def combined_fingerprint(fingerprints: dict[str, str]) -> str:
    """sha256 over ``table:fingerprint`` lines, in table order."""
    lines = "\n".join(f"{t}:{fingerprints[t]}" for t in sorted(fingerprints))
    return hashlib.sha256(lines.encode()).hexdigest()


def _connection(threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"preserve_insertion_order": True})
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _requested(source: Source, tables: list[str] | None, derivable: bool = False) -> list[str]:
    available = set(source.names())
    if derivable:
        available |= set(derive.derived_tables(list(tables or TABLE_ORDER), available))
    if tables is None:
        return [t for t in TABLE_ORDER if t in available]
    unknown = [t for t in tables if t not in CONTRACTS]
    if unknown:
        raise InputError(
            f"Unknown table {unknown[0]!r}: the input tables are {', '.join(TABLE_ORDER)}."
        )
    missing = [t for t in tables if t not in available]
    if missing:
        raise InputError(
            f"The source {source.label} has no {missing[0]} table: expected {missing[0]}.csv, "
            f"{missing[0]}.parquet or {missing[0]}.xlsx in the folder (or a table of that name in the database)."
        )
    return list(dict.fromkeys(tables))


def _strict_failure(quarantine: pd.DataFrame) -> InputError:
    counts = quarantine.groupby(["table", "reason"]).size().sort_values(ascending=False)
    lines = [
        f"  {table}: {n} row{'s' if n > 1 else ''} — {reason}"
        for (table, reason), n in counts.items()
    ]
    return InputError(
        f"Strict mode: {len(quarantine)} row{'s' if len(quarantine) > 1 else ''} failed validation "
        "(fix them in the source, or run without --strict to quarantine them):\n"
        + "\n".join(lines[:20])
    )


def load_options(params: dict) -> dict:
    """The keywords of :func:`load` that the merged parameters set: ``encoding``, ``strict``,
    ``inputs``, the stage list (``pipeline.stages``) and ``products_from_orders``, so that
    every caller reads a source the same way: ``load(source, period=...,
    **load_options(params))``."""
    return {
        "encoding": params.get("encoding", "utf-8"),
        "strict": bool(params.get("strict")),
        "inputs": params.get("inputs") or None,
        "stages": (params.get("pipeline") or {}).get("stages"),
        "products_from_orders": params.get("products_from_orders"),
    }


def load(
    source: str | os.PathLike | dict,
    *,
    period: str | None = None,
    tables: list[str] | None = None,
    encoding: str | dict[str, str] = "utf-8",
    strict: bool = False,
    threads: int | None = None,
    today: str | pd.Timestamp | None = None,
    inputs: dict | maps.Inputs | None = None,
    stages: list | None = None,
    products_from_orders: dict | derive.ProductsFromOrders | None = None,
) -> Loaded:
    """Load, validate and cut off the input tables of ``source``.

    Parameters
    ----------
    source
        ``demo``, ``demo:small``, a folder of table files, a DuckDB file, a SQLAlchemy URL
        (``${VAR}`` in it read from the environment) or a mapping table → DataFrame.
    period
        The cycle, ``YYYY-MM``; ``None`` = the latest complete month of the data (orders
        first), future-dated rows left out (they are quarantined).
    tables
        Tables to load (default: every table the source holds). Tables they reference are
        loaded too, to check the references, and returned with them, so that every table
        counted in ``rows_read`` and the quarantine is in ``tables``.
    encoding
        Encoding of CSV files that are not valid UTF-8 and carry no BOM: one codec name
        for every file, or a mapping table → codec name (key ``default`` for the rest).
    strict
        Raise :class:`~compass_nb.errors.InputError` when any row is quarantined.
    threads
        DuckDB threads (default: all cores).
    today
        The date after which events are in the future (default: the source's today, the
        clock's date; the demo's is 2026-11-15).
    inputs
        How the source's files read (the ``inputs`` parameter: presets, column mapping,
        codes, date formats; see :mod:`compass_nb.data.mapping`).
    stages
        ``pipeline.stages``: deals whose export has no closed/won flags take them from it.
    products_from_orders
        How ``products`` is derived from the orders when the source has orders and no
        products (the ``products_from_orders`` parameters; see
        :mod:`compass_nb.data.derive`). ``None``: such a source has no products table.

    Returns
    -------
    Loaded
        Clean tables as of the cut-off, the quarantine, counts and fingerprints.

    Raises
    ------
    InputError
        A file cannot be read at all (named in the message), the period is not a month the
        data can have, or ``strict`` and some rows failed.
    """
    spec = maps.as_inputs(inputs, stages)
    src = open_source(source, spec.files())
    requested = _requested(src, tables, derivable=products_from_orders is not None)
    available = set(src.names())
    synthesized = _synthesized(requested, available, products_from_orders)
    todo = [t for t in dependencies(requested) if t in available]
    for table in todo:
        encoding_for(encoding, table)  # an unknown codec or table name fails before any work
    today = pd.Timestamp(today).normalize() if today is not None else src.today()
    if period is not None:
        period = _checked_period(period, today)
    con = _connection(threads)
    checks: dict[str, val.TableCheck] = {}
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashes: dict[str, Future] = {t: pool.submit(src.fingerprint, t) for t in todo}
            try:
                checks = _checked_tables(con, src, todo, encoding, today, inputs=spec)
            except BaseException:
                for future in hashes.values():
                    future.cancel()
                raise
            fingerprints = {t: hashes[t].result() for t in todo}
        reason = f"the period {period} was asked for"
        if period is None:
            picked = _latest_complete(con, checks)
            if picked is None:
                raise InputError(_no_dates_message(src.label))
            period, reason = picked
        _cutoff_views(con, todo, period, synthesized)
        quarantine = pd.concat(
            [val.quarantine_rows(con, c) for c in checks.values()] or [val.empty_quarantine()]
        ).reset_index(drop=True)
    except BaseException:
        con.close()
        raise
    finally:
        for check in checks.values():
            remove_temporary(check.raw)
    if strict and len(quarantine):
        con.close()
        raise _strict_failure(quarantine)
    return Loaded(
        con=con,
        source=src.label,
        period=period,
        quarantine=quarantine,
        rows_read={t: c.rows_read for t, c in checks.items()},
        rows_accepted={t: c.rows_accepted for t, c in checks.items()},
        fingerprints=fingerprints,
        files={t: c.file for t, c in checks.items()},
        requested=[t for t in TABLE_ORDER if t in todo or t in synthesized],
        encodings={t: c.raw.encoding for t, c in checks.items() if c.raw.encoding},
        today=today,
        ordered={t: c.ordered for t, c in checks.items() if c.ordered},
        readings={t: c.raw.reading for t, c in checks.items() if c.raw.reading is not None},
        notes={t: list(c.raw.notes) for t, c in checks.items() if c.raw.notes},
        derived={t: list(c.raw.derived) for t, c in checks.items() if c.raw.derived},
        period_reason=reason,
        synthesized=synthesized,
    )


def _synthesized(
    requested: list[str], available: set[str], spec: dict | derive.ProductsFromOrders | None
) -> dict[str, derive.ProductsFromOrders]:
    """The requested tables the source lacks that are derived (``products`` from orders)."""
    if spec is None:
        return {}
    if isinstance(spec, dict):
        spec = derive.ProductsFromOrders.from_params(spec)
    return {t: spec for t in derive.derived_tables(requested, available)}


def _checked_period(period: str, today: pd.Timestamp | None) -> str:
    """``period`` as ``YYYY-MM``, refused when it has not begun by ``today``."""
    period = check_period(period)
    if today is not None and pd.Period(period, freq="M").start_time > today:
        raise InputError(
            f"The period {period} has not begun (today is {today.date()}): choose a month up to "
            f"{today.strftime('%Y-%m')}, or leave the period out for the latest complete month "
            "of the data."
        )
    return period


def _no_dates_message(label: str) -> str:
    return (
        f"Cannot tell the latest complete month of {label}: no valid dated orders, inventory, "
        "opportunity history or survey responses (dates in the future do not count). Set the "
        "period, e.g. --period 2026-10."
    )


def _unreadable(file: str, table: str) -> InputError:
    return InputError(
        f"{file} cannot be read as the {table} table: its rows do not parse as a table (a damaged "
        "or truncated file, or not a table export). Open it to check, re-export it as CSV "
        "(UTF-8) or Parquet, and run again."
    )


def _checked_tables(
    con: duckdb.DuckDBPyConnection,
    src: Source,
    todo: list[str],
    encoding: str | dict,
    today: pd.Timestamp | None,
    vocabularies: dict[str, dict[str, str]] | None = None,
    inputs: maps.Inputs | None = None,
) -> dict[str, val.TableCheck]:
    """Read, check and quarantine ``todo`` in order; ``vocabularies`` gains their spellings.

    ``inputs`` maps each file's headers and codes to the contract (presets, ``columns``,
    ``values``, date formats) before it is checked."""
    checks: dict[str, val.TableCheck] = {}
    vocabularies = {} if vocabularies is None else vocabularies
    day = today.date().isoformat() if today is not None else None
    try:
        for table in todo:
            contract = CONTRACTS[table]
            mapping = inputs.mapping(table) if inputs is not None else None
            raw = src.raw(table, con, encoding_for(encoding, table), mapping)
            try:
                raw = maps.shaped(raw, raw.reading, con, inputs or maps.Inputs(), set(checks))
                check = _check(con, contract, raw, day)
            except BaseException:
                remove_temporary(raw)
                raise
            checks[table] = check
            val.canonical_spellings(con, contract, check, vocabularies, set(todo))
            val.record_faults(
                con,
                contract,
                check,
                {t: c.checked for t, c in checks.items() if t != table},
                {t: c.clean for t, c in checks.items() if t != table},
            )
            val.count_rows(con, check)
    except BaseException:
        for check in checks.values():
            remove_temporary(check.raw)
        raise
    finally:
        src.close(con)
    return checks


def _check(con: duckdb.DuckDBPyConnection, contract, raw, day: str | None) -> val.TableCheck:
    """``raw`` checked; a file DuckDB's parser refuses is read again by Python's csv module."""
    try:
        return val.check_table(con, contract, raw, day)
    except duckdb.Error:
        if raw.fallback is None:
            raise _unreadable(raw.file, contract.table) from None
    try:
        return val.check_table(con, contract, raw.fallback(con), day)
    except duckdb.Error:
        raise _unreadable(raw.file, contract.table) from None


def _cut_view(table: str, period: str) -> str:
    return f"cut_{table}_{period.replace('-', '_')}"


def _cutoff_views(
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    period: str,
    synthesized: dict[str, derive.ProductsFromOrders] | None = None,
) -> None:
    """The cut-off view of each table at ``period``; a derived table's is computed from the
    cut-off view of the table it is derived from (its prices as of that cut-off)."""
    for table in tables:
        condition = cut.cutoff_condition(CONTRACTS[table], period)
        where = f" WHERE {condition}" if condition else ""
        con.execute(
            f"CREATE OR REPLACE VIEW {_cut_view(table, period)} AS SELECT * FROM clean_{table}{where}"
        )
    for table, spec in (synthesized or {}).items():
        base = _cut_view(derive.DERIVABLE[table], period)
        sql = derive.products_sql(base, period, spec)
        con.execute(f"CREATE OR REPLACE VIEW {_cut_view(table, period)} AS {sql}")


_LATEST_FROM = (
    ("orders", "order_date"),
    ("inventory", "snapshot_date"),
    ("opportunity_history", "changed_at"),
    ("survey_responses", "survey_date"),
)


def _latest_complete(
    con: duckdb.DuckDBPyConnection, checks: dict[str, val.TableCheck]
) -> tuple[str, str] | None:
    """The default period and why: from the latest valid date of the first dated table."""
    for table, column in _LATEST_FROM:
        if table in checks:
            last = con.execute(f'SELECT max("{column}") FROM {checks[table].clean}').fetchall()
            if last[0][0] is not None:
                return cut.period_of(table, pd.Timestamp(last[0][0]))
    return None


def latest_complete_period(
    source: str | os.PathLike | dict,
    *,
    encoding: str | dict[str, str] = "utf-8",
    today: str | pd.Timestamp | None = None,
    inputs: dict | maps.Inputs | None = None,
    stages: list | None = None,
) -> str:
    """The latest month fully covered by the source's orders (demo: ``2026-10``).

    Reads only the dates of the first dated table found (orders first), without the
    full validation: dates that do not parse, lie outside the contracts' range or in the
    future (after ``today``, default the source's today) are left out here and
    quarantined by :func:`load`. ``encoding``, ``inputs`` and ``stages`` as for :func:`load`;
    the rule that makes a month complete: :func:`compass_nb.data.cutoff.period_of`.
    """
    spec = maps.as_inputs(inputs, stages)
    src = open_source(source, spec.files())
    available = set(src.names())
    today = pd.Timestamp(today).normalize() if today is not None else src.today()
    con = _connection(None)
    try:
        for table, column in _LATEST_FROM:
            if table not in available:
                continue
            last = _last_date(con, src, table, column, encoding, today, spec)
            if last is not None:
                return cut.period_of(table, last)[0]
    finally:
        src.close(con)
        con.close()
    raise InputError(_no_dates_message(src.label))


def _last_date(
    con, src: Source, table: str, column: str, encoding, today, spec=None
) -> pd.Timestamp | None:
    """The latest valid, not future ``column`` of ``table`` as the source holds it."""
    mapping = spec.mapping(table) if spec is not None else None
    raw = src.raw(table, con, encoding_for(encoding, table), mapping)
    try:
        if raw.reading is not None:
            if table == "opportunity_history" and "opportunities" in src.names():
                return _last_date_loaded(src, table, column, encoding, today, spec)
            raw = maps.shaped(raw, raw.reading, con, spec, set())
        col = CONTRACTS[table].column(column)
        parsed = val._parsed(
            col,
            val._normalised(column, raw.types[column], "date"),
            raw.types[column],
            raw.decimal_comma,
        )
        low, high = val.DATE_RANGE
        grace = (today + pd.Timedelta(days=2)).date().isoformat()
        sql = (
            f"SELECT max(d) FROM (SELECT CAST({parsed} AS DATE) AS d FROM {raw.from_sql}) "
            f"WHERE d >= DATE '{low}' AND d <= DATE '{high}' AND d < DATE '{grace}'"
        )
        try:
            last = con.execute(sql).fetchall()[0][0]
        except duckdb.Error:
            if raw.fallback is None:
                raise _unreadable(raw.file, table) from None
            fallback = raw.fallback(con)
            last = con.execute(sql.replace(raw.from_sql, fallback.from_sql)).fetchall()[0][0]
    finally:
        remove_temporary(raw)
    return None if last is None else pd.Timestamp(last)


def _last_date_loaded(src, table, column, encoding, today, spec) -> pd.Timestamp | None:
    """The latest ``column`` of a table that needs others to be read (a pivoted change log)."""
    loaded = load(src, period=None, tables=[table], encoding=encoding, today=today, inputs=spec)
    try:
        last = loaded.con.execute(f'SELECT max("{column}") FROM clean_{table}').fetchall()[0][0]
    finally:
        loaded.close()
    return None if last is None else pd.Timestamp(last)


def source_fingerprint(source: str | os.PathLike) -> str:
    """sha256 identifying the source's content (file bytes; demo profile + generator version)."""
    src = open_source(source)
    return combined_fingerprint({t: src.fingerprint(t) for t in src.names()})


def write_quarantine(quarantine: pd.DataFrame, folder: str | os.PathLike) -> dict[str, str]:
    """Write the quarantine as ``<folder>/<table>.csv``, one file per table with rejected rows.

    The folder is meant for ``<root>/private/<period>/quarantine``: rows hold raw values,
    written through :func:`compass_nb.exports.write_csv` (a value that would run as a
    spreadsheet formula is written as text). Returns table → path written.
    """
    from compass_nb.exports import write_csv

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    return {
        str(table): str(write_csv(rows, out / f"{table}.csv"))
        for table, rows in quarantine.groupby("table", sort=True)
    }
