"""Batch execution leaves widget cells to JupyterLab, and nothing behind it."""

from pathlib import Path

import nbformat

from compass_nb import kernels
from compass_nb.kernels import without_widgets


def test_an_executed_notebook_leaves_no_kernel_connection_file_behind(tmp_path, monkeypatch):
    make, managers = kernels.private_kernel_manager, []

    def recorded(folder):
        managers.append(make(folder))
        return managers[-1]

    monkeypatch.setattr(kernels, "private_kernel_manager", recorded)
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    book.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    nbformat.write(book, tmp_path / "n.ipynb")
    kernels.execute_notebook(tmp_path / "n.ipynb", tmp_path / "out.ipynb", {}, cwd=tmp_path)
    (manager,) = managers
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[-1].outputs[0].text == "42\n"
    assert manager.connection_file  # the kernel used one, and it went with its folder
    assert not Path(manager.connection_file).exists()


def test_widget_cells_are_skipped_in_batch_runs_and_other_cells_are_not():
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("w", metadata={"tags": ["widget"]}),
    ]
    tags = [cell.metadata.get("tags", []) for cell in without_widgets(book).cells]
    assert tags == [[], ["widget", "skip-execution"]]
