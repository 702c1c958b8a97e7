"""A failing or stalled notebook or step is marked, and the rest of the pack renders.

Kills and concurrent runs are in ``test_kills``."""

import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from compass_nb import runner, store

from .conftest import PERIOD, QUICK, compass

pytestmark = pytest.mark.slow


def _notebooks_with(tmp_path: Path, name: str, code: str) -> Path:
    """A copy of notebooks/ in which ``name`` runs ``code`` after its title."""
    folder = tmp_path / "notebooks"
    shutil.copytree(runner.NOTEBOOK_DIR, folder)
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_markdown_cell(f"# {name} (broken on purpose)"),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(code),
    ]
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(book, folder / f"{name}.ipynb")
    return folder


def test_a_failing_notebook_is_marked_and_the_others_still_render(pack_copy, tmp_path):
    # incentives: a notebook whose step is quick (which notebook breaks does not matter)
    folder = _notebooks_with(tmp_path, "incentives", "raise ValueError('contest file is broken')")
    before_runs = store.runs(pack_copy.store)
    result = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "incentives",
        env={"COMPASS_NOTEBOOKS": str(folder)},
    )
    assert result.returncode == 1
    assert "incentives: failed" in result.stdout and "contest file is broken" in result.stdout
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["incentives"]["status"] == "failed"
    assert manifest["notebooks"]["01_data_collection"]["status"] == "ok"
    page = (pack_copy.period / "incentives.html").read_text()
    assert "did not complete" in page and "contest file is broken" in page
    assert "Traceback" not in page and str(folder) not in page  # one line, no code or paths
    assert "status-failed" in (pack_copy.period / "index.html").read_text()
    executed = pack_copy.root / "private" / PERIOD / "notebooks" / "incentives.ipynb"
    assert "Traceback" in executed.read_text() or "ValueError" in executed.read_text()
    # The steps that completed are committed (a partial run); the failed notebook's are not.
    runs = store.runs(pack_copy.store)
    assert len(runs) == len(before_runs) + 1
    assert runs.iloc[-1][["period", "status"]].tolist() == [PERIOD, "partial"]
    written = store.read(pack_copy.store, "clean_orders", periods=[PERIOD])
    assert int(written["run_id"].max()) == int(runs.iloc[-1]["run_id"])
    awards = store.read(pack_copy.store, "spif_awards", periods=[PERIOD])
    assert awards.empty or int(awards["run_id"].max()) < int(runs.iloc[-1]["run_id"])


def test_a_failing_step_is_marked_skips_what_needs_it_and_the_rest_completes(pack_copy):
    result = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "pipeline",
        "incentives",
        "--set",
        "pipeline.stages=[{name: Open}]",
    )
    assert result.returncode == 1
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["pipeline"]["status"] == "failed"
    assert manifest["notebooks"]["incentives"]["status"] == "ok"  # it does not read the pipeline
    assert "pipeline.stages[0]" in manifest["notebooks"]["pipeline"]["error"]
    assert "Traceback" not in result.stdout + result.stderr
    assert "Traceback" not in (pack_copy.period / "pipeline.html").read_text()


def test_a_notebook_past_its_timeout_is_stopped_and_the_rest_renders(pack_copy, tmp_path):
    folder = _notebooks_with(tmp_path, "incentives", "import time\ntime.sleep(600)")
    began = time.monotonic()
    result = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "incentives",
        "--set",
        "timeout=20",  # over twice what 01 takes to render on a busy machine
        env={"COMPASS_NOTEBOOKS": str(folder)},
    )
    assert time.monotonic() - began < 300
    assert result.returncode == 1
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["incentives"]["status"] == "timeout"
    assert manifest["notebooks"]["01_data_collection"]["status"] == "ok"
    assert "timeout" in (pack_copy.period / "incentives.html").read_text()
