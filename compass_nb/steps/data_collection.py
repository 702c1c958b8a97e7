"""Step 01 · data collection: every input table loaded and checked against its contract."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb import quality
from compass_nb.context import Context
from compass_nb.data import TABLE_ORDER, derive
from compass_nb.formatting import assumed_lines
from compass_nb.steps.step import Step

STEP = Step(
    "data_collection",
    notebook="01_data_collection",
    optional_inputs=tuple(TABLE_ORDER),
    history=("overrides_saved",),
    writes=(*(f"clean_{t}" for t in TABLE_ORDER), "clean_orders_mtd", "quarantine_summary"),
)


@dataclass
class DataCollection:
    """What the 01 notebook shows about the cycle's inputs."""

    overview: pd.DataFrame
    freshness: pd.DataFrame
    reasons: pd.DataFrame
    coverage: pd.DataFrame
    missing: pd.DataFrame
    duplicates: pd.DataFrame
    volume: pd.DataFrame
    summary: list[str]


@STEP.compute
def run(ctx: Context) -> DataCollection | None:
    """Load and validate the source as of the cut-off, stage the clean tables, and describe them
    (in a store-only cycle, whose inputs no page shows: the tables and the figures alone)."""
    loaded = ctx.load()
    loaded.require_rows()  # an empty cycle stops here, with one message, not downstream
    ctx.keep_inputs(loaded)
    ctx.write("quarantine_summary", quality.quarantine_summary(loaded.quarantine, loaded.tables))
    tables = loaded.tables
    overview = quality.table_overview(
        tables, loaded.rows_read, loaded.rows_accepted, loaded.quarantine
    )
    _metrics(ctx, overview)
    if not ctx.makes_files:  # store only: no page shows the checks of the inputs
        return None
    fresh = quality.freshness(tables, ctx.cutoff)
    orders = tables["orders"] if "orders" in tables else None
    products = tables["products"] if "products" in tables else None
    return DataCollection(
        overview=overview,
        freshness=fresh,
        reasons=quality.quarantine_reasons(loaded.quarantine),
        coverage=quality.family_coverage(orders, products, ctx.cutoff)
        if orders is not None and products is not None
        else pd.DataFrame(),
        missing=quality.missing_values(tables),
        duplicates=quality.duplicate_rows(tables),
        volume=quality.monthly_order_volume(orders) if orders is not None else pd.DataFrame(),
        summary=quality.summary_lines(overview, fresh, ctx.period)
        + assumed_lines(
            derive.assumption(spec, len(tables[table]))
            for table, spec in loaded.synthesized.items()
        ),
    )


def _metrics(ctx: Context, overview: pd.DataFrame) -> None:
    ctx.metric("rows_read", int(overview["rows_read"].sum()), label="Rows read", fmt="{:,}")
    ctx.metric(
        "rows_quarantined",
        int(overview["quarantined"].sum()),
        label="Rows quarantined",
        fmt="{:,}",
    )
    ctx.metric("tables", len(overview), label="Tables loaded")
