"""Numbers and labels as a reader wants them: one module for money, percents, units and
column names, used by summary sentences, tables (:func:`compass_nb.nb.show`) and charts.

Column formats follow the column's name (``fill_rate`` is a percent, ``revenue`` money,
``units`` whole units) so that a notebook shows a table without spelling out formats;
a ``-0`` never reaches the reader.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Words of a column name shown in capitals or another spelling.
WORDS = {
    "wape": "WAPE",
    "mae": "MAE",
    "mape": "MAPE",
    "mase": "MASE",
    "smape": "sMAPE",
    "owa": "OWA",
    "fva": "FVA",
    "sku": "SKU",
    "skus": "SKUs",
    "enps": "eNPS",
    "nps": "NPS",
    "id": "ID",
    "ds": "month",
    "mtd": "month-to-date",
    "ytd": "year to date",
    "yhat": "forecast",
    "lo": "low",
    "hi": "high",
    "pct": "%",
    "p10": "P10",
    "p50": "P50",
    "p90": "P90",
    "ote": "OTE",
    "spif": "SPIF",
    "spifs": "SPIFs",
    "kpi": "KPI",
    "kpis": "KPIs",
    "sd": "SD",
    "se": "SE",
    "ci": "CI",
    "erp": "ERP",
    "dc": "DC",
    "asc": "ASC",
    "sdr": "SDR",
    "ae": "AE",
    "am": "AM",
    "fy": "FY",
}

_PERCENT = {
    "rate",
    "share",
    "wape",
    "mape",
    "coverage",
    "pct",
    "attainment",
    "adherence",
    "participation",
    "favourable",
    "favourability",
    "utilisation",
    "utilization",
    "probability",
    "accuracy",
}
_SIGNED_PERCENT = {"bias", "fva", "growth"}
_MONEY = {
    "revenue",
    "margin",
    "value",
    "cost",
    "amount",
    "payout",
    "payouts",
    "budget",
    "bookings",
    "price",
    "pay",
    "quota",
    "salary",
    "commission",
    "weighted",
    "commit",
    "pipeline",
}
_UNITS = {
    "units",
    "demand",
    "supply",
    "quantity",
    "stock",
    "forecast",
    "consensus",
    "adjustment",
    "override",
    "production",
    "requirement",
    "opening",
    "closing",
    "backlog",
    "excess",
    "receipts",
    "hand",
    "met",
    "unmet",
    "shortfall",
    "gap",
    "nowcast",
    "mtd",
    "invited",
}
_NAMED = {
    "cost_of_sales": "{:.1%}",
    "closed": "{:,.0f}",
    "share_of_gap_closed": "{:.0%}",
    "capacity_change": "{:+.0%}",
}


def label(column) -> str:
    """A column name as a reader wants it: ``rows_read`` → ``Rows read``, ``wape`` → ``WAPE``,
    ``mtd`` → ``Month-to-date`` (names that are not snake_case are left as they are)."""
    if not isinstance(column, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", column):
        return column
    words = [WORDS.get(word, word) for word in column.split("_") if word]
    text = " ".join(words).replace(" %", " %")
    if text[:1].islower() and not text.startswith("eNPS") and not text.startswith("sMAPE"):
        text = text[0].upper() + text[1:]
    return text


def _tokens(column: str) -> set[str]:
    return set(str(column).lower().split("_"))


def column_format(column, values: pd.Series) -> str | None:
    """The format string for one column, from its name and its values (``None``: as is)."""
    if not isinstance(column, str):
        column = str(column)
    if column in _NAMED:
        return _NAMED[column]
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    tokens = _tokens(column)
    if tokens & _SIGNED_PERCENT or ({"vs", "change"} & tokens and tokens & _PERCENT):
        return "{:+.1%}"
    if tokens & _PERCENT:
        return "{:.1%}"
    if pd.api.types.is_integer_dtype(values):
        return "{:,}"
    finite = values[np.isfinite(values.astype(float))].abs() if len(values) else values
    largest = float(finite.max()) if len(finite) else 0.0
    if tokens & _MONEY or tokens & _UNITS:
        return "{:,.0f}" if largest >= 100 else "{:,.2f}"
    if largest >= 100:
        return "{:,.0f}"
    return "{:,.2f}"


def no_negative_zero(text: str) -> str:
    """``-0``, ``−0.0 %``, ``-0.00`` as ``0``, ``0.0 %``, ``0.00``."""
    return re.sub(r"^[-−](0(?:[.,]0+)?)(?=\D*$)", r"\1", text)


def formatted(value, fmt: str) -> str:
    """``value`` through ``fmt`` (empty for a missing value; never a negative zero)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    try:
        return no_negative_zero(fmt.format(value))
    except (ValueError, TypeError):
        return str(value)


