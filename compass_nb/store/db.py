"""The cycle store: an embedded DuckDB database of every cycle's outputs.

Every table carries ``period`` (the cycle, ``YYYY-MM``) and ``run_id`` (a sequence
number per period). Rows are never overwritten: a re-run adds a run, and readers take,
per period, the latest complete run that wrote the table.

Writes are staged: during a run, notebooks write Parquet files into the run's staging
folder (``<run_dir>/tables/<table>.parquet``); :func:`commit` copies them into the
database in one transaction when the run ends. Connections are short-lived (open,
query, close); a store locked by another process is waited for with a message, up to
``COMPASS_STORE_WAIT`` seconds (default 120), then refused with :class:`StoreBusy`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from compass_nb.errors import StoreBusy, StoreUnwritable
from compass_nb.faults import pause_point
from compass_nb.store.tables import check_frame

RUNS_DDL = (
    "CREATE TABLE IF NOT EXISTS runs (period VARCHAR, run_id INTEGER, status VARCHAR);"
    "CREATE TABLE IF NOT EXISTS run_tables (period VARCHAR, run_id INTEGER, table_name VARCHAR)"
)
_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def wait_limit() -> float:
    """Seconds to wait for a locked store before refusing (``COMPASS_STORE_WAIT``)."""
    return float(os.environ.get("COMPASS_STORE_WAIT", "120"))


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text or "conflicting" in text or "resource temporarily unavailable" in text


@contextlib.contextmanager
def connect(path: str | Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a short-lived connection, waiting (with a message) while another process holds the lock.

    A read-only connection to a store that does not exist yet yields an in-memory database
    with an empty ``runs`` table, so readers never create files.
    """
    path = Path(path)
    if read_only and not path.exists():
        con = duckdb.connect(":memory:")
        con.execute(RUNS_DDL)
        try:
            yield con
        finally:
            con.close()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_limit()
    told = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.Error as error:
            if isinstance(error, duckdb.IOException) and not _is_lock_error(error):
                raise _unwritable(path, error) from None
            if not _is_lock_error(error):
                raise
            if time.monotonic() > deadline:
                raise StoreBusy(
                    f"The cycle store {path} stayed busy for {wait_limit():.0f} s (another run "
                    "or notebook is writing to it). Wait for it to finish and try again, or "
                    "raise COMPASS_STORE_WAIT."
                ) from None
            if not told:
                print(f"The cycle store {path} is busy; waiting for it…", file=sys.stderr)
                told = True
            time.sleep(0.2)
    try:
        if not read_only:
            con.execute(RUNS_DDL)
        yield con
    finally:
        con.close()


def _unwritable(path: Path, error: Exception) -> StoreUnwritable:
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return StoreUnwritable(
        f"The cycle store {path} cannot be written ({first}). Check its folder's permissions "
        "and free space, or point the store parameter elsewhere; nothing was changed."
    )


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[None]:
    """One transaction around the block: committed after it, rolled back if anything in it
    or the commit itself fails. A store that cannot be written (a full disk, a read-only
    file) raises :class:`StoreUnwritable` in one line; nothing is written either way."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException as error:
        with contextlib.suppress(duckdb.Error):  # a COMMIT that failed has ended it already
            con.execute("ROLLBACK")
        if _cannot_write(error):
            raise _unwritable(path, error) from None
        raise


def _cannot_write(error: BaseException) -> bool:
    """Whether ``error`` is DuckDB failing to write the file (not a fault of the data)."""
    if isinstance(error, duckdb.IOException):
        return True
    return isinstance(error, duckdb.TransactionException) and "Failed to commit" in str(error)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {name for (name,) in rows}


def check_table_name(table: str) -> str:
    """Return ``table`` if it is a valid store table name, else raise ``ValueError``."""
    if not _TABLE_NAME.match(table):
        raise ValueError(f"invalid store table name {table!r}: use lower-case letters, digits, _")
    return table


def read(
    path: str | Path,
    table: str,
    *,
    periods: str | list[str] | None = None,
) -> pd.DataFrame:
    """The latest complete run of each period for ``table``.

    Parameters
    ----------
    path
        The store file.
    table
        Store table name.
    periods
        ``None`` or ``"all"`` for every period, a period string, or a list of periods.

    Returns
    -------
    pandas.DataFrame
        The table's rows with their ``period`` and ``run_id``, by period, each run's rows
        in the order they were written; empty if nothing is stored.
    """
    check_table_name(table)
    if isinstance(periods, str) and periods != "all":
        periods = [periods]
    with connect(path, read_only=True) as con:
        if table not in _tables(con):
            return pd.DataFrame()
        wanted = ""
        if isinstance(periods, list):
            wanted = (
                " AND period IN (" + ", ".join("?" for _ in periods) + ")"
                if periods
                else " AND false"
            )
        latest = f"""
            WITH done AS (
                SELECT period, run_id FROM runs
                WHERE status IN ('complete', 'partial'){wanted}
            ),
            latest AS (
                SELECT w.period, max(w.run_id) AS run_id
                FROM run_tables w JOIN done USING (period, run_id)
                WHERE w.table_name = '{table}'
                GROUP BY w.period
            )
        """
        values = list(periods) if isinstance(periods, list) else []
        query = f'{latest} SELECT t.* FROM "{table}" t JOIN latest USING (period, run_id)'
        frame = con.execute(query + " ORDER BY t.period, t.rowid", values).df()
    return frame.reset_index(drop=True)


def runs(path: str | Path) -> pd.DataFrame:
    """Every committed run: ``period``, ``run_id``, ``status``."""
    with connect(path, read_only=True) as con:
        return con.execute("SELECT * FROM runs ORDER BY period, run_id").df()


def next_run_id(path: str | Path, period: str) -> int:
    """The run id the next run of ``period`` will take (1 for the first)."""
    with connect(path, read_only=True) as con:
        (last,) = con.execute("SELECT max(run_id) FROM runs WHERE period = ?", [period]).fetchone()
    return int(last or 0) + 1


def stage(
    run_dir: str | Path, table: str, frame: pd.DataFrame, *, period: str, run_id: int
) -> Path:
    """Write ``frame`` as this run's staged ``table`` (replacing an earlier staging of it)."""
    check_table_name(table)
    check_frame(table, frame)
    clash = {"period", "run_id"} & set(frame.columns)
    if clash:
        raise ValueError(
            f"{table}: columns {sorted(clash)} are the store's keys (the cycle and the run); "
            "rename the data column (e.g. 'month') before writing"
        )
    target = Path(run_dir) / "tables" / f"{table}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    out = frame.copy()
    out["period"] = pd.Series(period, index=out.index, dtype="string")
    out["run_id"] = pd.Series(int(run_id), index=out.index, dtype="int64")
    temporary = target.with_suffix(".tmp")
    out.to_parquet(temporary, index=False)
    os.replace(temporary, target)
    return target


