"""The analyst in JupyterLab (issue 18): notebooks outside a run, the 02 override editor, the
series picker, narrow warning filters, progress, and notebooks that stay clean under git.

Every notebook run top to bottom outside a run (02 from an empty store, computing its
upstream) is nbval's job (tests/nbval_plugin.py); the browser test is
tests/e2e/test_jupyterlab.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

from compass_nb import context as context_module
from compass_nb import nb, params, steps
from compass_nb import store as cycle_store
from compass_nb.context import Context
from compass_nb.errors import ParameterError
from compass_nb.sop.consensus import override_record
from compass_nb.steps.step import Step
from compass_nb.widgets import forecast as forecast_widgets
from compass_nb.widgets import save_without_outputs
from compass_nb.widgets import sop as sop_widgets
from tests.nbval_plugin import changes, tree

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
_VALUES = {
    "str": "x",
    "float": 1.0,
    "int": 1,
    "bool": True,
    "timestamp": pd.Timestamp("2026-11-01"),
}


def _context(tmp_path, section="demand_planning", period=PERIOD, in_run=False) -> Context:
    merged = params.load(sets=["source=demo:small"])
    root = tmp_path / "reports"
    root.mkdir(exist_ok=True)
    ctx = Context(
        section,
        period,
        merged,
        store=root / "compass.duckdb",
        run_dir=tmp_path / f"scratch-{period}",
        in_run=in_run,
    )
    return ctx.for_step(steps.step(section))


def _commit(
    store: Path, folder: Path, table: str | tuple, run_id: int, period: str = PERIOD
) -> None:
    """Commit one-row tables (every declared column filled) as run ``run_id``."""
    for name in (table,) if isinstance(table, str) else table:
        row = {c: _VALUES[kind] for c, kind in cycle_store.declared(name).columns.items()}
        cycle_store.stage(folder, name, pd.DataFrame([row]), period=period, run_id=run_id)
    cycle_store.commit(store, folder, period=period, run_id=run_id)


#: What 03 reads from upstream: 02's consensus and plan against history, the backtest errors.
SUPPLY_READS = ("consensus", "plan_vs_history", "forecast_residuals")


# -- parameters outside a run --------------------------------------------------------------
def test_a_parameters_file_named_by_the_environment_sits_under_the_notebooks_values(
    tmp_path, monkeypatch
):
    chosen = tmp_path / "small.yaml"
    chosen.write_text("source: demo:small\nperiod: '2026-09'\ndemand_planning: {movers: 3}\n")
    monkeypatch.setenv(nb.PARAMETERS_ENV, str(chosen))
    store = str(tmp_path / "s.duckdb")
    ctx = nb.context("demand_planning", {"movers": None}, store=store, upstream=False)
    assert (ctx.params["source"], ctx.period, ctx.settings.movers) == ("demo:small", "2026-09", 3)
    ctx = nb.context("demand_planning", {"movers": 5}, store=store, upstream=False)
    assert ctx.settings.movers == 5  # the notebook's own value wins
    assert any(str(chosen) in message for message in ctx.messages)  # and it says so


def test_a_wrong_key_in_the_parameters_file_is_named(tmp_path, monkeypatch):
    chosen = tmp_path / "bad.yaml"
    chosen.write_text("demand_planning: {moverz: 3}\n")
    monkeypatch.setenv(nb.PARAMETERS_ENV, str(chosen))
    with pytest.raises(ParameterError, match="moverz"):
        nb.context("demand_planning", {}, upstream=False)


# -- upstream: computed here or taken from the store -------------------------------------------
def test_with_an_empty_store_the_plan_computes_every_upstream_step_writers_first(tmp_path):
    ctx = _context(tmp_path, "executive_sop")
    todo, stored = nb.upstream_plan(ctx)
    names = [step.name for step in todo]
    # 05 reads consensus, supply_plan, scenarios, recommendations (02, 03, 04); 02 reads the
    # forecast and, when present, the pipeline commit; both say what 01 quarantined.
    assert set(names) == {
        "data_collection",
        "forecasting",
        "pipeline",
        "demand_planning",
        "supply_planning",
        "pre_sop_review",
    }
    assert stored == {}
    for before, after in [
        ("data_collection", "forecasting"),
        ("forecasting", "demand_planning"),
        ("pipeline", "demand_planning"),
        ("demand_planning", "supply_planning"),
        ("supply_planning", "pre_sop_review"),
    ]:
        assert names.index(before) < names.index(after)


def test_a_table_the_store_holds_is_taken_from_its_latest_run_not_computed(tmp_path):
    ctx = _context(tmp_path, "pre_sop_review")
    _commit(ctx.store, tmp_path / "run2", SUPPLY_READS, 2)
    _commit(ctx.store, tmp_path / "run3", SUPPLY_READS, 3)
    todo, stored = nb.upstream_plan(ctx)
    assert [step.name for step in todo] == ["supply_planning"]  # 03 from 02's run 3
    assert stored == dict.fromkeys(SUPPLY_READS, 3)
    staged_ctx = _context(tmp_path, "supply_planning")
    assert nb.upstream_plan(staged_ctx) == ([], dict.fromkeys(SUPPLY_READS, 3))


def test_an_optional_read_the_store_lacks_is_computed_by_its_writer(tmp_path):
    ctx = _context(tmp_path, "supply_planning")
    _commit(ctx.store, tmp_path / "run2", "consensus", 2)
    todo, stored = nb.upstream_plan(ctx)
    # 03 uses the backtest errors (forecasting) and the plan against history (02) when present
    assert stored == {"consensus": 2}
    assert {"forecasting", "demand_planning"} <= {step.name for step in todo}


def test_the_context_says_which_run_of_the_store_it_uses(tmp_path):
    store = tmp_path / "reports" / "compass.duckdb"
    _commit(store, tmp_path / "run4", SUPPLY_READS, 4)
    ctx = nb.context("supply_planning", {}, source="demo:small", store=str(store), period=PERIOD)
    said = "\n".join(ctx.messages)
    assert "consensus (run 4)" in said and "computed here" not in said


def test_a_history_read_of_a_table_the_step_reads_computes_this_cycle_when_missing(tmp_path):
    ctx = _context(tmp_path, "implementation_tracking")
    asked = []
    ctx.upstream = lambda bound, table: asked.append(table)
    ctx.read("consensus", periods="all")
    assert asked == ["consensus"]
    asked.clear()
    planning = _context(tmp_path, "demand_planning")
    planning.upstream = lambda bound, table: asked.append(table)
    planning.read("consensus", periods="all")  # 02's own history: never computed upstream
    assert asked == []


# -- the 02 override editor: kept, listed, refused, removed ------------------------------------
def _override(cycle=PERIOD, month="2026-12-01", quantity=120.0, reason="promo moved"):
    return override_record(cycle, "Garden", "DC-North", month, quantity, "ana", reason)


def _merged_overrides(ctx: Context) -> pd.DataFrame:
    return ctx._with_saved_overrides(pd.DataFrame(columns=["cycle", "period", "quantity"]))


def test_a_kept_override_is_listed_with_author_and_reason_and_joins_the_next_run(tmp_path):
    ctx = _context(tmp_path)
    said = ctx.save_override(_override())
    assert str(ctx.store) in said and "overrides_saved" in said
    kept = ctx.kept_overrides()
    assert kept[
        ["period", "family", "location", "quantity", "author", "reason"]
    ].values.tolist() == [["2026-12", "Garden", "DC-North", 120.0, "ana", "promo moved"]]
    merged = _merged_overrides(ctx)
    assert merged[["period", "quantity"]].values.tolist() == [["2026-12", 120.0]]


def test_an_exact_duplicate_is_refused_and_a_different_reason_is_not(tmp_path):
    ctx = _context(tmp_path)
    ctx.save_override(_override())
    with pytest.raises(ParameterError, match="already kept"):
        ctx.save_override(_override())
    ctx.save_override(_override(reason="second thoughts"))
    assert len(ctx.kept_overrides()) == 2
    assert len(cycle_store.read_all_runs(ctx.store, "overrides_saved")) == 2


def test_a_removal_is_appended_and_the_next_runs_overrides_drop_it(tmp_path):
    ctx = _context(tmp_path)
    ctx.save_override(_override())
    row = ctx.kept_overrides().iloc[0]
    said = ctx.remove_override(row, by="ben")
    assert "overrides_removed" in said and str(ctx.store) in said
    assert ctx.kept_overrides().empty and _merged_overrides(ctx).empty
    assert len(cycle_store.read_all_runs(ctx.store, "overrides_saved")) == 1  # never rewritten
    removed = cycle_store.read_all_runs(ctx.store, "overrides_removed")
    assert removed[["removed_by", "reason"]].values.tolist() == [["ben", "promo moved"]]
    with pytest.raises(ParameterError, match="not in force"):
        ctx.remove_override(row, by="ben")
    ctx.save_override(_override())  # kept again after its removal: in force again
    assert len(ctx.kept_overrides()) == 1


def test_a_removal_applies_from_its_cycle_on_and_a_past_cycle_still_sees_its_override(tmp_path):
    october = _context(tmp_path, period="2026-10")
    november = _context(tmp_path, period="2026-11")
    october.save_override(_override(cycle="2026-10", month="2026-12-01"))
    assert len(november.kept_overrides()) == 1  # December is still ahead in November
    november.remove_override(november.kept_overrides().iloc[0], by="ana")
    assert november.kept_overrides().empty and _merged_overrides(november).empty
    assert len(october.kept_overrides()) == 1  # a re-run of October sees what it saw then


def test_removing_needs_a_name(tmp_path):
    ctx = _context(tmp_path)
    ctx.save_override(_override())
    with pytest.raises(ParameterError, match="who removes"):
        ctx.remove_override(ctx.kept_overrides().iloc[0], by=" ")


def test_the_override_action_writes_the_store_and_nothing_else(tmp_path):
    ctx = _context(tmp_path)
    before = tree(ctx.root)
    ctx.save_override(_override())
    ctx.remove_override(ctx.kept_overrides().iloc[0], by="ana")
    assert changes(before, tree(ctx.root)) == ["added compass.duckdb"]


def _plan() -> pd.DataFrame:
    """Two SKUs of one family in one DC over two months (units, list price, unit cost)."""
    rows = []
    for month, a, b in [("2026-11-01", 1000.4, 2732.2262445409466), ("2026-12-01", 500.0, 0.0)]:
        for sku, units, price, cost in [("A", a, 2.0, 1.5), ("B", b, 3.0, 2.0)]:
            rows.append(
                {
                    "family": "Garden",
                    "sku": sku,
                    "location": "DC-North",
                    "month": pd.Timestamp(month),
                    "stat_forecast": units,
                    "consensus": units,
                    "unit_price": price,
                    "unit_cost": cost,
                    "revenue": units * price,
                    "margin": units * (price - cost),
                }
            )
    return pd.DataFrame(rows)


def test_the_editor_shows_whole_units_and_rounded_money_without_negative_zero():
    plan = _plan()
    html = str(
        sop_widgets.adjustment_view(
            plan, "Garden", None, pd.Timestamp("2026-11-01"), 3732.6262445409466, "EUR"
        )
    )
    assert "3,733" in html and "3732.6" not in html  # 1000.4 + 2732.226… units
    assert "10,197" in html  # revenue 1000.4 × 2 + 2732.226… × 3 = 10,197.48 EUR
    assert ">-0<" not in html and ">−0<" not in html and "-0.0" not in html
    assert "Adjusted consensus" in html and "Revenue change" in html and "Month" in html
    moved = str(sop_widgets.adjustment_view(plan, "Garden", None, "2026-11-01", 4732.63, "EUR"))
    # +1,000.0 units spread in proportion, at the month's mean price 10,197.48 / 3,732.63
    assert "<td>2,732</td>" in moved


def test_the_editor_keeps_refuses_lists_and_removes_through_the_context(tmp_path, capsys):
    ctx = _context(tmp_path)
    editor = sop_widgets.override_editor(_plan(), ctx, author="")
    c = editor.controls
    assert c["quantity"].value == 3733.0  # the month's total, rounded to whole units
    # rounding the field changes nothing (but float noise, shown as "0", never "-0")
    assert editor.table()["revenue_change"].abs().max() < 1e-6
    c["quantity"].value = 4000.0
    # (4,000 − 3,732.63) units at the month's mean price 10,197.48 / 3,732.63 = 730.46 EUR
    assert editor.table()["revenue_change"].round(2).tolist() == [730.46, 0.0]
    c["keep"].click()
    assert "Give an author and a reason" in capsys.readouterr().out
    c["author"].value, c["reason"].value, c["quantity"].value = "ana", "launch", 4000.0
    c["keep"].click()
    said = capsys.readouterr().out
    assert "Kept" in said and str(ctx.store) in said
    c["keep"].click()
    assert "Not kept" in capsys.readouterr().out  # the same override twice
    assert len(c["kept"].options) == 1 and "ana: launch" in c["kept"].options[0][0]
    c["remove"].click()
    assert "Removed" in capsys.readouterr().out
    assert c["kept"].options == () and ctx.kept_overrides().empty


# -- the series picker ------------------------------------------------------------------------
def test_the_series_search_keeps_the_series_holding_every_word():
    ids = ["SKU-0001|DC-North", "SKU-0002|DC-North", "SKU-0012|DC-South", "SKU-0120|DC-West"]
    assert forecast_widgets.matching(ids, "north 2") == ["SKU-0002|DC-North"]
    assert forecast_widgets.matching(ids, "12") == ["SKU-0012|DC-South", "SKU-0120|DC-West"]
    assert forecast_widgets.matching(ids, "") == ids


def test_the_series_picker_narrows_as_the_analyst_types(monkeypatch):
    drawn = []
    monkeypatch.setattr(forecast_widgets, "_draw", lambda cycle, uid: drawn.append(uid))
    ids = [f"SKU-{n:04d}|DC-{dc}" for n in range(300) for dc in ("North", "South")]
    forecast = pd.DataFrame(
        {"unique_id": ids + ["Garden"], "level": ["sku_location"] * 600 + ["family"]}
    )
    explorer = forecast_widgets.series_explorer(SimpleNamespace(forecast=forecast))
    c = explorer.controls
    assert len(c["series"].options) == forecast_widgets.SHOWN and "600 of 600" in c["count"].value
    c["search"].value = "0042 south"
    assert c["series"].options == ("SKU-0042|DC-South",) and "1 of 600" in c["count"].value
    assert drawn[-1] == "SKU-0042|DC-South"  # the chart follows the one match


# -- warnings and progress ----------------------------------------------------------------------
def test_the_stacks_noisy_warnings_are_filtered_and_the_analysts_own_still_show():
    with warnings.catch_warnings(record=True) as seen:
        nb._quiet(in_run=False)
        exec(  # noqa: S102 - code as a notebook cell runs it
            "import warnings\nwarnings.warn('my own check failed', UserWarning)\n"
            "warnings.warn('my deprecation', FutureWarning)",
            {"__name__": "__main__"},
        )
        warnings.warn_explicit(
            "a statsmodels remark",
            UserWarning,
            "statsmodels/tsa/base.py",
            1,
            "statsmodels.tsa.base",
        )
        warnings.warn_explicit(
            "a pandas remark", FutureWarning, "pandas/core/frame.py", 1, "pandas.core.frame"
        )
        warnings.warn_explicit(
            "a scikit remark", FutureWarning, "sklearn/base.py", 1, "sklearn.base"
        )
    shown = sorted(str(w.message) for w in seen)
    assert shown == ["a scikit remark", "my deprecation", "my own check failed"]


def test_progress_shows_outside_a_run_and_stays_silent_in_one(tmp_path):
    outside = _context(tmp_path)
    with outside.progress("upstream", total=2) as bar:
        bar.update()
        bar.update()
        assert bar.n == 2 and context_module._SHOWN == [bar]
    assert context_module._SHOWN == []
    inside = _context(tmp_path, in_run=True)
    with inside.progress("upstream", total=2) as bar:
        bar.update()
        assert context_module._SHOWN == []


def test_a_step_computes_under_a_progress_bar_outside_a_run_only(tmp_path):
    step = Step("demand_planning", notebook="02_demand_planning")
    seen = []

    @step.compute
    def run(ctx):
        seen.append(len(context_module._SHOWN))
        return 1

    run(_context(tmp_path))
    inside = tmp_path / "inside"
    inside.mkdir()
    run(_context(inside, in_run=True))
    assert seen == [1, 0]


# -- files outside a run -------------------------------------------------------------------------
def test_private_files_and_exports_go_to_the_scratch_folder_outside_a_run(tmp_path):
    ctx = _context(tmp_path)
    for folder in (ctx.private_dir("payroll"), ctx.private_dir("enps"), ctx.export_dir()):
        assert ctx.run_dir in folder.parents and ctx.root not in folder.parents


# -- clean under git -------------------------------------------------------------------------------
def test_the_save_hook_strips_outputs_counts_and_run_time_metadata_but_keeps_ids():
    book = nbformat.v4.new_notebook()
    book.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    cell = nbformat.v4.new_code_cell("1 + 1", id="abc123")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=4)
    ]
    cell.execution_count = 4
    cell.metadata["execution"] = {"iopub.execute_input": "2026-11-01T10:00:00"}
    book.cells = [cell]
    model = {"type": "notebook", "content": book}
    save_without_outputs(model, "x.ipynb")
    saved = model["content"]
    assert saved.cells[0].outputs == [] and saved.cells[0].execution_count is None
    assert saved.cells[0].id == "abc123" and "execution" not in saved.cells[0].metadata
    assert "language_info" not in saved.metadata and "kernelspec" in saved.metadata
    text = {"type": "file", "content": "print(1)"}
    save_without_outputs(text, "x.py")
    assert text == {"type": "file", "content": "print(1)"}


@pytest.mark.parametrize("name", steps.NOTEBOOKS)
def test_a_notebook_run_and_saved_as_jupyterlab_saves_it_is_byte_for_byte_as_committed(
    name, tmp_path
):
    """JupyterLab's contents manager (Jupytext's, rooted at notebooks/ as `make lab` starts
    it, with the hook `make setup` installs) saving a notebook after a run: outputs,
    counts, the kernel's language and kernelspec as JupyterLab writes them."""
    from jupytext import TextFileContentsManager

    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder, ignore=shutil.ignore_patterns(".*"))
    before = tree(folder)
    manager = TextFileContentsManager(
        root_dir=str(folder), pre_save_hook="compass_nb.widgets.save_without_outputs"
    )
    for opened in (f"{name}.py", f"{name}.ipynb"):
        model = manager.get(opened)
        book = model["content"]
        book.metadata["kernelspec"] = {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        }
        book.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
        for number, cell in enumerate(c for c in book.cells if c.cell_type == "code"):
            cell.execution_count = number + 1
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
        manager.save(model, opened)
    shutil.rmtree(folder / ".ipynb_checkpoints", ignore_errors=True)
    assert changes(before, tree(folder)) == []


