"""Batch execution leaves widget cells to JupyterLab, and nothing behind it."""

from pathlib import Path

import nbformat

from compass_nb import kernels
from compass_nb.kernels import without_widgets


def _notebook(*cells) -> nbformat.NotebookNode:
    """A Python 3 notebook of ``cells``."""
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    book.cells = list(cells)
    return book


def test_an_executed_notebook_leaves_no_kernel_connection_file_behind(tmp_path, monkeypatch):
    make, managers = kernels.private_kernel_manager, []

    def recorded(folder, **options):
        managers.append(make(folder, **options))
        return managers[-1]

    monkeypatch.setattr(kernels, "private_kernel_manager", recorded)
    nbformat.write(_notebook(nbformat.v4.new_code_cell("print(6 * 7)")), tmp_path / "n.ipynb")
    kernels.execute_notebook(tmp_path / "n.ipynb", tmp_path / "out.ipynb", {}, cwd=tmp_path)
    (manager,) = managers
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[-1].outputs[0].text == "42\n"
    assert manager.connection_file  # the kernel used one, and it went with its folder
    assert not Path(manager.connection_file).exists()


def test_the_executed_copy_is_written_when_each_code_cell_starts_and_at_the_end(
    tmp_path, monkeypatch
):
    import papermill.engines

    written, write = [], papermill.engines.write_ipynb

    def counted(book, path):
        written.append([c.get("execution_count") for c in book.cells if c.cell_type == "code"])
        write(book, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counted)
    book = _notebook(
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("x = 6"),
        nbformat.v4.new_markdown_cell("Some prose"),
        nbformat.v4.new_code_cell("print(x * 7)"),
    )
    nbformat.write(book, tmp_path / "n.ipynb")
    kernels.execute_notebook(tmp_path / "n.ipynb", tmp_path / "out.ipynb", {}, cwd=tmp_path)
    # papermill wrote it twice for every cell, markdown included (10 writes for these 4 cells)
    assert written == [[None, None], [None, None], [1, None], [1, 2]]
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[-1].outputs[0].text == "42\n"


def test_widget_cells_are_skipped_in_batch_runs_and_other_cells_are_not():
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("w", metadata={"tags": ["widget"]}),
    ]
    tags = [cell.metadata.get("tags", []) for cell in without_widgets(book).cells]
    assert tags == [[], ["widget", "skip-execution"]]


