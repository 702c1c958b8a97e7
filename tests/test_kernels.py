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


def _job(folder: Path, name: str) -> kernels.Job:
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    book.cells = [
        nbformat.v4.new_code_cell("value = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import sys\nprint(value * 2, 'pandas' in sys.modules)"),
    ]
    nbformat.write(book, folder / f"{name}.ipynb")
    return kernels.Job(
        source=str(folder / f"{name}.ipynb"),
        executed=str(folder / "out" / f"{name}.ipynb"),
        html=str(folder / "out" / f"{name}.html"),
        parameters={"value": 21},
        cwd=str(folder),
        header={},
        log=str(folder / "work" / f"{name}.log"),
    )


def _run_cells(job: kernels.Job) -> list:
    cells = nbformat.read(job.executed, as_version=4).cells
    return [(c.execution_count, [o.get("text") for o in c.outputs]) for c in cells]


def test_a_warm_process_runs_its_notebook_as_a_cold_one_does_in_a_kernel_with_the_stack_imported(
    tmp_path,
):
    cold, warm_job = _job(tmp_path, "cold"), _job(tmp_path, "warm")
    with kernels.WarmKernels(tmp_path, threads=1) as warm:
        warm.fill(1)
        assert kernels.render_notebook(cold, threads=1, timeout=120).status == "ok"
        assert kernels.render_notebook(warm_job, threads=1, timeout=120, warm=warm).status == "ok"
        assert warm.take(tmp_path, 1) is None  # the one warm process was used, not started again
    # same cells (papermill's injected parameters third), same execution counts: the warm-up
    # ran silently; only the warm kernel had pandas imported before the notebook's first cell
    assert _run_cells(cold) == [(1, []), (2, []), (3, ["42 False\n"])]
    assert _run_cells(warm_job) == [(1, []), (2, []), (3, ["42 True\n"])]
    assert Path(warm_job.html).read_text(encoding="utf-8").count("42") >= 1


def test_warm_processes_are_only_taken_for_their_folder_and_threads_and_stop_on_close(tmp_path):
    import psutil

    with kernels.WarmKernels(tmp_path, threads=1) as warm:
        warm.fill(2)
        pids = [p.pid for p in warm._ready]
        assert warm.take(tmp_path / "elsewhere", 1) is None
        assert warm.take(tmp_path, 2) is None
    assert not [
        pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
    ]
