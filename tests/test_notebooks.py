"""Notebooks and parameters/default.yaml agree: every knob a notebook takes is documented there.

The executed notebooks themselves are covered end to end in tests/e2e.
"""

import json
import re
from pathlib import Path

import papermill
import pytest

from compass_nb import params, runner

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
RUNNER_KEYS = {"run_dir", "threads"}


@pytest.mark.parametrize("name", list(runner.NEEDS))
def test_every_notebook_exists_and_is_committed_without_outputs(name):
    book = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    outputs = [cell.get("outputs") for cell in book["cells"] if cell["cell_type"] == "code"]
    assert all(not output for output in outputs)
    assert any(
        cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("# ")
        for cell in book["cells"]
    )


@pytest.mark.parametrize("name", list(runner.NEEDS))
def test_every_notebook_parameter_is_a_documented_key(name):
    declared = set(papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb")))
    merged = params.defaults()
    known = set(params.shared(merged)) | set(merged.get(runner.section(name)) or {}) | RUNNER_KEYS
    assert declared - known == set(), f"{name} declares parameters missing from default.yaml"


@pytest.mark.parametrize("name", list(runner.NEEDS))
def test_every_section_key_reaches_its_notebook(name):
    declared = set(papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb")))
    section = set(params.defaults().get(runner.section(name)) or {})
    assert section - declared == set(), (
        f"default.yaml keys of {name} that the notebook never declares"
    )


@pytest.mark.parametrize("name", list(runner.NEEDS))
def test_every_notebook_is_paired_with_its_percent_script(name):
    script = (NOTEBOOKS / f"{name}.py").read_text()
    assert "# %%" in script


@pytest.mark.parametrize("name", list(runner.NEEDS))
def test_papermill_reads_every_line_of_the_parameters_cell(name):
    book = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    cell = next(c for c in book["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    assigned = {
        line.split("=")[0].strip()
        for line in "".join(cell["source"]).splitlines()
        if re.match(r"^\w+\s*=", line)
    }
    assert assigned == set(papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb")))
