"""The compensation notebook on demo:small: it runs, writes private files, leaks no seller."""

import json

import nbformat
import pytest

from compass_nb.comp.privacy import leaks
from compass_nb.data import demo
from compass_nb.execute import execute_notebook


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("comp-nb")
    out = folder / "compensation.ipynb"
    execute_notebook(
        "notebooks/compensation.ipynb",
        str(out),
        {
            "source": "demo:small",
            "store": str(folder / "compass.duckdb"),
            "statements": True,
            "simulations": 500,
        },
    )
    return folder, nbformat.read(out, as_version=4)


def _outputs(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(
                json.dumps(
                    {k: v for k, v in output.get("data", {}).items() if not k.startswith("image/")}
                )
            )
            parts.append(output.get("text", ""))
    return "\n".join(parts)


def test_no_seller_name_or_id_appears_in_the_notebook_outputs(executed):
    _, notebook = executed
    text = _outputs(notebook)
    assert "Variable pay for" in text
    assert leaks(text, demo.generate("small")["reps"]) == []


def test_statements_and_payroll_go_to_the_private_folder(executed):
    folder, _ = executed
    private = folder / "private"
    statements = list(private.glob("*/statements/*.html"))
    assert len(statements) == len(list(private.glob("*/statements/*.csv"))) > 5
    assert len(list(private.glob("*/payroll/payroll_*.csv"))) == 1
    assert leaks(
        statements[0].read_text(), demo.generate("small")["reps"]
    )  # names live here, privately
