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
