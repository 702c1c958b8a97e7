"""Ingest benchmark (issue 8): N order lines loaded, validated, quarantined and aggregated.

Writes the demo company with ``--lines`` order lines (default 10,000,000) as CSV and as
Parquet, then measures, each in its own fresh subprocess so that peak memory is its own:

* **compass** — ``compass_nb.data.monthly_orders(folder)``: products loaded and checked,
  ``orders`` read once with the contract's checks, the SKU reference and the quarantine
  computed in DuckDB in the same pass as the SKU × location × month totals (CSV); the
  Parquet file validated in place and summed (``load`` + ``orders_monthly``); both
  fingerprinted (sha256 of the file bytes);
* **floor** — bare DuckDB: ``read_csv`` / ``read_parquet`` of the same file and the same
  ``GROUP BY``;
* **postgres** — the same lines ``COPY``-ed into a PostgreSQL table (a server started for
  the benchmark, ``benchmarks/pgcluster.py``): compass's ``monthly_orders(url)`` runs the
  checks and the monthly sums inside PostgreSQL (only failing rows and totals come back),
  beside bare PostgreSQL running the same ``GROUP BY``. CPU time there is the client's:
  the server's work shows in wall time only.

Prints wall time, CPU time, peak resident memory and the compass / floor ratios per
format (CPU time is the steadier figure on a shared machine), and the load average.
Target (issue 8): ratio ≤ 2 and peak ≤ 4 GB at 10 M lines.

    python benchmarks/ingest.py                 # 10 M lines
    python benchmarks/ingest.py --lines 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import pgcluster  # noqa: E402

FLOOR_SQL = (
    "SELECT sku, location, strftime(order_date, '%Y-%m') AS month, sum(quantity) AS quantity, "
    "sum(net_revenue) AS net_revenue, count(*) AS lines FROM {reader}('{path}') GROUP BY ALL"
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_floor(folder: Path, fmt: str, threads: int | None) -> dict:
    """Bare DuckDB: read the orders file and group it; the time and size of the result."""
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    cpu_before = _cpu()
    start = time.perf_counter()
    groups = con.sql(FLOOR_SQL.format(reader=reader, path=folder / f"orders.{fmt}")).df()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "groups": len(groups),
        "quarantined": None,
        "cpu_before": cpu_before,
    }


PG_FLOOR_SQL = (
    "SELECT sku, location, to_char(order_date, 'YYYY-MM') AS month, sum(quantity), "
    "sum(net_revenue), count(*) FROM orders GROUP BY 1, 2, 3"
)


def measure_pg_floor(url: str, fmt: str, threads: int | None) -> dict:
    """Bare PostgreSQL: the same GROUP BY, run by the server."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    cpu_before = _cpu()
    start = time.perf_counter()
    with engine.connect() as con:
        groups = con.execute(sa.text(PG_FLOOR_SQL)).fetchall()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "groups": len(groups),
        "quarantined": None,
        "cpu_before": cpu_before,
    }


def measure_compass(folder: Path, fmt: str, threads: int | None) -> dict:
    """Compass's whole path: read, validate, quarantine, fingerprint, sum by month."""
    from compass_nb.data import monthly_orders

    cpu_before = _cpu()
    start = time.perf_counter()
    result = monthly_orders(folder, threads=threads)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "groups": len(result.monthly),
        "quarantined": len(result.quarantine),
        "rows_read": result.rows_read["orders"],
        "period": result.period,
        "cpu_before": cpu_before,
    }


def _child(kind: str, folder: str, fmt: str, threads: int | None) -> None:
    if kind == "write":
        write_inputs(Path(folder), int(fmt))
        return
    if fmt == "postgres":
        measure = measure_compass if kind == "compass" else measure_pg_floor
        result = measure(folder, fmt, threads)
    else:
        measure = measure_compass if kind == "compass" else measure_floor
        result = measure(Path(folder), fmt, threads)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_mb"] = usage.ru_maxrss / 1024
    result["cpu_s"] = usage.ru_utime + usage.ru_stime - result.pop("cpu_before")
    print(json.dumps(result))


