"""The notebook side: the context a notebook builds, inside and outside a run."""

import json

import pandas as pd
import pytest

from compass_nb import nb, params
from compass_nb.context import Context, to_store
from compass_nb.errors import ParameterError


def test_outside_a_run_the_context_merges_the_defaults_with_the_notebooks_values(tmp_path):
    namespace = {"period": "2026-09", "movers": 3, "author": None, "total": 5, "run_dir": None}
    ctx = nb.context(
        "demand_planning",
        namespace,
        source="demo:small",
        store=str(tmp_path / "s.duckdb"),
        upstream=False,  # parameters only: the upstream tables are tests/test_lab.py's
    )
    assert ctx.period == "2026-09" and not ctx.in_run
    assert ctx.settings.movers == 3  # set in the notebook
    assert ctx.settings.author == params.defaults()["demand_planning"]["author"]  # None: default
    assert ctx.shared.horizon == params.defaults()["horizon"]
    assert "total" not in ctx.params  # a notebook's own variable is not a parameter
    assert ctx.run_dir.exists() and ctx.run_dir != tmp_path  # a scratch folder


def test_a_value_of_the_wrong_type_names_the_key(tmp_path):
    with pytest.raises(ParameterError, match="demand_planning.movers"):
        nb.context("demand_planning", {"movers": "ten"}, period="2026-10", source="demo:small")


def test_inside_a_run_the_context_takes_the_runs_parameters(tmp_path):
    merged = params.load(sets=["source=demo:small", "demand_planning.movers=4"])
    record = {
        "period": "2026-08",
        "run_id": 7,
        "params": merged,
        "store": str(tmp_path / "s.duckdb"),
        "threads": 2,
    }
    (tmp_path / "run.json").write_text(json.dumps(record))
    ctx = nb.context("demand_planning", {"run_dir": str(tmp_path), "movers": None})
    assert (ctx.period, ctx.run_id, ctx.threads, ctx.in_run) == ("2026-08", 7, 2, True)
    assert ctx.settings.movers == 4


def test_clean_tables_keep_their_own_period_column_through_the_store(tmp_path):
    merged = params.load(sets=["source=demo:small"])
    ctx = Context("t", "2026-10", merged, store=tmp_path / "s.duckdb", run_dir=tmp_path / "run")
    quotas = pd.DataFrame({"rep_id": ["r1"], "period": ["2026-12"], "quota": [10.0]})
    ctx.write("clean_quotas", to_store(quotas))
    assert ctx.inputs("quotas")["quotas"].equals(quotas)


def test_a_step_computed_in_a_run_is_kept_for_its_notebook(tmp_path):
    merged = params.load(sets=["source=demo:small"])
    ctx = Context(
        "t", "2026-10", merged, store=tmp_path / "s.duckdb", run_dir=tmp_path, in_run=True
    )
    assert ctx.kept_result() is None
    ctx.keep_result({"figure": 1})
    assert ctx.kept_result() == {"figure": 1}
    outside = Context("t", "2026-10", merged, store=tmp_path / "s.duckdb", run_dir=tmp_path)
    assert outside.kept_result() is None  # exploring always recomputes


def test_a_store_only_cycle_keeps_no_result_since_no_notebook_shows_it(tmp_path):
    merged = params.load(sets=["source=demo:small"])
    ctx = Context(
        "t",
        "2026-10",
        merged,
        store=tmp_path / "s.duckdb",
        run_dir=tmp_path,
        in_run=True,
        makes_files=False,
    )
    ctx.keep_result({"figure": 1})
    assert ctx.kept_result() is None
    assert not (tmp_path / "results").exists()


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
    import nbformat

    from compass_nb import kernels

    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    book.cells = [
        nbformat.v4.new_code_cell(CHART_DRAWS),
        nbformat.v4.new_code_cell("figure, axes = plt.subplots()\naxes.plot([1, 2]);"),
        nbformat.v4.new_code_cell(  # what saving the same chart as a PNG costs, for reference
            "shown = len(draws)\ndraws.clear()\nalone = Figure()\nalone.subplots().plot([1, 2])\n"
            "alone.savefig(io.BytesIO(), format='png', bbox_inches='tight')\n"
            "print(shown, len(draws), plt.get_fignums())"
        ),
    ]
    nbformat.write(book, tmp_path / "chart.ipynb")
    kernels.execute_notebook(tmp_path / "chart.ipynb", tmp_path / "out.ipynb", {}, cwd=tmp_path)
    cells = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    assert [o["output_type"] for o in cells[1].outputs] == ["display_data"]
    assert "image/png" in cells[1].outputs[0]["data"]
    # pyplot's after-cell hook drew the figure once more before the inline backend drew it
    # into its image (three draws where a saved PNG takes two); shown, then closed
    assert cells[2].outputs[0]["text"] == "2 2 []\n"
