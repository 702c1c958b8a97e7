"""The calendar: periods and their ends, month spans, fiscal quarters — in one place.

Every table works in calendar months keyed by a ``month`` column holding the month's
first day as a ``Timestamp``; cycles are labelled by their period ``YYYY-MM``. A fiscal
year is named for the calendar year in which it ends (Salesforce's default): with
``fiscal_year_start=2`` the year February 2026 – January 2027 is ``FY2027``; with
``fiscal_year_start=1`` fiscal and calendar years coincide.
"""

from __future__ import annotations

import re

import pandas as pd

from compass_nb.errors import InputError, ParameterError

#: The average month, in days.
DAYS_PER_MONTH = 365.25 / 12


# -- periods and months ----------------------------------------------------------------------
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: The months a cycle can be (the contracts' date range).
PERIOD_RANGE = ("1900-01", "2199-12")


def check_period(period: str) -> str:
    """``period`` as ``YYYY-MM``; :class:`InputError` when it is not a month the data can hold.

    Examples
    --------
    >>> check_period(" 2026-10 ")
    '2026-10'
    """
    text = str(period).strip()
    if not _PERIOD.match(text):
        raise InputError(
            f"The period {str(period)!r} is not a month: write it as YYYY-MM with a month from "
            "01 to 12, e.g. --period 2026-10."
        )
    low, high = PERIOD_RANGE
    if not low <= text <= high:
        raise InputError(
            f"The period {text} is outside the months the data can hold ({low} to {high}): "
            "write the month under review, e.g. --period 2026-10."
        )
    return text


def to_datetime(values, **options):
    """``pandas.to_datetime(values, **options)``, the package's one way to read dates.

    Values that already are datetimes skip pandas' cache: deciding whether to cache turns
    up to 500 of them into ``Timestamp`` objects on every call, about 12 ms for a long
    column (seconds per cycle, summed over the steps), only to change nothing.
    """
    if pd.api.types.is_datetime64_any_dtype(getattr(values, "dtype", None)):
        options.setdefault("cache", False)
    return pd.to_datetime(values, **options)


def as_dates(values) -> pd.Series:
    """``values`` as a datetime Series; one that already is one is returned as it is."""
    values = pd.Series(values)
    return values if pd.api.types.is_datetime64_any_dtype(values) else to_datetime(values)


def month_of(dates) -> pd.Series:
    """First day of the month of each date (or ``YYYY-MM`` label)."""
    return as_dates(dates).dt.to_period("M").dt.to_timestamp()


def period_month(period: str) -> pd.Timestamp:
    """First day of a period ``YYYY-MM``; a malformed label raises ``ParameterError``."""
    try:
        return pd.Period(str(period), freq="M").to_timestamp()
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            f"period {period!r} is not a month; write it as YYYY-MM, e.g. 2026-10."
        ) from exc


def period_months(periods) -> pd.Series:
    """First day of each ``YYYY-MM`` label, vectorised; a malformed label raises ``ParameterError``."""
    labels = pd.Series(periods).astype(str)
    distinct = labels.unique()  # a store table repeats a few periods on many rows: parse each once
    try:
        months = pd.PeriodIndex(distinct, freq="M").to_timestamp()
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            "a period column holds a value that is not a month; write periods as YYYY-MM, e.g. 2026-10."
        ) from exc
    return labels.map(dict(zip(distinct, months, strict=True))).astype("datetime64[ns]")


def month_numbers(values) -> pd.Series:
    """``year × 12 + month`` of each date or ``YYYY-MM`` label (so a lag in months is a
    subtraction); labels go through :func:`period_months`, parsed once per distinct value."""
    values = pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = period_months(values)
    return values.dt.year * 12 + values.dt.month


def period_label(month) -> str:
    """``YYYY-MM`` label of a month."""
    return pd.Timestamp(month).strftime("%Y-%m")


def plan_months(period: str, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` months after the cycle's period, first days."""
    if int(horizon) < 1:
        raise ParameterError(f"horizon must be at least 1 month, got {horizon!r}.")
    first = period_month(period) + pd.DateOffset(months=1)
    return pd.date_range(first, periods=int(horizon), freq="MS")


def period_end(period: str) -> pd.Timestamp:
    """The last day of a period ``YYYY-MM`` (its cut-off), at midnight; a label that is not
    a month raises :class:`InputError`.

    Examples
    --------
    >>> period_end("2024-02")
    Timestamp('2024-02-29 00:00:00')
    """
    return pd.Period(check_period(period), freq="M").end_time.normalize()


def next_period(period: str) -> str:
    """The period after ``period``."""
    return str(pd.Period(check_period(period), freq="M") + 1)


def months_apart(start, end) -> pd.Series:
    """Whole months from ``start`` to ``end`` (both month-like): the lag of a forecast."""
    return month_numbers(as_dates(end)) - month_numbers(as_dates(start))


def month_labels(start, end) -> list[str]:
    """The ``YYYY-MM`` months from ``start`` to ``end`` inclusive."""
    return [str(p) for p in pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")]


# -- fiscal quarters -------------------------------------------------------------------------
def _check_start(fiscal_year_start: int) -> int:
    if not isinstance(fiscal_year_start, int | float) or int(fiscal_year_start) not in range(1, 13):
        raise ParameterError(
            f"fiscal_year_start must be a month number 1-12, got {fiscal_year_start!r}; "
            "set it in the parameters file (e.g. fiscal_year_start: 2 for February)."
        )
    return int(fiscal_year_start)


def _quarter_parts(dates: pd.Series, fiscal_year_start: int) -> tuple[pd.Series, pd.Series]:
    start = _check_start(fiscal_year_start)
    dates = as_dates(dates)
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
    dates = as_dates(dates).reset_index(drop=True)
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
