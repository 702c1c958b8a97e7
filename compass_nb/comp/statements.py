"""Per-seller statements: one HTML and one CSV per seller and period, each with its trace.

Statements are private (written to the private folder, only when
``compensation.statements`` is true). Every value in the HTML is escaped.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd

from compass_nb.comp.engine import Payouts
from compass_nb.exports import write_csv

TRACE_COLUMNS = ["measure", "kind", "opportunity_id", "credit", "band", "rate", "rule", "amount"]
SUMMARY_FIELDS = [
    ("Plan", "plan_id"),
    ("Plan version", "version"),
    ("Quota", "quota"),
    ("Target incentive", "target_incentive"),
    ("Credit", "credit"),
    ("Attainment", "attainment"),
    ("Commission", "commission"),
    ("Pay per activity", "activity"),
    ("Activities counted", "units"),
    ("SPIFs", "spif"),
    ("Gates and caps", "caps"),
    ("Clawbacks", "clawback"),
    ("Adjustments", "adjustment"),
    ("Draws", "draw"),
    ("Draw balance after", "draw_balance"),
    ("Payout", "payout"),
]


def _text(value, column: str = "") -> str:
    """A cell as text: rates as percentages, money to the cent, attainment as a percentage."""
    if value is None or (not isinstance(value, str | Decimal) and pd.isna(value)):
        return ""
    if column == "rate" and isinstance(value, Decimal):
        return f"{float(value):.4%}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def statement_trace(result: Payouts, rep_id: str, period: str) -> pd.DataFrame:
    """The seller's lines for ``period``, in engine order."""
    lines = result.lines
    return lines.loc[
        (lines["rep_id"] == rep_id) & (lines["period"] == period), TRACE_COLUMNS
    ].reset_index(drop=True)


def statement_html(seller: pd.Series, name: str, trace: pd.DataFrame, currency: str = "EUR") -> str:
    """A self-contained, escaped HTML statement for one seller and period."""
    e = html.escape
    head = "".join(
        f"<tr><th>{e(label)}</th><td>{e(_text(seller[key], key))}</td></tr>"
        for label, key in SUMMARY_FIELDS
    )
    cells = "".join(
        "<tr>"
        + "".join(f"<td>{e(_text(v, c))}</td>" for c, v in zip(TRACE_COLUMNS, row, strict=True))
        + "</tr>"
        for row in trace.itertuples(index=False)
    )
    header = "".join(f"<th>{e(c)}</th>" for c in TRACE_COLUMNS)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Statement {e(str(seller['period']))}</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}</style></head><body>"
        f"<h1>Commission statement — {e(name)}</h1><p>Period {e(str(seller['period']))}; amounts in "
        f"{e(currency)}, each line rounded half-up to the cent.</p><table>{head}</table><h2>Trace</h2>"
        f"<table><tr>{header}</tr>{cells}</table></body></html>"
    )


def _csv_trace(trace: pd.DataFrame) -> pd.DataFrame:
    """The trace for CSV: money to the cent, rates exact."""
    money = {
        c: trace[c].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.2f}")
        for c in ("credit", "amount")
    }
    return trace.assign(**money)


def _file_stem(rep_id: str, period: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{rep_id}_{period}")


def write_statements(
    folder: str | Path, result: Payouts, reps: pd.DataFrame, period: str, currency: str = "EUR"
) -> list[Path]:
    """Write ``<rep_id>_<period>.html`` and ``.csv`` for every seller paid in ``period``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["name"].to_dict()
    written = []
    for _, seller in result.sellers.loc[result.sellers["period"] == period].iterrows():
        trace = statement_trace(result, seller["rep_id"], period)
        stem = folder / _file_stem(seller["rep_id"], period)
        stem.with_suffix(".html").write_text(
            statement_html(seller, str(names.get(seller["rep_id"], "")), trace, currency),
            encoding="utf-8",
        )
        write_csv(_csv_trace(trace), stem.with_suffix(".csv"))
        written += [stem.with_suffix(".html"), stem.with_suffix(".csv")]
    return written
