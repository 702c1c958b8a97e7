"""One formatting layer: labels, units from column names, no negative zero."""

import pandas as pd
import pytest

from compass_nb import formatting as f


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("rows_read", "Rows read"),
        ("wape", "WAPE"),
        ("mae", "MAE"),
        ("fva", "FVA"),
        ("mtd", "Month-to-date"),
        ("ds", "Month"),
        ("enps", "eNPS"),
        ("stat_lo_80", "Stat low 80"),
        ("Already Words", "Already Words"),
    ],
)
def test_labels_read_as_words_with_their_acronyms(column, label):
    assert f.label(column) == label


@pytest.mark.parametrize(
    ("column", "values", "shown"),
    [
        ("fill_rate", [0.9512], "95.1%"),
        ("bias", [-0.0123], "-1.2%"),
        ("revenue", [1234567.8], "1,234,568"),
        ("unit_price", [12.345], "12.35"),
        ("consensus", [3732.6262445409466], "3,733"),
        ("adjustment", [-0.0001], "0.00"),
        ("count", pd.array([12345], dtype="int64"), "12,345"),
    ],
)
def test_numbers_are_shown_in_the_unit_their_name_says(column, values, shown):
    frame = f.display_frame(pd.DataFrame({column: values}))
    assert frame.iloc[0, 0] == shown


def test_a_negative_zero_never_reaches_the_reader():
    assert f.no_negative_zero("-0") == "0"
    assert f.no_negative_zero("−0.0 %") == "0.0 %"
    assert f.no_negative_zero("-0.5") == "-0.5"
    assert f.formatted(-0.0001, "{:+.1f}") == "0.0"
    assert f.units(-0.2) == "0"


def test_months_show_as_year_and_month_and_dates_in_full():
    frame = pd.DataFrame(
        {"month": pd.to_datetime(["2026-11-01"]), "when": pd.to_datetime(["2026-11-15"])}
    )
    shown = f.display_frame(frame)
    assert shown.iloc[0].tolist() == ["2026-11", "2026-11-15"]


def test_money_in_sentences_is_short_and_carries_its_currency():
    assert f.money(1_490_000, "EUR") == "1.49 M EUR"
    assert f.money(-12_300, "EUR") == "−12 k EUR"
    assert f.money(float("nan"), "EUR") == "n/a"
    # a change carries its sign either way, and a change that rounds to nothing none
    assert f.money(7_165_531, "EUR", signed=True) == "+7.17 M EUR"
    assert f.money(-7_137_195, "EUR", signed=True) == "−7.14 M EUR"
    assert f.money(0.4, "EUR", signed=True) == "0 EUR"
    assert f.pct(0.0345, signed=True) == "+3.5%"
