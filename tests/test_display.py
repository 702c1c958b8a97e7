"""Safe display: escaped tables, summaries and notes."""

import pandas as pd

from compass_nb import display


def test_show_escapes_data_and_formats_numbers_by_their_unit():
    html = str(
        display.show(
            pd.DataFrame({"name": ["A & <b>"], "amount": [1234.56], "fill_rate": [0.9512]}),
            caption="<i>cap</i>",
        )
    )
    assert "A &amp; &lt;b&gt;" in html and "&lt;i&gt;cap&lt;/i&gt;" in html
    assert "1,235" in html and "95.1%" in html


def test_show_cuts_long_tables_and_says_how_many_rows_were_left_out():
    html = str(display.show(pd.DataFrame({"x": range(40)}), max_rows=30))
    assert "10 more rows" in html


def test_an_empty_table_shows_its_message_instead():
    html = str(display.show(pd.DataFrame(), caption="Movers", empty="No previous cycle."))
    assert "Movers" in html and "No previous cycle." in html and "<table" not in html


def test_summary_and_note_escape_their_text():
    assert "&lt;script&gt;" in str(display.summary(["<script>"]))
    assert "&quot;q&quot;" in str(display.note('"q"'))


def test_show_turns_snake_case_headers_into_words():
    html = str(display.show(pd.DataFrame({"rows_read": [1], "SKU": ["a"], "wape": [0.1]})))
    assert "<th>Rows read</th>" in html and "<th>SKU</th>" in html and "<th>WAPE</th>" in html
