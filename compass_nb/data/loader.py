"""Loading: a source's tables, validated with quarantine, as of a period's cut-off.

The work happens in one in-memory DuckDB database per :class:`Loaded`: each table is
read once into a checked table (typed columns plus a fault code per row), the clean
tables are views of it, and the cut-off views filter those. Pandas frames are made only
when a table is asked for, so that aggregating ten million order lines
(:func:`orders_monthly`) never leaves DuckDB.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from compass_nb.data import cutoff as cut
from compass_nb.data import validate as val
from compass_nb.data.contracts import CONTRACTS, TABLE_ORDER, dependencies
from compass_nb.data.sources import Source, open_source
from compass_nb.errors import InputError

_DATE_TYPES = ("date", "timestamp")


def _frame(con: duckdb.DuckDBPyConnection, sql: str, table: str) -> pd.DataFrame:
    """A query's result as pandas, dates as ``datetime64[ns]``."""
    frame = con.sql(sql).df()
    for column in CONTRACTS[table].columns:
        if column.type in _DATE_TYPES and column.name in frame:
            frame[column.name] = pd.to_datetime(frame[column.name]).astype("datetime64[ns]")
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
    tables: Tables = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tables = Tables(self, self.requested)
        self._mtd: pd.DataFrame | None = None

    @property
    def cutoff(self) -> pd.Timestamp:
        """The period's last day: nothing dated later is in :attr:`tables`."""
        return cut.period_end(self.period)

    @property
    def fingerprint(self) -> str:
        """One sha256 over every table's fingerprint."""
        return combined_fingerprint(self.fingerprints)

    def view(self, table: str) -> str:
        """The DuckDB view holding ``table``'s clean rows as of the cut-off."""
        return f"cut_{table}"

    def as_of_cutoff(self, table: str) -> pd.DataFrame:
        """``table``'s clean rows visible at the cut-off, as pandas."""
        frame = _frame(self.con, f"SELECT * FROM {self.view(table)}", table)
        if table == "opportunities" and "opportunity_history" in self.rows_read:
            history = _frame(
                self.con, f"SELECT * FROM {self.view('opportunity_history')}", "opportunity_history"
            )
            return cut.opportunities_as_of(frame, history, self.cutoff)
        if table == "reps":
            return cut.reps_as_of(frame, self.cutoff)
        return frame

    @property
    def mtd_orders(self) -> pd.DataFrame | None:
        """Clean orders of the month after the period (month to date), for the nowcast only.

        ``None`` when the orders were not loaded.
        """
        if self._mtd is None:
            if "orders" not in self.rows_read:
                return None
            start = (self.cutoff + pd.Timedelta(days=1)).date().isoformat()
            end = (
                (cut.period_end(cut.next_period(self.period)) + pd.Timedelta(days=1))
                .date()
                .isoformat()
            )
            self._mtd = _frame(
                self.con,
                f"SELECT * FROM clean_orders WHERE order_date >= DATE '{start}' AND order_date < DATE '{end}'",
                "orders",
            )
        return self._mtd

    def close(self) -> None:
        """Release the DuckDB database behind the tables (frames already built stay usable)."""
        self.con.close()


def combined_fingerprint(fingerprints: dict[str, str]) -> str:
    """sha256 over ``table:fingerprint`` lines, in table order."""
    lines = "\n".join(f"{t}:{fingerprints[t]}" for t in sorted(fingerprints))
    return hashlib.sha256(lines.encode()).hexdigest()


def _connection(threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"preserve_insertion_order": True})
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _requested(source: Source, tables: list[str] | None) -> list[str]:
    available = source.names()
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


def load(
    source: str | os.PathLike,
    *,
    period: str | None = None,
    tables: list[str] | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    threads: int | None = None,
) -> Loaded:
    """Load, validate and cut off the input tables of ``source``.

    Parameters
    ----------
    source
        ``demo``, ``demo:small``, a folder of table files, a DuckDB file or a SQLAlchemy URL
        (``${VAR}`` in it read from the environment).
    period
        The cycle, ``YYYY-MM``; ``None`` = the latest complete month of the orders.
    tables
        Tables to load (default: every table the source holds). Tables they reference are
        loaded too, to check the references, and returned with them, so that every table
        counted in ``rows_read`` and the quarantine is in ``tables``.
    encoding
        Encoding of CSV files.
    strict
        Raise :class:`~compass_nb.errors.InputError` when any row is quarantined.
    threads
        DuckDB threads (default: all cores).

    Returns
    -------
    Loaded
        Clean tables as of the cut-off, the quarantine, counts and fingerprints.

    Raises
    ------
    InputError
        A file cannot be read at all (named in the message), or ``strict`` and some rows failed.
    """
    src = open_source(source)
    requested = _requested(src, tables)
    available = set(src.names())
    todo = [t for t in dependencies(requested) if t in available]
    con = _connection(threads)
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashes: dict[str, Future] = {t: pool.submit(src.fingerprint, t) for t in todo}
        try:
            checks = _checked_tables(con, src, todo, encoding)
        except BaseException:
            con.close()
            for future in hashes.values():
                future.cancel()
            raise
        fingerprints = {t: hashes[t].result() for t in todo}
    if period is None:
        period = _latest_complete(con, checks) or latest_complete_period(source, encoding=encoding)
    period = cut.check_period(period)
    _cutoff_views(con, todo, period)
    quarantine = pd.concat(
        [val.quarantine_rows(con, c) for c in checks.values()] or [val.empty_quarantine()]
    )
    quarantine = quarantine.reset_index(drop=True)
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
        requested=todo,
    )