def _job(folder: Path, name: str, code: str = "") -> kernels.Job:
    book = _notebook(
        nbformat.v4.new_code_cell("value = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(code or "import sys\nprint(value * 2, 'pandas' in sys.modules)"),
    )
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


def _cold_and_forked(folder: Path, code: str = "") -> tuple[kernels.Job, kernels.Job]:
    """The same notebook rendered in a cold kernel and in one forked by the render server."""
    cold, forked = _job(folder, "cold", code), _job(folder, "forked", code)
    with kernels.RenderServer(threads=1) as server:
        server.start()
        assert kernels.render_notebook(cold, threads=1, timeout=120).status == "ok"
        assert kernels.render_notebook(forked, threads=1, timeout=120, server=server).status == "ok"
    return cold, forked


def test_a_notebook_forked_by_the_render_server_runs_as_a_cold_one_with_the_stack_imported(
    tmp_path,
):
    cold, forked = _cold_and_forked(tmp_path)
    # same cells (papermill's injected parameters third), same execution counts; only the
    # forked kernel had pandas imported before the notebook's first cell
    assert _run_cells(cold) == [(1, []), (2, []), (3, ["42 False\n"])]
    assert _run_cells(forked) == [(1, []), (2, []), (3, ["42 True\n"])]
    assert Path(forked.html).read_text(encoding="utf-8").count("42") >= 1


def test_a_forked_notebook_finds_the_chart_fonts_looked_up_and_no_figure_left_over(tmp_path):
    code = (
        "from matplotlib import font_manager\nimport matplotlib.pyplot as plt\n"
        "found = font_manager.fontManager._findfont_cached.cache_info().currsize\n"
        "print(found > 0, plt.get_fignums())"
    )
    cold, forked = _cold_and_forked(tmp_path, code)
    # the server drew one chart before forking (a first chart costs ~0.3 s of CPU more): its
    # font lookups and renderer are there; a cold kernel has looked up no font; neither has a
    # figure open (matplotlib reopens the font files after a fork, by design)
    assert _run_cells(cold)[-1][1] == ["False []\n"]
    assert _run_cells(forked)[-1][1] == ["True []\n"]


CHART_DRAWS = """\
from compass_nb import nb
nb._quiet(in_run=True)
import io
import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
draws, draw = [], FigureCanvasAgg.draw
FigureCanvasAgg.draw = lambda canvas: (draws.append(canvas), draw(canvas))[1]
"""


def test_a_chart_in_a_kernel_is_drawn_only_to_make_the_image_it_shows(tmp_path):
    book = _notebook(
        nbformat.v4.new_code_cell(CHART_DRAWS),
        nbformat.v4.new_code_cell("figure, axes = plt.subplots()\naxes.plot([1, 2]);"),
        nbformat.v4.new_code_cell(  # what saving the same chart as a PNG costs, for reference
            "shown = len(draws)\ndraws.clear()\nalone = Figure()\nalone.subplots().plot([1, 2])\n"
            "alone.savefig(io.BytesIO(), format='png', bbox_inches='tight')\n"
            "print(shown, len(draws), plt.get_fignums())"
        ),
    )
    nbformat.write(book, tmp_path / "chart.ipynb")
    kernels.execute_notebook(tmp_path / "chart.ipynb", tmp_path / "out.ipynb", {}, cwd=tmp_path)
    cells = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    assert [o["output_type"] for o in cells[1].outputs] == ["display_data"]
    assert "image/png" in cells[1].outputs[0]["data"]
    # pyplot's after-cell hook drew the figure once more before the inline backend drew it
    # into its image (three draws where a saved PNG takes two); shown, then closed
    assert cells[2].outputs[0]["text"] == "2 2 []\n"


def test_each_forked_notebook_gets_a_fresh_process_and_kernel_so_no_state_passes(tmp_path):
    code = (
        "import os, compass_nb\n"
        "print(getattr(compass_nb, 'left_behind', 'clean'), os.getpid(), os.getppid())\n"
        "compass_nb.left_behind = 'leaked'"
    )
    first, second = _job(tmp_path, "first", code), _job(tmp_path, "second", code)
    with kernels.RenderServer(threads=1) as server:
        server.start()
        for job in (first, second):
            assert (
                kernels.render_notebook(job, threads=1, timeout=120, server=server).status == "ok"
            )
    seen = [_run_cells(job)[-1][1][0].split() for job in (first, second)]
    assert [state for state, _, _ in seen] == ["clean", "clean"]
    assert seen[0][1] != seen[1][1] and seen[0][2] != seen[1][2]  # kernels, render processes


def test_a_forked_notebook_past_its_timeout_is_stopped_with_its_kernel(tmp_path):
    import psutil

    pid_file = tmp_path / "kernel.pid"
    code = f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)"
    job = _job(tmp_path, "slow", code)
    book = nbformat.read(job.source, as_version=4)  # a cell that ends before the slow one
    book.cells.insert(1, nbformat.v4.new_code_cell("print('ran before', 'the wait')"))
    book.cells.insert(2, nbformat.v4.new_markdown_cell("Waiting now."))
    nbformat.write(book, job.source)
    with kernels.RenderServer(threads=1) as server:
        server.start()
        outcome = kernels.render_notebook(job, threads=1, timeout=8, server=server)
        kernel = int(pid_file.read_text())
        psutil.wait_procs([psutil.Process(kernel)], timeout=10) if psutil.pid_exists(
            kernel
        ) else None
        assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == "zombie"
        # the server lives on and forks the next notebook
        assert (
            kernels.render_notebook(
                _job(tmp_path, "next"), threads=1, timeout=120, server=server
            ).status
            == "ok"
        )
    assert outcome.status == "timeout"
    assert "ran before the wait" in Path(job.html).read_text()  # the partial report of what ran


def test_the_server_is_used_only_for_its_threads_and_its_processes_stop_on_close(tmp_path):
    import psutil

    with kernels.RenderServer(threads=1) as server:
        assert server.launch(tmp_path / "job.json", str(tmp_path / "job.log"), 1) is None
        server.start()
        assert server.launch(tmp_path / "job.json", str(tmp_path / "job.log"), 2) is None
        pid = server._process.pid
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
