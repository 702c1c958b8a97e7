"""Fiscal quarters: which quarter a date falls in, given the month the fiscal year starts.

A fiscal year is named for the calendar year in which it ends (Salesforce's default):
with ``fiscal_year_start=2`` the year February 2026 – January 2027 is ``FY2027``; with
``fiscal_year_start=1`` fiscal and calendar years coincide.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.errors import ParameterError


def _check_start(fiscal_year_start: int) -> int:
    if not isinstance(fiscal_year_start, int | float) or int(fiscal_year_start) not in range(1, 13):
        raise ParameterError(
            f"fiscal_year_start must be a month number 1-12, got {fiscal_year_start!r}; "
            "set it in the parameters file (e.g. fiscal_year_start: 2 for February)."
        )
    return int(fiscal_year_start)


def _quarter_parts(dates: pd.Series, fiscal_year_start: int) -> tuple[pd.Series, pd.Series]:
    start = _check_start(fiscal_year_start)
    dates = pd.to_datetime(pd.Series(dates))
    shifted = (dates.dt.month - start) % 12
    year = dates.dt.year + ((dates.dt.month >= start) & (start != 1)).astype(int)
    return year, shifted // 3 + 1


def fiscal_quarter(dates, fiscal_year_start: int = 1) -> pd.Series:
    """Label of the fiscal quarter of each date, e.g. ``"FY2027-Q1"``.

    Parameters
    ----------
    dates
        Dates (anything ``pandas.to_datetime`` reads).
    fiscal_year_start
        Month number (1–12) in which the fiscal year starts.

    Returns
    -------
    pandas.Series
        One label per date (``<NA>`` where the date is missing).

    Examples
    --------
    >>> fiscal_quarter(["2026-02-01", "2027-01-31"], 2).tolist()
    ['FY2027-Q1', 'FY2027-Q4']
    """
    dates = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    year, quarter = _quarter_parts(dates, fiscal_year_start)
    labels = "FY" + year.astype("Int64").astype(str) + "-Q" + quarter.astype("Int64").astype(str)
    return labels.where(dates.notna(), pd.NA)


def quarter_bounds(date, fiscal_year_start: int = 1) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the fiscal quarter holding ``date``."""
    start = _check_start(fiscal_year_start)
    date = pd.Timestamp(date).normalize()
    months_in = (date.month - start) % 3
    first = pd.Timestamp(date.year, date.month, 1) - pd.DateOffset(months=months_in)
    last = first + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    return first, last


def next_quarter_bounds(date, fiscal_year_start: int = 1) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the first fiscal quarter that starts after ``date``."""
    _, last = quarter_bounds(date, fiscal_year_start)
    return quarter_bounds(last + pd.Timedelta(days=1), fiscal_year_start)


def quarter_label(date, fiscal_year_start: int = 1) -> str:
    """Label of the fiscal quarter holding one date."""
    return str(fiscal_quarter([date], fiscal_year_start).iloc[0])


def past_quarters(
    first, last, fiscal_year_start: int = 1
) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Every complete fiscal quarter between two dates, as ``(label, start, end)``, oldest first."""
    out = []
    start, end = quarter_bounds(first, fiscal_year_start)
    if start < pd.Timestamp(first).normalize():
        start, end = next_quarter_bounds(first, fiscal_year_start)
    while end <= pd.Timestamp(last).normalize():
        out.append((quarter_label(start, fiscal_year_start), start, end))
        start, end = next_quarter_bounds(start, fiscal_year_start)
    return out
