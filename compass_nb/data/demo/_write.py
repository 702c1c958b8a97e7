"""Writing the demo company as files, optionally with N line-level orders (the ingest benchmark)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from compass_nb.errors import ParameterError
from compass_nb.exports import write_csv

from ._company import TABLES, generate
from ._profile import SEED

FORMATS = ("csv", "parquet")
CHUNK_LINES = 1_000_000
CHANNELS = np.array(["distributor", "retail", "online", "key account"])
CHANNEL_SHARE = np.array([0.35, 0.30, 0.25, 0.10])
N_CUSTOMERS = 5_000


def write_demo(
    out: str | Path, profile: str = "full", scale: int | None = None, fmt: str = "csv"
) -> dict[str, Path]:
    """Write every demo table as ``<out>/<table>.csv`` (or ``.parquet``).

    Parameters
    ----------
    out
        Folder to write into (created if missing; existing table files are replaced).
    profile
        ``"full"`` or ``"small"``.
    scale
        If given, ``orders`` holds exactly this many line-level rows (``order_date``,
        ``sku``, ``location``, ``quantity``, ``net_revenue``, ``customer_id``,
        ``channel``), spread over days, SKUs and locations like the profile's demand and
        written in chunks, so that 10 million lines need little memory. The other tables
        are the profile's.
    fmt
        ``"csv"`` (UTF-8, ISO dates, periods ``YYYY-MM``) or ``"parquet"``.

    Returns
    -------
    dict of str to pathlib.Path
        The file written for each table.
    """
    if fmt not in FORMATS:
        raise ParameterError(f"unknown demo file format {fmt!r}: use 'csv' or 'parquet'")
    if scale is not None and (not isinstance(scale, int | np.integer) or scale < 0):
        raise ParameterError(f"--scale must be a whole number of order lines ≥ 0, got {scale!r}")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tables = generate(profile)
    paths = {}
    for name in TABLES:
        path = folder / f"{name}.{fmt}"
        if name == "orders" and scale is not None:
            write_order_lines(path, tables["orders"], tables["products"], scale, fmt)
        else:
            _write_table(tables[name], path, fmt)
        paths[name] = path
    return paths


def _write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        write_csv(frame, path, date_format="%Y-%m-%d")


def write_order_lines(
    path: Path, daily: pd.DataFrame, products: pd.DataFrame, n_lines: int, fmt: str = "csv"
) -> None:
    """Write exactly ``n_lines`` order lines, shaped like ``daily`` (day × sku × location totals).

    Each day × sku × location cell receives a multinomial share of the lines in
    proportion to its units, so that totals by month, SKU and location follow the
    demo's demand; lines come out in date order, one chunk of about a million at a time.
    """
    rng = np.random.default_rng([SEED, n_lines])
    weight = daily["quantity"].to_numpy(dtype=float)
    counts = (
        rng.multinomial(n_lines, weight / weight.sum()) if n_lines else np.zeros(len(daily), int)
    )
    cells = _cell_arrays(daily, products)
    writer = None
    try:
        for lo, hi in _chunks(counts):
            table = _line_chunk(cells, lo, np.repeat(np.arange(lo, hi), counts[lo:hi]), rng)
            writer = writer or _writer(path, table.schema, fmt)
            writer.write_table(table)
        if writer is None:
            empty = _line_chunk(cells, 0, np.array([], dtype=np.int64), rng)
            writer = _writer(path, empty.schema, fmt)
            writer.write_table(empty)
    finally:
        if writer is not None:
            writer.close()


def _cell_arrays(daily: pd.DataFrame, products: pd.DataFrame) -> dict[str, pa.Array | np.ndarray]:
    """The day × sku × location cells as arrays, with SKUs and locations dictionary-coded."""
    sku_codes, skus = pd.factorize(daily["sku"])
    location_codes, locations = pd.factorize(daily["location"])
    price = daily["net_revenue"].to_numpy() / daily["quantity"].to_numpy()
    return {
        "date": daily["order_date"].to_numpy().astype("datetime64[D]"),
        "sku": sku_codes,
        "skus": pa.array(np.asarray(skus, dtype=object), pa.string()),
        "location": location_codes,
        "locations": pa.array(np.asarray(locations, dtype=object), pa.string()),
        "price": price,
    }


def _chunks(counts: np.ndarray):
    """(first, last) cell ranges holding about CHUNK_LINES lines each."""
    edges = np.searchsorted(np.cumsum(counts), np.arange(CHUNK_LINES, counts.sum(), CHUNK_LINES))
    bounds = np.unique(np.r_[0, edges + 1, len(counts)])
    return [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True) if counts[lo:hi].sum()]


def _line_chunk(cells: dict, lo: int, cell: np.ndarray, rng: np.random.Generator) -> pa.Table:
    n = len(cell)
    quantity = 1 + rng.poisson(1.5, n)
    discount = rng.uniform(0.0, 0.06, n)
    customers = rng.integers(1, N_CUSTOMERS + 1, n)
    channel = np.searchsorted(np.cumsum(CHANNEL_SHARE), rng.random(n) * CHANNEL_SHARE.sum())
    return pa.table(
        {
            "order_date": pa.array(cells["date"][cell], pa.date32()),
            "sku": cells["skus"].take(pa.array(cells["sku"][cell])),
            "location": cells["locations"].take(pa.array(cells["location"][cell])),
            "quantity": pa.array(quantity, pa.int64()),
            "net_revenue": pa.array(np.round(quantity * cells["price"][cell] * (1 - discount), 2)),
            "customer_id": pa.compute.binary_join_element_wise(
                "C-", pa.compute.utf8_lpad(pa.array(customers).cast(pa.string()), 5, "0"), ""
            ),
            "channel": pa.array(CHANNELS, pa.string()).take(pa.array(channel)),
        }
    )


def _writer(path: Path, schema: pa.Schema, fmt: str):
    if fmt == "parquet":
        return pq.ParquetWriter(path, schema)
    return pacsv.CSVWriter(path, schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
