"""CSV and XLSX exports of the plans for ERP and planners (the pack's ``exports/``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from compass_nb.exports import write_csv, write_xlsx


def _for_export(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m")
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
    written = [write_csv(_for_export(df), folder / f"{name}.csv") for name, df in tables.items()]
    sheets = {name: _for_export(df) for name, df in tables.items()}
    written.append(write_xlsx(sheets, folder / f"{workbook}.xlsx"))
    return written
