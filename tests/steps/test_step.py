"""Steps declare what they read and write; the order of the run follows from it."""

import dataclasses

import pandas as pd
import pytest

from compass_nb import params, steps
from compass_nb.context import Context
from compass_nb.steps.step import Step, needs, order
from compass_nb.store import TABLES


def _step(name, **kw):
    return Step(name, notebook=name, **kw)


def test_a_reader_runs_after_the_writer_of_every_table_it_reads():
    a = _step("a", writes=("t1",))
    b = _step("b", reads=("t1",), writes=("t2",))
    c = _step("c", reads=("t2",), optional_reads=("t3",))
    d = _step("d", writes=("t3",))
    assert [s.name for s in order([c, b, a, d])] == ["a", "b", "d", "c"]
    assert needs(c, [a, b, c, d]) == ({"b"}, {"d"})


def test_inputs_are_read_from_the_step_that_stages_the_clean_tables():
    loader = _step("load", writes=("clean_orders",))
    user = _step("use", inputs=("orders",))
    assert needs(user, [loader, user]) == ({"load"}, set())


def test_steps_that_read_each_other_in_a_cycle_are_an_error():
    with pytest.raises(ValueError, match="cycle"):
        order(
            [_step("a", reads=("t2",), writes=("t1",)), _step("b", reads=("t1",), writes=("t2",))]
        )


def test_a_table_has_one_writer():
    with pytest.raises(AssertionError, match="written by both"):
        order([_step("a", writes=("t",)), _step("b", writes=("t",))])


def test_the_runs_order_puts_forecasting_before_demand_planning_and_05_before_06():
    names = [s.name for s in steps.STEPS]
    assert names[0] == "data_collection"
    assert names.index("forecasting") < names.index("demand_planning")
    assert names.index("pipeline") < names.index("demand_planning")  # 02 shows the pipeline
    assert names.index("executive_sop") < names.index("implementation_tracking")


def test_the_pack_lists_the_sop_steps_in_order_then_the_other_analyses():
    assert steps.NOTEBOOKS[:6] == [
        "01_data_collection",
        "02_demand_planning",
        "03_supply_planning",
        "04_pre_sop_review",
        "05_executive_sop",
        "06_implementation_tracking",
    ]
    assert set(steps.NOTEBOOKS[6:]) == {
        "forecasting",
        "pipeline",
        "incentives",
        "compensation",
        "enps",
    }


@pytest.mark.parametrize("step", steps.STEPS, ids=lambda s: s.name)
def test_every_table_a_step_reads_or_writes_is_declared_in_the_store_registry(step):
    for table in (*step.tables_in, *step.history, *step.writes):
        assert table in TABLES, f"{step.name}: {table} is not declared"


@pytest.mark.parametrize("step", steps.STEPS, ids=lambda s: s.name)
def test_every_step_reads_only_tables_some_step_writes(step):
    writers = {t for s in steps.STEPS for t in s.writes}
    appended = {"comp_close", "overrides_saved"}  # written outside runs: close, the 02 widget
    for table in (*step.reads, *step.optional_reads, *step.history):
        assert table in writers | appended, table


@pytest.mark.parametrize("step", steps.STEPS, ids=lambda s: s.name)
def test_each_steps_settings_are_exactly_its_section_of_the_schema(step):
    section = params.defaults().get(step.name)
    if step.settings is None:
        assert not section
        return
    fields = {f.name for f in dataclasses.fields(step.settings)}
    assert fields == set(section or {})
    assert dataclasses.is_dataclass(step.settings) and step.settings.__dataclass_params__.frozen
    params.build(step.settings, section)  # the defaults build


def test_the_shared_settings_are_exactly_the_top_level_keys_of_the_schema():
    fields = {f.name for f in dataclasses.fields(params.Shared)}
    assert fields == set(params.shared(params.defaults()))


def _bound(tmp_path, step) -> Context:
    merged = params.load(sets=["source=demo:small"])
    ctx = Context(step.name, "2026-10", merged, store=tmp_path / "s.duckdb", run_dir=tmp_path)
    return ctx.for_step(step)


def test_a_step_may_not_write_a_table_it_did_not_declare(tmp_path):
    ctx = _bound(tmp_path, steps.step("pipeline"))
    with pytest.raises(AssertionError, match="without declaring"):
        ctx.write("consensus", pd.DataFrame())


def test_a_step_may_not_read_a_table_it_did_not_declare(tmp_path):
    ctx = _bound(tmp_path, steps.step("pipeline"))
    with pytest.raises(AssertionError, match="without declaring"):
        ctx.read("forecast")
    with pytest.raises(AssertionError, match="without declaring"):
        ctx.inputs("orders")


def test_a_written_frame_must_match_its_declared_columns(tmp_path):
    ctx = _bound(tmp_path, steps.step("executive_sop"))
    with pytest.raises(ValueError, match="lacks declared columns"):
        ctx.write("decisions", pd.DataFrame({"decision_id": [1]}))


def test_a_store_only_data_collection_stages_the_tables_and_figures_and_nothing_for_a_page(
    tmp_path,
):
    merged = params.load(sets=["source=demo:small"])
    common = dict(store=tmp_path / "s.duckdb", in_run=True)
    pack, store_only = tmp_path / "pack", tmp_path / "store_only"
    shown = Context("data_collection", "2026-10", merged, run_dir=pack, **common)
    hidden = Context(
        "data_collection", "2026-10", merged, run_dir=store_only, makes_files=False, **common
    )
    result = steps.data_collection.run(shown)
    assert steps.data_collection.run(hidden) is None  # no page shows it: not computed
    assert (pack / "private" / "quarantine").is_dir()
    assert not (store_only / "private").exists()  # a store-only cycle's folder is dropped
    tables = sorted(p.name for p in (pack / "tables").iterdir())
    assert sorted(p.name for p in (store_only / "tables").iterdir()) == tables
    assert len(tables) > 10
    figures = "metrics/data_collection.json"
    assert (store_only / figures).read_text() == (pack / figures).read_text()
    assert int(result.overview["rows_read"].sum()) > 0