def run_child(kind: str, folder: Path, fmt: str, threads: int | None) -> dict:
    """One measurement in a fresh interpreter (so peak memory is this measurement's alone)."""
    cmd = [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--format", fmt]
    if threads:
        cmd += ["--threads", str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} on {fmt} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


_PG_TYPES = {"order_date": "date", "launch_date": "date", "discontinue_date": "date"}
_PG_NUMBERS = ("quantity", "net_revenue", "unit_cost", "unit_price", "lead_time", "service_level")


def _pg_columns(path: Path) -> str:
    """Typed PostgreSQL columns for a CSV file's header: dates, numbers, text."""
    with open(path, encoding="utf-8") as fh:
        header = [n.strip().strip('"') for n in fh.readline().split(",")]
    kinds = [_PG_TYPES.get(n, "float8" if n.startswith(_PG_NUMBERS) else "text") for n in header]
    return ", ".join(f"{n} {k}" for n, k in zip(header, kinds, strict=True))


def load_postgres(url: str, csv_folder: Path) -> str:
    """The CSV folder's products and orders ``COPY``-ed into typed PostgreSQL tables; the URL."""
    start = time.perf_counter()
    for table in ("products", "orders"):
        path = csv_folder / f"{table}.csv"
        pgcluster.copy_csv(url, table, _pg_columns(path), path)
    print(f"copied products and orders into PostgreSQL in {time.perf_counter() - start:.1f} s")
    return url


def write_inputs(root: Path, lines: int) -> dict[str, Path]:
    """The demo company with ``lines`` order lines, as CSV and as Parquet folders."""
    from compass_nb.data.demo import write_demo

    folders = {}
    for fmt in ("csv", "parquet"):
        folder = root / fmt
        start = time.perf_counter()
        write_demo(folder, profile="full", scale=lines, fmt=fmt)
        size = (folder / f"orders.{fmt}").stat().st_size / 1e6
        print(
            f"wrote {lines:,} order lines as {fmt} ({size:,.0f} MB) in {time.perf_counter() - start:.1f} s"
        )
        folders[fmt] = folder
    return folders


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000, help="order lines to generate")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement (the best is kept)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="DuckDB threads (default: all cores)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where to write the inputs (kept)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the files already in --workdir")
    parser.add_argument(
        "--no-postgres", action="store_true", help="skip the PostgreSQL rows (no server started)"
    )
    parser.add_argument("--child", choices=["compass", "floor", "write"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.folder, args.format, args.threads)

    root = args.workdir or Path(tempfile.mkdtemp(prefix="compass-ingest-"))
    try:
        # written by a child, so that this process stays small: Linux carries a parent's peak
        # resident size into the children it starts, and ru_maxrss would report it
        if not (args.reuse and (root / "csv" / "orders.csv").exists()):
            cmd = [sys.executable, __file__, "--child", "write", "--folder", str(root)]
            subprocess.run([*cmd, "--format", str(args.lines)], check=True)
        folders = {fmt: root / fmt for fmt in ("csv", "parquet")}
        rows = []
        with contextlib.ExitStack() as stack:
            why_not = "--no-postgres" if args.no_postgres else pgcluster.unavailable()
            if why_not is None:
                url = stack.enter_context(pgcluster.cluster())
                folders["postgres"] = load_postgres(url, folders["csv"])
            else:
                print(f"no PostgreSQL rows: {why_not}")
            for fmt, folder in folders.items():
                best = {}
                for _ in range(args.repeat):
                    for kind in ("floor", "compass"):
                        result = run_child(kind, folder, fmt, args.threads)
                        if kind not in best or result["seconds"] < best[kind]["seconds"]:
                            best[kind] = result
                rows.append((fmt, best["floor"], best["compass"]))
        print()
        print(f"Ingest of {args.lines:,} order lines → SKU × location × month")
        head = (
            "format",
            "path",
            "wall s",
            "cpu s",
            "peak MB",
            "groups",
            "quarantined",
            "wall ×",
            "cpu ×",
        )
        print("{:8} {:8} {:>8} {:>8} {:>9} {:>8} {:>12} {:>7} {:>7}".format(*head))
        for fmt, floor, compass in rows:
            for name, r in (("floor", floor), ("compass", compass)):
                wall = r["seconds"] / floor["seconds"]
                cpu = r["cpu_s"] / floor["cpu_s"]
                quarantined = "-" if r["quarantined"] is None else str(r["quarantined"])
                print(
                    f"{fmt:8} {name:8} {r['seconds']:8.2f} {r['cpu_s']:8.2f} {r['peak_mb']:9.0f} "
                    f"{r['groups']:8d} {quarantined:>12} {wall:7.2f} {cpu:7.2f}"
                )
        print(
            "\nfloor groups every line in the file (postgres: in the table); compass stops at the "
            f"cut-off ({rows[0][2]['period']}) after quarantining bad rows."
        )
        print(
            f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
