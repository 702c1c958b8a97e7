"""Failures, timeouts, kills and concurrent runs never corrupt the store or the pack."""

import json
import shutil
import signal
import time
from pathlib import Path

import nbformat
import pytest

from compass_nb import runner, store

from .conftest import PERIOD, Pack, compass, start, tree_digest

pytestmark = pytest.mark.slow

QUICK = ["--period", PERIOD, "--set", "source=demo:small"]


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


def _wait_for(process, marker: str) -> None:
    """Read the process's output until ``marker`` appears (fail if it ends first)."""
    seen = ""
    while marker not in seen:
        line = process.stdout.readline()
        assert line, f"the run ended before {marker!r}: {seen}"
        seen += line


def _snapshot(pack: Pack):
    return tree_digest(pack.period), store.dump(pack.store)


def _assert_unchanged(pack: Pack, before):
    pages, tables = before
    assert tree_digest(pack.period) == pages
    after = store.dump(pack.store)
    assert after.keys() == tables.keys()
    for name in tables:
        assert after[name].equals(tables[name]), name


def test_a_failing_notebook_is_marked_and_the_others_still_render(pack_copy, tmp_path):
    folder = _notebooks_with(tmp_path, "enps", "raise ValueError('survey file is broken')")
    before_runs = store.runs(pack_copy.store)
    result = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "enps",
        "pipeline",
        env={"COMPASS_NOTEBOOKS": str(folder)},
    )
    assert result.returncode == 1
    assert "enps: failed" in result.stdout and "survey file is broken" in result.stdout
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["enps"]["status"] == "failed"
    assert manifest["notebooks"]["pipeline"]["status"] == "ok"
    page = (pack_copy.period / "enps.html").read_text()
    assert "did not complete" in page and "survey file is broken" in page
    assert "Traceback" not in page and str(folder) not in page  # one line, no code or paths
    assert "status-failed" in (pack_copy.period / "index.html").read_text()
    executed = pack_copy.root / "private" / PERIOD / "notebooks" / "enps.ipynb"
    assert "Traceback" in executed.read_text() or "ValueError" in executed.read_text()
    # The steps that completed are committed (a partial run); the failed notebook's are not.
    runs = store.runs(pack_copy.store)
    assert len(runs) == len(before_runs) + 1
    assert runs.iloc[-1][["period", "status"]].tolist() == [PERIOD, "partial"]
    written = store.read(pack_copy.store, "pipeline_forecast", periods=[PERIOD])
    assert int(written["run_id"].max()) == int(runs.iloc[-1]["run_id"])
    enps = store.read(pack_copy.store, "enps_results", periods=[PERIOD])
    assert enps.empty or int(enps["run_id"].max()) < int(runs.iloc[-1]["run_id"])


def test_a_failing_step_is_marked_skips_what_needs_it_and_the_rest_completes(pack_copy):
    result = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "pipeline",
        "enps",
        "--set",
        "pipeline.stages=[{name: Open}]",
    )
    assert result.returncode == 1
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["pipeline"]["status"] == "failed"
    assert manifest["notebooks"]["enps"]["status"] == "ok"
    assert "pipeline.stages[0]" in manifest["notebooks"]["pipeline"]["error"]
    assert "Traceback" not in result.stdout + result.stderr
    assert "Traceback" not in (pack_copy.period / "pipeline.html").read_text()


def test_a_notebook_past_its_timeout_is_stopped_and_the_rest_renders(pack_copy, tmp_path):
    folder = _notebooks_with(tmp_path, "enps", "import time\ntime.sleep(600)")
    began = time.monotonic()
    result = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "enps",
        "pipeline",
        "--set",
        "timeout=45",
        env={"COMPASS_NOTEBOOKS": str(folder)},
    )
    assert time.monotonic() - began < 300
    assert result.returncode == 1
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["enps"]["status"] == "timeout"
    assert manifest["notebooks"]["pipeline"]["status"] == "ok"
    assert "timeout" in (pack_copy.period / "enps.html").read_text()


@pytest.mark.parametrize("point", ["notebook", "pack", "commit"])
def test_a_killed_run_leaves_the_previous_pack_and_the_store_as_they_were(pack_copy, point):
    before = _snapshot(pack_copy)
    env = {"COMPASS_PAUSE_SECONDS": "120"}
    if point != "notebook":
        env["COMPASS_PAUSE_AT"] = point
    process = start(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "pipeline",
        env=env,
    )
    _wait_for(process, f"paused at {point}" if point != "notebook" else "pipeline")
    process.send_signal(signal.SIGKILL)
    process.wait()
    _assert_unchanged(pack_copy, before)
    # The next run recovers and completes.
    again = compass("run", *QUICK, "--out", str(pack_copy.root), "--only", "01_data_collection")
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_second_run_waits_for_the_first_then_refuses_clearly(pack_copy):
    first = start(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        env={"COMPASS_PAUSE_AT": "pack", "COMPASS_PAUSE_SECONDS": "20"},
    )
    _wait_for(first, "paused at pack")
    second = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        "--set",
        "lock_wait=3",
    )
    assert second.returncode == 2
    assert "waiting" in second.stdout and "Another Compass run" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.wait(timeout=300) == 0


def test_a_reader_during_a_run_never_sees_a_lock_error(pack_copy, tmp_path):
    script = tmp_path / "reader.py"
    script.write_text(
        "import sys, time\nfrom compass_nb import store\n"
        "end = time.monotonic() + float(sys.argv[2])\nn = 0\n"
        "while time.monotonic() < end:\n    store.read(sys.argv[1], 'clean_orders', periods='2026-10'); n += 1\n"
        "print(n)\n"
    )
    import subprocess
    import sys

    run = start(
        "run", *QUICK, "--out", str(pack_copy.root), "--only", "01_data_collection", "pipeline"
    )
    reader = subprocess.run(
        [sys.executable, str(script), str(pack_copy.store), "40"], capture_output=True, text=True
    )
    assert run.wait(timeout=600) == 0
    assert reader.returncode == 0, reader.stderr
    assert int(reader.stdout) > 0