def _checked_tables(
    con: duckdb.DuckDBPyConnection, src: Source, todo: list[str], encoding: str
) -> dict[str, val.TableCheck]:
    checks: dict[str, val.TableCheck] = {}
    try:
        for table in todo:
            contract = CONTRACTS[table]
            raw = src.raw(table, con, encoding)
            try:
                check = val.check_table(con, contract, raw)
            except duckdb.Error as err:
                raise InputError(f"{raw.file} cannot be read as the {table} table: {err}") from None
            val.record_faults(con, contract, check, {t: c.clean for t, c in checks.items()})
            val.count_rows(con, check)
            checks[table] = check
    finally:
        src.close(con)
    return checks


def _cutoff_views(con: duckdb.DuckDBPyConnection, tables: list[str], period: str) -> None:
    for table in tables:
        condition = cut.cutoff_condition(CONTRACTS[table], period)
        where = f" WHERE {condition}" if condition else ""
        con.execute(f"CREATE OR REPLACE VIEW cut_{table} AS SELECT * FROM clean_{table}{where}")


_LATEST_FROM = (
    ("orders", "order_date"),
    ("inventory", "snapshot_date"),
    ("opportunity_history", "changed_at"),
    ("survey_responses", "survey_date"),
)


def _latest_complete(
    con: duckdb.DuckDBPyConnection, checks: dict[str, val.TableCheck]
) -> str | None:
    for table, column in _LATEST_FROM:
        if table in checks:
            last = con.execute(f'SELECT max("{column}") FROM {checks[table].clean}').fetchall()[0][
                0
            ]
            if last is not None:
                return cut.complete_period(pd.Timestamp(last))
    return None


def latest_complete_period(source: str | os.PathLike, *, encoding: str = "utf-8") -> str:
    """The latest month fully covered by the source's orders (demo: ``2026-10``).

    Reads only the dates of the first dated table found (orders first), without the
    full validation; unparseable dates are ignored here and quarantined by :func:`load`.
    """
    src = open_source(source)
    available = set(src.names())
    con = _connection(None)
    try:
        for table, column in _LATEST_FROM:
            if table in available:
                raw = src.raw(table, con, encoding)
                contract = CONTRACTS[table]
                parsed = val._parsed(
                    contract.column(column),
                    val._normalised(column, raw.types[column], "date"),
                    raw.types[column],
                    raw.decimal_comma,
                )
                last = con.execute(
                    f"SELECT max(CAST({parsed} AS DATE)) FROM {raw.from_sql}"
                ).fetchall()[0][0]
                if last is not None:
                    return cut.complete_period(pd.Timestamp(last))
    except duckdb.Error as err:
        raise InputError(f"Cannot read the dates of {src.label}: {err}") from None
    finally:
        src.close(con)
        con.close()
    raise InputError(
        f"Cannot tell the latest complete month of {src.label}: no dated orders, inventory, "
        "opportunity history or survey responses. Set the period, e.g. --period 2026-10."
    )


def source_fingerprint(source: str | os.PathLike) -> str:
    """sha256 identifying the source's content (file bytes; demo profile + generator version)."""
    src = open_source(source)
    return combined_fingerprint({t: src.fingerprint(t) for t in src.names()})


def orders_monthly(
    data: Loaded | str | os.PathLike,
    *,
    period: str | None = None,
    encoding: str = "utf-8",
    threads: int | None = None,
) -> pd.DataFrame:
    """Clean orders summed by SKU × location × month, up to the cut-off, computed in DuckDB.

    Parameters
    ----------
    data
        A :class:`Loaded` holding ``orders``, or a source (a folder's ``orders.csv`` is then
        read in one streaming pass, see :func:`compass_nb.data.stream.monthly_orders`).
    period, encoding, threads
        As for :func:`load`, when ``data`` is a source.

    Returns
    -------
    pandas.DataFrame
        ``sku, location, month`` (``YYYY-MM``), ``quantity``, ``net_revenue``, ``lines``,
        sorted by the first three.
    """
    if not isinstance(data, Loaded):
        from compass_nb.data.stream import monthly_orders

        return monthly_orders(data, period=period, encoding=encoding, threads=threads).monthly
    loaded = data
    return loaded.con.sql(
        f"SELECT sku, location, strftime(order_date, '%Y-%m') AS month, sum(quantity) AS quantity, "
        f"sum(net_revenue) AS net_revenue, count(*) AS lines FROM {loaded.view('orders')} "
        f"GROUP BY ALL ORDER BY sku, location, month"
    ).df()


def write_quarantine(quarantine: pd.DataFrame, folder: str | os.PathLike) -> dict[str, str]:
    """Write the quarantine as ``<folder>/<table>.csv``, one file per table with rejected rows.

    The folder is meant for ``<root>/private/<period>/quarantine``: rows hold raw values.
    Returns table → path written.
    """
    from pathlib import Path

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for table, rows in quarantine.groupby("table", sort=True):
        path = out / f"{table}.csv"
        rows.to_csv(path, index=False, encoding="utf-8")
        written[str(table)] = str(path)
    return written
