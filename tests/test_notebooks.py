"""Notebooks are views: a parameters cell of the analyst's knobs, one call to their step,
then cells that show. Their parameters are keys of the schema; no cell holds logic.

The executed notebooks themselves are covered end to end in tests/e2e.
"""

import ast
import json
import re
from pathlib import Path

import papermill
import pytest

from compass_nb import params, steps

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
RUNNER_KEYS = {"run_dir"}
MAX_CODE_LINES = 400


def _book(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())


def _code_cells(name: str) -> list[str]:
    return ["".join(c["source"]) for c in _book(name)["cells"] if c["cell_type"] == "code"]


def _code_lines(source: str) -> list[str]:
    return [
        line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    ]


@pytest.mark.parametrize("name", steps.NOTEBOOKS)
def test_every_notebook_exists_and_is_committed_without_outputs(name):
    book = _book(name)
    outputs = [cell.get("outputs") for cell in book["cells"] if cell["cell_type"] == "code"]
    assert all(not output for output in outputs)
    assert any(
        cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("# ")
        for cell in book["cells"]
    )


@pytest.mark.parametrize("name", steps.NOTEBOOKS)
def test_the_parameters_cell_holds_only_keys_of_the_notebooks_own_section(name):
    declared = set(papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb")))
    section = set(params.defaults().get(steps.step(name).name) or {})
    assert declared - RUNNER_KEYS <= section, "a parameters cell names a key outside its section"
    assert not declared & set(params.shared(params.defaults())), "a shared key is repeated"


@pytest.mark.parametrize("name", steps.NOTEBOOKS)
def test_the_parameters_cell_repeats_no_default(name):
    book = _book(name)
    cell = next(c for c in book["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    values = [node.value for node in ast.parse("".join(cell["source"])).body]
    assert all(isinstance(v, ast.Constant) and v.value is None for v in values)


@pytest.mark.parametrize("name", steps.NOTEBOOKS)
def test_the_notebook_calls_its_step_once_through_the_context(name):
    step = steps.step(name)
    code = "\n".join(_code_cells(name))
    assert f'nb.context("{step.name}", globals())' in code
    assert code.count(f"steps.{step.name}.run(ctx)") == 1


@pytest.mark.parametrize("name", steps.NOTEBOOKS)
def test_no_cell_holds_business_logic(name):
    for source in _code_cells(name):
        tree = ast.parse(re.sub(r"^%.*$", "", source, flags=re.M))
        for node in ast.walk(tree):
            assert not isinstance(
                node,
                ast.For | ast.While | ast.FunctionDef | ast.ClassDef | ast.ListComp | ast.DictComp,
            ), f"{name}: a cell defines or loops ({ast.dump(node)[:80]})"
            assert not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Compare), (
                f"{name}: a cell filters data"
            )
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in {"write", "metric", "read", "inputs", "to_csv"}, (
                    f"{name}: a cell reads or writes outside its step ({node.func.attr})"
                )


def test_the_notebooks_hold_at_most_400_code_lines_together():
    total = sum(len(_code_lines(s)) for name in steps.NOTEBOOKS for s in _code_cells(name))
    assert total <= MAX_CODE_LINES, total


@pytest.mark.parametrize("name", steps.NOTEBOOKS)
def test_every_notebook_is_paired_with_its_percent_script(name):
    script = (NOTEBOOKS / f"{name}.py").read_text()
    assert "# %%" in script
    cells = [c for c in re.split(r"^# %%.*$", script, flags=re.M)[1:]]
    code = "\n".join(_code_cells(name))
    for line in _code_lines(code):
        assert any(line in cell for cell in cells), f"{name}.py is out of step with the notebook"
