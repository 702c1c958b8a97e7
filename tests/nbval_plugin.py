"""nbval's setting for the notebooks (``pytest --nbval-lax notebooks/``, part of ``make test``).

Every notebook runs top to bottom outside a run, as in JupyterLab: in its own kernel
(started in the notebook's folder, as JupyterLab starts it), alone, with a fresh folder of
its own that holds its cycle store (``<fresh>/reports/compass.duckdb``), its parameters
file and its scratch folders (``TMPDIR``). For 01 and 02 the store is empty, so that 02
computes its upstream steps (01 and the forecast) first, as on a newcomer's first day; the
other notebooks start instead from a copy of the session's chain store
(``tests/steps/conftest.py``: 2026-09 and 2026-10 committed), as after a run, and read
their upstream from it (computing it again would test nothing 02 does not). ``$COMPASS_PARAMETERS`` names that
parameters file (``source: demo:small``, to keep it fast), which ``nb.context`` reads
outside a run. After the notebook's last cell, the project's ``reports/`` and the fresh
``reports/`` must be exactly as before: exploring writes no official output.

Loaded through ``-p tests.nbval_plugin`` (``pyproject.toml``); the cells of one notebook
stay together, in order, on one xdist worker (``make test`` uses ``--dist loadfile``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.steps.conftest import shared_chain

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = """\
# Written by tests/nbval_plugin.py for one notebook run outside a run.
source: demo:small
store: {store}
"""
#: Notebooks that start from the chain's committed store rather than an empty one.
FROM_STORE = {
    "forecasting",
    "03_supply_planning",
    "04_pre_sop_review",
    "05_executive_sop",
    "06_implementation_tracking",
    "pipeline",
    "incentives",
    "compensation",
    "enps",
}


def _is_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def tree(folder: Path) -> dict[str, str] | None:
    """sha256 of every file under ``folder`` (``None`` when it does not exist)."""
    if not folder.exists():
        return None
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def changes(before: dict | None, after: dict | None) -> list[str]:
    """What differs between two :func:`tree` snapshots, one line per file."""
    if before is None or after is None:
        return [] if before == after else ["the folder was created or removed"]
    lines = [f"added {name}" for name in sorted(set(after) - set(before))]
    lines += [f"removed {name}" for name in sorted(set(before) - set(after))]
    lines += [
        f"changed {name}"
        for name in sorted(set(before) & set(after))
        if before[name] != after[name]
    ]
    return lines


def pytest_itemcollected(item):
    if _is_cell(item):
        item.parent.compass_last_cell = item  # the last one collected stays


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    notebook = item.parent if _is_cell(item) else None
    if notebook is None or getattr(notebook, "compass_folder", None) is not None:
        return (yield)
    # A short path in the system's temporary folder: the forecast's worker processes put
    # their socket in TMPDIR, and a socket path is limited to about 100 characters.
    folder = Path(tempfile.mkdtemp(prefix=f"cnb-{Path(notebook.name).stem[:10]}-"))
    (folder / "reports").mkdir()
    (folder / "reports" / "README.md").write_bytes((ROOT / "reports" / "README.md").read_bytes())
    (folder / "tmp").mkdir()
    if Path(notebook.name).stem in FROM_STORE:
        shutil.copy(shared_chain(item.config).store, folder / "reports" / "compass.duckdb")
    parameters = folder / "parameters.yaml"
    parameters.write_text(PARAMETERS.format(store=folder / "reports" / "compass.duckdb"))
    notebook.compass_folder = folder
    notebook.compass_before = (tree(ROOT / "reports"), tree(folder / "reports"))
    saved = {key: os.environ.get(key) for key in ("COMPASS_PARAMETERS", "TMPDIR")}
    # The kernel starts in this setup (nbval's notebook setup) with a copy of this
    # environment; the test process gets its own back right after.
    os.environ.update(COMPASS_PARAMETERS=str(parameters), TMPDIR=str(folder / "tmp"))
    try:
        return (yield)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


#: Text a cell must never show: the repr of a chart object instead of the chart alone.
STRAY_REPR = ("<Axes", "<matplotlib.", "<seaborn.")


def _quiet(source: str) -> bool:
    """Whether JupyterLab hides the cell's value (its last line ends with ``;``). nbval runs
    cells without history, so the kernel cannot tell, and shows it anyway."""
    from IPython.core.displayhook import DisplayHook

    return DisplayHook.semicolon_at_end_of_expression(source)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    notebook = item.parent if _is_cell(item) else None
    if notebook is not None:
        shown = [  # text alone (a chart's image carries a "<Figure size …>" text beside it)
            str(output["data"]["text/plain"])
            for output in getattr(item, "test_outputs", None) or []
            if output.get("output_type") in ("execute_result", "display_data")
            and set(output.get("data", {})) == {"text/plain"}
            and not (output["output_type"] == "execute_result" and _quiet(item.cell.source))
        ]
        stray = [text[:60] for text in shown if text.startswith(STRAY_REPR)]
        assert not stray, f"{notebook.name}: a cell shows {stray} (end the line with ';')"
    if notebook is not None and getattr(notebook, "compass_last_cell", None) is item:
        folder = notebook.compass_folder
        before_project, before_fresh = notebook.compass_before
        found = changes(before_project, tree(ROOT / "reports"))
        found += [f"(fresh) {line}" for line in changes(before_fresh, tree(folder / "reports"))]
        assert not found, f"{notebook.name} run outside a run wrote to reports/: " + "; ".join(
            found
        )
        shutil.rmtree(folder, ignore_errors=True)  # kept when the notebook failed, to look at
    return result
