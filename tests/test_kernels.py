"""Batch execution leaves widget cells to JupyterLab."""

import nbformat

from compass_nb.kernels import without_widgets


def test_widget_cells_are_skipped_in_batch_runs_and_other_cells_are_not():
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("w", metadata={"tags": ["widget"]}),
    ]
    tags = [cell.metadata.get("tags", []) for cell in without_widgets(book).cells]
    assert tags == [[], ["widget", "skip-execution"]]
