"""CSV and XLSX exports of the plans for ERP and planners (the pack's ``exports/``).

Every quantity leaves in whole units with its unit of measure. Planned production becomes
planned orders: each month's quantity rounded up to the item's lot size
(``products.lot_size``, 1 when absent) and raised to its minimum order quantity
(``products.moq``); the plan itself keeps its exact quantities, and the difference
rounding makes is reported (:func:`rounding_added`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compass_nb.exports import write_csv, write_xlsx
from compass_nb.formatting import months

UNIT = "units"


def planned_orders(plan: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Planned production as orders in whole units after lot size and MOQ.

    Returns ``family``, ``sku``, ``location``, ``month``, ``quantity`` (int), ``unit``,
    ``lot_size``, ``moq`` and ``planned`` (the plan's exact quantity, for the record).

    Examples
    --------
    >>> plan = pd.DataFrame({"family": "F", "sku": ["A", "A", "B"], "location": "L",
    ...                      "month": pd.to_datetime(["2026-11-01", "2026-12-01", "2026-11-01"]),
    ...                      "production": [13.2, 0.0, 2.5]})
    >>> products = pd.DataFrame({"sku": ["A", "B"], "lot_size": [12, None], "moq": [None, 5]})
    >>> planned_orders(plan, products)["quantity"].tolist()
    [24, 5]
    """
    p = products.drop_duplicates("sku").set_index("sku")
    lot = (p["lot_size"] if "lot_size" in p else pd.Series(np.nan, index=p.index)).astype(float)
    moq = (p["moq"] if "moq" in p else pd.Series(np.nan, index=p.index)).astype(float)
    made = plan[plan["production"] > 1e-9]
    out = made[["family", "sku", "location", "month"]].copy()
    out["planned"] = made["production"].astype(float).to_numpy()
    out["lot_size"] = out["sku"].map(lot).where(lambda s: s > 0, 1.0).fillna(1.0)
    out["moq"] = out["sku"].map(moq).fillna(0.0)
    # a float artefact (4.0000001) is not a reason for another lot
    lots = np.ceil((out["planned"] / out["lot_size"]).round(6)) * out["lot_size"]
    out["quantity"] = np.maximum(lots, np.ceil(out["moq"])).round().astype("int64")
    out["unit"] = UNIT
    columns = [
        "family",
        "sku",
        "location",
        "month",
        "quantity",
        "unit",
        "lot_size",
        "moq",
        "planned",
    ]
    return out[columns].reset_index(drop=True)


def rounding_added(orders: pd.DataFrame) -> tuple[float, float]:
    """Units the lot sizes and MOQs add to the plan, and that as a share of it."""
    planned = float(orders["planned"].sum())
    added = float(orders["quantity"].sum()) - planned
    return added, (added / planned if planned > 0 else float("nan"))


def whole_units(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` rounded to whole units (int) and money to cents."""
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].astype(float).round().astype("int64")
    for column in out.columns:
        if column not in columns and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(2)
    return out


def write_exports(
    tables: dict[str, pd.DataFrame], folder: Path, *, workbook: str = "supply_plan"
) -> list[Path]:
    """Write each table as ``<name>.csv`` and all of them as sheets of ``<workbook>.xlsx``.

    Months are written as ``YYYY-MM``; no index column; text that a spreadsheet would run
    as a formula is written as text (:mod:`compass_nb.exports`). Returns the files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_csv(months(df), folder / f"{name}.csv") for name, df in tables.items()]
    sheets = {name: months(df) for name, df in tables.items()}
    written.append(write_xlsx(sheets, folder / f"{workbook}.xlsx"))
    return written
