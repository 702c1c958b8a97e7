"""The notebook context's safe display helpers."""

import pandas as pd

from compass_nb import nb


def test_show_escapes_data_and_formats_numbers():
    html = str(
        nb.show(pd.DataFrame({"name": ["A & <b>"], "amount": [1234.5]}), caption="<i>cap</i>")
    )
    assert "A &amp; &lt;b&gt;" in html and "1,234.50" in html and "&lt;i&gt;cap&lt;/i&gt;" in html


def test_show_cuts_long_tables_and_says_how_many_rows_were_left_out():
    html = str(nb.show(pd.DataFrame({"x": range(40)}), max_rows=30))
    assert "10 more rows" in html


def test_summary_and_note_escape_their_text():
    assert "&lt;script&gt;" in str(nb.summary(["<script>"]))
    assert "&quot;q&quot;" in str(nb.note('"q"'))


def test_clean_tables_keep_their_own_period_column_through_the_store(tmp_path):
    ctx = nb.context(
        "t",
        period="2026-10",
        source="demo:small",
        store=tmp_path / "s.duckdb",
        run_dir=tmp_path / "run",
    )
    quotas = pd.DataFrame({"rep_id": ["r1"], "period": ["2026-12"], "quota": [10.0]})
    ctx.write("clean_quotas", nb._to_store(quotas))
    assert ctx.inputs("quotas")["quotas"].equals(quotas)


def test_show_turns_snake_case_headers_into_words():
    html = str(nb.show(pd.DataFrame({"rows_read": [1], "SKU": ["a"]})))
    assert "<th>Rows read</th>" in html and "<th>SKU</th>" in html