def staged(run_dir: str | Path | None, table: str) -> pd.DataFrame | None:
    """This run's staged ``table`` (a copy of its own), or ``None`` if the run has not
    written it."""
    if run_dir is None:
        return None
    target = Path(run_dir) / "tables" / f"{table}.parquet"
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    return _read_staged(str(target.resolve()), info.st_ino, info.st_mtime_ns, info.st_size).copy()


@functools.lru_cache(maxsize=8)
def _read_staged(path: str, inode: int, modified_ns: int, size: int) -> pd.DataFrame:
    """A staged file's rows, read once per process. Most steps of a run read its clean
    inputs, one after the other in the same worker; a staged file is never changed in
    place (staging again replaces the file), so its identity names its content."""
    return pd.read_parquet(path)


def _add_missing_columns(con: duckdb.DuckDBPyConnection, table: str, parquet: str) -> None:
    have = {row[0] for row in con.execute(f'DESCRIBE "{table}"').fetchall()}
    for name, kind, *_ in con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{parquet}')"
    ).fetchall():
        if name not in have:
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind}')


def commit(
    path: str | Path,
    run_dir: str | Path,
    *,
    period: str,
    run_id: int,
    status: str = "complete",
) -> list[str]:
    """Copy every staged table of a run into the store in one transaction.

    ``status`` is ``complete`` when every step of the run completed, ``partial`` when the
    run holds only the tables of the steps that did (readers use both). Returns the names
    of the committed tables. If anything fails, nothing is written.
    """
    files = sorted((Path(run_dir) / "tables").glob("*.parquet"))
    with connect(path) as con, _transaction(con, Path(path)):
        taken = con.execute(
            "SELECT count(*) FROM runs WHERE period = ? AND run_id = ?", [period, int(run_id)]
        ).fetchone()[0]
        if taken:
            raise StoreBusy(
                f"Run {run_id} of {period} is already in the store {path}: another run took "
                "this run id. Nothing was written; run again."
            )
        existing = _tables(con)
        for file in files:
            table = check_table_name(file.stem)
            parquet = str(file).replace("'", "''")
            if table not in existing:
                con.execute(
                    f"CREATE TABLE \"{table}\" AS SELECT * FROM read_parquet('{parquet}') LIMIT 0"
                )
            else:
                _add_missing_columns(con, table, parquet)
            con.execute(f"INSERT INTO \"{table}\" BY NAME SELECT * FROM read_parquet('{parquet}')")
            con.execute("INSERT INTO run_tables VALUES (?, ?, ?)", [period, int(run_id), table])
            pause_point("commit")
        con.execute("INSERT INTO runs VALUES (?, ?, ?)", [period, int(run_id), status])
    return [file.stem for file in files]


def append(path: str | Path, table: str, frame: pd.DataFrame, *, period: str) -> None:
    """Append rows outside a run (e.g. an override kept from a widget), in one transaction.

    The rows are recorded as a run of their own with ``run_id`` 0 for ``period``, so that
    readers merge them with the period's latest run.
    """
    check_table_name(table)
    check_frame(table, frame)
    out = frame.copy()
    out["period"] = period
    out["run_id"] = 0
    with connect(path) as con:
        con.register("incoming", out)
        with _transaction(con, Path(path)):
            if table not in _tables(con):
                con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM incoming LIMIT 0')
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming')
            known = con.execute(
                "SELECT count(*) FROM runs WHERE period = ? AND run_id = 0", [period]
            ).fetchone()[0]
            if not known:
                con.execute("INSERT INTO runs VALUES (?, 0, 'complete')", [period])
            con.execute("INSERT INTO run_tables VALUES (?, 0, ?)", [period, table])


def read_all_runs(path: str | Path, table: str) -> pd.DataFrame:
    """Every committed row of ``table``, all runs (for append-only logs like ``overrides_saved``)."""
    check_table_name(table)
    with connect(path, read_only=True) as con:
        if table not in _tables(con):
            return pd.DataFrame()
        return con.execute(
            f'SELECT t.* FROM "{table}" t JOIN runs r USING (period, run_id) '
            "WHERE r.status IN ('complete', 'partial') ORDER BY period, run_id"
        ).df()


def dump(path: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of the store, sorted, for comparisons (reproducibility tests)."""
    with connect(path, read_only=True) as con:
        names = sorted(_tables(con))
        out = {}
        for name in names:
            frame = con.execute(f'SELECT * FROM "{name}"').df()
            out[name] = frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)
    return out
