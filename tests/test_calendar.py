import pandas as pd
import pytest

from compass_nb.calendar import (
    fiscal_quarter,
    next_quarter_bounds,
    past_quarters,
    quarter_bounds,
    to_datetime,
)
from compass_nb.errors import ParameterError


def test_fiscal_year_is_named_for_the_year_it_ends():
    labels = fiscal_quarter(
        ["2026-02-01", "2026-04-30", "2026-05-01", "2027-01-31", "2026-01-31"], 2
    )
    assert labels.tolist() == ["FY2027-Q1", "FY2027-Q1", "FY2027-Q2", "FY2027-Q4", "FY2026-Q4"]


def test_calendar_fiscal_year_matches_calendar_quarters():
    assert fiscal_quarter(["2026-10-31", "2027-01-01"], 1).tolist() == ["FY2026-Q4", "FY2027-Q1"]


def test_quarter_bounds_and_the_next_quarter():
    assert quarter_bounds("2026-03-15", 2) == (
        pd.Timestamp("2026-02-01"),
        pd.Timestamp("2026-04-30"),
    )
    assert quarter_bounds("2026-01-15", 2) == (
        pd.Timestamp("2025-11-01"),
        pd.Timestamp("2026-01-31"),
    )
    assert next_quarter_bounds("2026-10-31", 1) == (
        pd.Timestamp("2027-01-01"),
        pd.Timestamp("2027-03-31"),
    )


def test_past_quarters_lists_only_complete_quarters():
    labels = [q[0] for q in past_quarters("2025-01-15", "2025-12-30", 1)]
    assert labels == ["FY2025-Q2", "FY2025-Q3"]


def test_bad_fiscal_year_start_is_a_parameter_error():
    with pytest.raises(ParameterError, match="fiscal_year_start"):
        fiscal_quarter(["2026-01-01"], 13)


def test_to_datetime_gives_what_pandas_gives_for_datetimes_strings_and_scalars():
    days = pd.Series(pd.date_range("2026-01-30", periods=120, freq="D"))
    assert to_datetime(days).equals(pd.to_datetime(days))
    text = pd.Series(["2026-10-01", "not a date", None] * 30)
    assert to_datetime(text, errors="coerce").equals(pd.to_datetime(text, errors="coerce"))
    assert to_datetime("2026-10-31") == pd.Timestamp("2026-10-31")
    index = pd.DatetimeIndex(days)
    assert to_datetime(index).equals(index)