def display_frame(
    frame: pd.DataFrame, formats: dict | None = None, *, values: str | None = None
) -> pd.DataFrame:
    """A copy of ``frame`` as text: months as ``YYYY-MM``, dates as ``YYYY-MM-DD``,
    numbers by ``formats``, else by ``values`` for a column whose name is not a word (a
    month, a group), else by :func:`column_format`; columns relabelled by :func:`label`."""
    formats = dict(formats or {})
    default = values
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        named = isinstance(column, str) and re.fullmatch(r"[a-z][a-z0-9_]*", column)
        fmt = formats.get(column) or (
            default
            if default and not named and pd.api.types.is_numeric_dtype(values)
            else column_format(column, values)
        )
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = _dates(values)
        elif fmt is not None:
            out[column] = [formatted(v, fmt) for v in values]
        else:
            out[column] = values.map(lambda v: "" if v is None or v is pd.NA else v)
    return out.rename(columns=label)


def _dates(values: pd.Series) -> pd.Series:
    present = values.dropna()
    monthly = len(present) and (present.dt.day == 1).all() and (present.dt.hour == 0).all()
    text = values.dt.strftime("%Y-%m" if monthly else "%Y-%m-%d")
    return text.fillna("")


def months(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with datetime columns as ``YYYY-MM`` labels (for exports and charts)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m")
    return out


def money(value: float, currency: str | None = None, signed: bool = False) -> str:
    """An amount in a sentence: ``1.23 M EUR``, ``456 k EUR``, ``−12 EUR`` (``+1.23 M EUR``
    when signed, as a change); ``n/a`` if missing."""
    if value is None or pd.isna(value):
        return "n/a"
    sign = "−" if value < 0 and round(abs(value)) != 0 else ""
    sign = "+" if signed and value > 0 and round(value) != 0 else sign
    value = abs(value)
    if value >= 1e6:
        text = f"{value / 1e6:,.2f} M"
    elif value >= 1e3:
        text = f"{value / 1e3:,.0f} k"
    else:
        text = f"{value:,.0f}"
    return f"{sign}{text}" + (f" {currency}" if currency else "")


def axis_money(value: float, _=None) -> str:
    """A short money label: ``950``, ``12 k``, ``3.2 M`` (usable as a matplotlib tick formatter)."""
    value = float(value) + 0.0  # no "-0"
    if abs(value) < 0.5:
        return "0"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f} M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f} k"
    return f"{value:,.0f}"


def pct(value: float, signed: bool = False, digits: int = 1) -> str:
    """A share in a sentence: ``12.3%`` (``+12.3%`` when signed); ``n/a`` if missing."""
    if value is None or pd.isna(value):
        return "n/a"
    return no_negative_zero(f"{value:{'+' if signed else ''}.{digits}%}")


def units(value: float) -> str:
    """Whole units in a sentence: ``12,345``; ``n/a`` if missing."""
    if value is None or pd.isna(value):
        return "n/a"
    return no_negative_zero(f"{value:,.0f}")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in a sentence: ``1 table``, ``3 tables``, ``1,200 rows``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def assumed_lines(assumptions) -> list[str]:
    """The summary sentences stating what absent inputs force: ``Assumed: <text>.`` each."""
    return [f"Assumed: {a}." for a in assumptions]
