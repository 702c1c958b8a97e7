"""CSV and XLSX exports of the plans for ERP and planners (the pack's ``exports/``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from compass_nb.formatting import months


def write_exports(
    tables: dict[str, pd.DataFrame], folder: Path, *, workbook: str = "supply_plan"
) -> list[Path]:
    """Write each table as ``<name>.csv`` and all of them as sheets of ``<workbook>.xlsx``.

    Months are written as ``YYYY-MM``; no index column. Returns the files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = folder / f"{name}.csv"
        months(df).to_csv(path, index=False)
        written.append(path)
    book = folder / f"{workbook}.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for name, df in tables.items():
            months(df).to_excel(xl, sheet_name=name[:31], index=False)
    written.append(book)
    return written