def test_make_setup_installs_the_save_hook_and_the_notebook_viewer_in_the_venv_only():
    made = subprocess.run(
        ["make", "-n", "-B", "setup"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "compass_nb.widgets.save_without_outputs" in made
    assert '"python": "Jupytext Notebook"' in made
    assert "~" not in made and "git config" not in made  # nothing outside the venv


def test_make_lab_starts_jupyterlab_as_root_too():
    made = subprocess.run(
        ["make", "-n", "-o", "setup", "lab"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "jupyter lab" in made
    assert ("--allow-root" in made) == (os.getuid() == 0)


def test_a_fresh_clone_has_reports_with_only_its_readme_tracked():
    assert (ROOT / "reports" / "README.md").read_text().startswith("# reports/")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0

    assert not ignored("reports/README.md")
    assert ignored("reports/compass.duckdb") and ignored("reports/2026-10/index.html")


def test_the_notebook_viewer_setting_names_the_jupytext_factory():
    """The factory name `make setup` writes is the one the Jupytext extension registers."""
    made = subprocess.run(
        ["make", "-n", "-B", "setup"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in made.splitlines() if "defaultViewers" in line)
    setting = json.loads(line.split("'")[1])
    factory = setting["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"]
    bundles = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    found = [
        p
        for p in bundles.glob("jupyterlab-jupytext/static/*.js")
        if f'"{factory}"' in p.read_text()
    ]
    assert found, f"no Jupytext bundle registers {factory!r}"


def test_the_reports_comparison_names_every_added_removed_and_changed_file(tmp_path):
    (tmp_path / "README.md").write_text("a")
    (tmp_path / "old.csv").write_text("x")
    before = tree(tmp_path)
    (tmp_path / "README.md").write_text("b")
    (tmp_path / "old.csv").unlink()
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "payroll.csv").write_text("pay")
    assert changes(before, tree(tmp_path)) == [
        "added private/payroll.csv",
        "removed old.csv",
        "changed README.md",
    ]
    assert changes(None, None) == [] and changes(None, {}) == ["the folder was created or removed"]


def test_a_kernel_outside_a_run_takes_the_threads_the_runner_would_give_it():
    cores = os.cpu_count() or 1
    assert nb._threads(0) == 1  # jobs 0: as many kernels as cores, one thread each
    assert nb._threads(1) == cores  # one kernel: every core
    assert nb._threads(2) == max(1, cores // min(2, cores))
