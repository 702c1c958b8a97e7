"""Data quality of a cycle's inputs: what 01 data collection reports to the reviewer."""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.formatting import counted

#: The column that dates each event table (period-keyed tables use ``period``).
DATE_COLUMNS = {
    "orders": "order_date",
    "inventory": "snapshot_date",
    "opportunities": "created_date",
    "opportunity_history": "changed_at",
    "survey_responses": "survey_date",
    "reps": "hire_date",
    "products": "launch_date",
}
PERIOD_TABLES = ("capacity", "receipts", "budget", "quotas", "overrides")


def _span(frame: pd.DataFrame, table: str) -> tuple[str | None, str | None, int]:
    if table in PERIOD_TABLES and "period" in frame:
        values = frame["period"].dropna().astype(str)
        if values.empty:
            return None, None, 0
        return values.min(), values.max(), values.nunique()
    column = DATE_COLUMNS.get(table)
    if column is None or column not in frame:
        return None, None, 0
    dates = to_datetime(frame[column], errors="coerce").dropna()
    if dates.empty:
        return None, None, 0
    return (
        dates.min().strftime("%Y-%m-%d"),
        dates.max().strftime("%Y-%m-%d"),
        dates.dt.to_period("M").nunique(),
    )


def table_overview(
    tables: dict[str, pd.DataFrame],
    rows_read: dict[str, int],
    rows_accepted: dict[str, int],
    quarantine: pd.DataFrame,
) -> pd.DataFrame:
    """Rows read, accepted and quarantined per table, with the span of dates or periods covered.

    ``accepted + quarantined = rows_read``; ``in_cycle`` is what the cycle sees of the
    accepted rows (events after the cut-off belong to later cycles). Quarantined rows are
    counted once per source row, however many faults the row has.
    """
    bad = (
        quarantine.groupby("table")["row"].nunique()
        if not quarantine.empty
        else pd.Series(dtype=int)
    )
    rows = []
    for table in sorted(rows_read):
        frame = tables[table]
        first, last, months = _span(frame, table)
        rows.append(
            {
                "table": table,
                "rows_read": int(rows_read[table]),
                "accepted": int(rows_accepted.get(table, len(frame))),
                "quarantined": int(bad.get(table, 0)),
                "in_cycle": len(frame),
                "first": first or "",
                "last": last or "",
                "months_covered": months,
            }
        )
    return pd.DataFrame(rows)


def freshness(tables: dict[str, pd.DataFrame], cutoff: pd.Timestamp) -> pd.DataFrame:
    """Latest event date of each dated table and how many days it lies before the cut-off."""
    rows = []
    for table, column in DATE_COLUMNS.items():
        if table not in tables or column not in tables[table] or table in ("reps", "products"):
            continue
        latest = to_datetime(tables[table][column], errors="coerce").max()
        if pd.isna(latest):
            continue
        rows.append(
            {
                "table": table,
                "latest": latest.strftime("%Y-%m-%d"),
                "days_before_cutoff": int((cutoff - latest).days),
            }
        )
    return pd.DataFrame(rows, columns=["table", "latest", "days_before_cutoff"])


