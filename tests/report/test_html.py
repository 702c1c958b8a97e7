"""Reports render without code, offline, with a run header, and keep data strings as text."""

import re

import nbformat
import pandas as pd

from compass_nb import nb
from compass_nb.report.html import render, reviewer_copy

WIDGET = "application/vnd.jupyter.widget-view+json"


def _notebook():
    book = nbformat.v4.new_notebook()
    table = nb.show(pd.DataFrame({"sku": ["<script>alert(1)</script>"], "units": [3.0]}))
    code = nbformat.v4.new_code_cell("secret_code_marker = 1\nnb.show(df)")
    code.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": str(table), "text/plain": "table"}
        ),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy\n"),
    ]
    widget = nbformat.v4.new_code_cell("w", metadata={"tags": ["widget"]})
    widget.outputs = [
        nbformat.v4.new_output(
            "display_data", data={WIDGET: {"model_id": "x"}, "text/plain": "VBox(children=(...))"}
        )
    ]
    book.cells = [
        nbformat.v4.new_markdown_cell("# The title\n\nWhat the reader sees."),
        code,
        widget,
    ]
    book.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return book


def _html(status="ok", error=""):
    return render(
        _notebook(),
        {
            "title": "The title",
            "period": "2026-10",
            "run_id": 3,
            "fingerprint": "abc123",
            "version": "0.1.0",
            "parameters": {"source": "demo"},
            "status": status,
            "error": error,
        },
    )


def test_the_report_has_no_code_cells():
    assert "secret_code_marker" not in _html()


def test_the_report_loads_nothing_from_the_network():
    page = _html()
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"https?://", page)
    assert "cdnjs" not in page and "unpkg" not in page and "mathjax" not in page.lower()


def test_the_report_opens_with_title_and_run_header():
    page = _html()
    header = page.index('class="compass-runheader"')
    assert page.index("The title", header) < page.index("What the reader sees")
    for field in ("2026-10", "abc123", "0.1.0", "Parameters"):
        assert field in page[header:]


def test_data_strings_are_escaped():
    page = _html()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_widgets_and_stderr_noise_are_left_out():
    page = _html()
    assert "VBox(children" not in page and "noisy" not in page and WIDGET not in page


def test_a_failed_notebook_says_so_plainly():
    page = _html(status="failed", error="ValueError: boom <b>")
    assert "did not complete" in page and "ValueError: boom &lt;b&gt;" in page


def test_a_failed_notebooks_report_shows_no_traceback_or_stderr():
    book = _notebook()
    book.cells[1].outputs.append(
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue="boom", traceback=["Traceback /home/ana/secret.py"]
        )
    )
    copy = reviewer_copy(book)
    kinds = [(o.get("output_type"), o.get("name")) for o in copy.cells[1].outputs]
    assert ("error", None) not in kinds and ("stream", "stderr") not in kinds
    page = render(book, {"title": "T", "status": "failed", "error": "ValueError: boom"})
    assert "/home/ana" not in page and "ValueError: boom" in page
