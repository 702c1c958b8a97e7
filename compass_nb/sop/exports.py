"""CSV and XLSX exports of the plans for ERP and planners (the pack's ``exports/``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from compass_nb.exports import write_csv, write_xlsx
from compass_nb.formatting import months


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
