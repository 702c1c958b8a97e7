"""What 01 hands to the pages that use a table: the quarantine counted, never its rows."""

import pandas as pd

from compass_nb import quality


def _quarantine() -> pd.DataFrame:
    # opportunities: row 2 breaks two rules, rows 3 and 4 one each; orders: one row
    return pd.DataFrame(
        {
            "table": ["opportunities"] * 4 + ["orders"],
            "file": ["opportunities.csv"] * 4 + ["orders.csv"],
            "row": [2, 2, 3, 4, 9],
            "column": ["close_date", "amount", "close_date", "stage", "quantity"],
            "reason": ["not a date", "negative", "not a date", "unknown stage", "negative"],
        }
    )


def test_the_summary_counts_rows_once_and_names_the_most_frequent_reason():
    got = quality.quarantine_summary(_quarantine(), ["reps"]).set_index("table")
    assert got.loc["opportunities", "rows"] == 3  # rows 2, 3, 4: row 2 counted once
    assert (got.loc["opportunities", "column"], got.loc["opportunities", "reason"]) == (
        "close_date",
        "not a date",
    )
    assert got.loc["opportunities", "reason_rows"] == 2
    assert got.loc["orders", "rows"] == 1
    assert got.loc["reps", "rows"] == 0 and got.loc["reps", "reason_rows"] == 0


def test_a_page_names_only_the_tables_it_uses_with_the_other_reasons_counted():
    summary = quality.quarantine_summary(_quarantine(), ["reps"])
    (line,) = quality.quarantine_lines(summary, ("opportunities", "reps"))
    assert line.startswith("3 rows of opportunities quarantined")
    assert "2 for close_date: not a date; 1 for other reasons" in line
    assert quality.quarantine_lines(summary, ("reps",)) == []


def test_nothing_quarantined_says_nothing():
    empty = quality.quarantine_summary(_quarantine().iloc[0:0], ["orders"])
    assert list(empty.columns) == quality.QUARANTINE_SUMMARY
    assert empty["rows"].tolist() == [0]
    assert quality.quarantine_lines(empty, ("orders",)) == []
    assert quality.quarantine_lines(pd.DataFrame(), ("orders",)) == []