def missing_values(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Columns with missing values: count and share of the table's rows."""
    rows = []
    for table, frame in sorted(tables.items()):
        counts = frame.isna().sum()
        for column, missing in counts[counts > 0].items():
            rows.append(
                {
                    "table": table,
                    "column": column,
                    "missing": int(missing),
                    "share": missing / len(frame),
                }
            )
    return pd.DataFrame(rows, columns=["table", "column", "missing", "share"])


def duplicate_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Tables with rows that repeat another row of the same table in every column."""
    counts = {table: int(frame.duplicated().sum()) for table, frame in sorted(tables.items())}
    rows = [{"table": table, "duplicate_rows": n} for table, n in counts.items() if n]
    return pd.DataFrame(rows, columns=["table", "duplicate_rows"])


def quarantine_reasons(quarantine: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The most frequent quarantine reasons: table, column, reason, rows."""
    if quarantine.empty:
        return pd.DataFrame(columns=["table", "column", "reason", "rows"])
    counts = quarantine.groupby(["table", "column", "reason"], dropna=False).size().rename("rows")
    return counts.sort_values(ascending=False).head(top).reset_index()


QUARANTINE_SUMMARY = ["table", "rows", "column", "reason", "reason_rows"]


def quarantine_summary(quarantine: pd.DataFrame, tables) -> pd.DataFrame:
    """Per input table of ``tables`` (and any the quarantine names): the rows quarantined
    (0 for none) and the most frequent reason (column, reason, rows). Counts only; the rows
    themselves stay in the private quarantine files."""
    names = sorted(set(tables) | set(quarantine["table"] if "table" in quarantine else ()))
    out = pd.DataFrame({"table": names})
    if quarantine.empty:
        return out.assign(rows=0, column=None, reason=None, reason_rows=0)[QUARANTINE_SUMMARY]
    rows = quarantine.groupby("table")["row"].nunique().rename("rows")
    by_reason = (
        quarantine.groupby(["table", "column", "reason"], dropna=False)["row"]
        .nunique()
        .rename("reason_rows")
        .reset_index()
        .sort_values(
            ["table", "reason_rows", "column", "reason"], ascending=[True, False, True, True]
        )
        .drop_duplicates("table")
    )
    out = out.merge(rows.reset_index(), on="table", how="left").merge(
        by_reason, on="table", how="left"
    )
    counts = ["rows", "reason_rows"]
    out[counts] = out[counts].fillna(0).astype(int)
    return out[QUARANTINE_SUMMARY]


def quarantine_lines(summary: pd.DataFrame, tables: tuple[str, ...]) -> list[str]:
    """One sentence per table of ``tables`` that lost rows to the quarantine, for the summary
    of a page that uses it (the figures leave those rows out)."""
    if summary is None or "table" not in summary:
        return []
    lines = []
    chosen = summary[summary["table"].isin(tables) & (summary["rows"] > 0)]
    for r in chosen.itertuples(index=False):
        also = r.rows - r.reason_rows
        others = f"; {also:,} for other reasons" if also > 0 else ""
        lines.append(
            f"{r.rows:,} {'row' if r.rows == 1 else 'rows'} of {r.table} quarantined and left out "
            f"of every figure here ({r.reason_rows:,} for {r.column}: {r.reason}{others}); "
            "01 data collection lists them and keeps the rows in its private folder."
        )
    return lines


def monthly_order_volume(orders: pd.DataFrame) -> pd.DataFrame:
    """Order lines, units and net revenue per month."""
    month = to_datetime(orders["order_date"]).dt.to_period("M").dt.to_timestamp()
    return (
        orders.assign(month=month)
        .groupby("month")
        .agg(
            lines=("sku", "size"), quantity=("quantity", "sum"), net_revenue=("net_revenue", "sum")
        )
        .reset_index()
    )


def summary_lines(overview: pd.DataFrame, fresh: pd.DataFrame, period: str) -> list[str]:
    """Headline sentences: volume loaded, quarantine, the stalest table."""
    read, bad = int(overview["rows_read"].sum()), int(overview["quarantined"].sum())
    lines = [
        f"{counted(len(overview), 'table')} loaded for the {period} cycle: {read:,} rows read, "
        f"{read - bad:,} accepted, {bad:,} quarantined ({bad / read:.2%})."
        if read
        else "No rows were read.",
    ]
    worst = overview.sort_values("quarantined", ascending=False).head(1)
    if bad and not worst.empty:
        lines.append(
            f"Most quarantined rows are in {worst['table'].iloc[0]} ({int(worst['quarantined'].iloc[0]):,})."
        )
    if not fresh.empty:
        stale = fresh.sort_values("days_before_cutoff", ascending=False).iloc[0]
        lines.append(
            f"The stalest dated table is {stale['table']}: its latest event is {stale['latest']} "
            f"({counted(int(stale['days_before_cutoff']), 'day')} before the cut-off)."
        )
    return lines


def family_coverage(
    orders: pd.DataFrame, products: pd.DataFrame, cutoff: pd.Timestamp
) -> pd.DataFrame:
    """Items with orders in the 12 months to the cut-off, per family and location, and the last order date."""
    recent = orders.loc[to_datetime(orders["order_date"]) > cutoff - pd.DateOffset(months=12)]
    merged = recent.merge(products[["sku", "family"]], on="sku", how="left")
    items = merged.pivot_table(
        index="family", columns="location", values="sku", aggfunc="nunique", fill_value=0
    )
    items.columns = [f"items at {column}" for column in items.columns]
    last = (
        orders.merge(products[["sku", "family"]], on="sku", how="left")
        .groupby("family")["order_date"]
        .max()
        .dt.strftime("%Y-%m-%d")
        .rename("last_order")
    )
    return items.join(last, how="outer").reset_index()
