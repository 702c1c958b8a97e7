"""The one writer of every CSV and XLSX file the project writes (exports, payroll, statements,
quarantine).

A spreadsheet opening a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) runs it as a formula: a SKU, account or name such as
``=HYPERLINK("http://evil","click")`` taken from the data would become a live link or
worse. Every text cell, and every column name, that starts so is written with a
leading apostrophe (``'=HYPERLINK(...)``, the convention spreadsheets show as text);
numbers stay numbers, including text that is a plain number (``-12.50`` in the payroll
export, written as text to keep its cents exact). XLSX cells also lose the control
characters the format cannot hold.

``defusedcsv`` does the first half for Python's csv module only; pandas and openpyxl need
the same rule applied to the frame, so it lives here, once, for both formats.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: The prefix that makes a spreadsheet show such a cell as text.
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_PLAIN = (bool, numbers.Number, Decimal, dt.date, dt.datetime, dt.time, pd.Timestamp, np.generic)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (a plain number is not one)."""
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text.strip())


def neutralised(value):
    """``value`` safe to put in a spreadsheet cell: text that would be a formula gets a quote.

    Examples
    --------
    >>> neutralised('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralised("-12.50"), neutralised(-3), neutralised("DC-North")
    ('-12.50', -3, 'DC-North')
    """
    if value is None or isinstance(value, _PLAIN):
        return value
    text = value if isinstance(value, str) else str(value)
    if not isinstance(value, str) and pd.isna(value):
        return value
    return QUOTE + text if is_formula(text) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as formulas."""
    out = frame.copy()
    out.columns = [neutralised(str(c)) if isinstance(c, str) else c for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out.isetitem(i, column.map(neutralised, na_action="ignore"))
    return out


def _line_breaks(value):
    """A carriage return inside a cell as ``\n``: pandas leaves a cell holding a lone ``\r``
    unquoted, and a reader would start a new row (and a new, unchecked cell) there."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def write_csv(frame: pd.DataFrame, path: str | Path, **options) -> Path:
    """Write ``frame`` as a UTF-8 CSV file without its index, formulas neutralised.

    ``options`` go to :meth:`pandas.DataFrame.to_csv` (``date_format``, ``float_format``...).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    options.setdefault("index", False)
    options.setdefault("encoding", "utf-8")
    safe = safe_frame(frame)
    for i in range(safe.shape[1]):
        if safe.iloc[:, i].dtype == object:
            safe.isetitem(i, safe.iloc[:, i].map(_line_breaks, na_action="ignore"))
    safe.to_csv(path, **options)
    return path


def _for_xlsx(value):
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("", value)
    return value


def sheet_name(name: str, taken: set[str] = frozenset()) -> str:
    """``name`` as an Excel sheet name: no ``[]:*?/\\``, at most 31 characters, unique."""
    base = _SHEET_ILLEGAL.sub("_", str(name)).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    return candidate


#: XlsxWriter writes every text cell as the text it is: never as a formula, a link or a
#: number (faster than openpyxl for the plan exports, 9,000 rows × 30 columns).
_AS_WRITTEN = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def write_xlsx(sheets: dict[str, pd.DataFrame] | pd.DataFrame, path: str | Path) -> Path:
    """Write one workbook, a sheet per frame (name → frame), formulas neutralised.

    Numbers are written as numbers; text that would run as a formula is written quoted,
    as text; characters XLSX cannot hold are dropped.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(sheets, pd.DataFrame):
        sheets = {path.stem: sheets}
    taken: set[str] = set()
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": _AS_WRITTEN}) as book:
        for name, frame in sheets.items():
            safe = safe_frame(frame)
            safe.columns = [_for_xlsx(c) for c in safe.columns]
            for i in range(safe.shape[1]):
                if safe.iloc[:, i].dtype == object:
                    safe.isetitem(i, safe.iloc[:, i].map(_for_xlsx, na_action="ignore"))
            title = sheet_name(name, taken)
            taken.add(title)
            safe.to_excel(book, sheet_name=title, index=False)
    return path


def write_table(frame: pd.DataFrame, path: str | Path, **options) -> Path:
    """Write ``frame`` as CSV or XLSX, by the suffix of ``path``."""
    if Path(path).suffix.lower() == ".xlsx":
        return write_xlsx({Path(path).stem: frame}, path)
    return write_csv(frame, path, **options)
