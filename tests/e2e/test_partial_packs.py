"""Packs rendered on sources that lack tables: every notebook renders or is skipped saying
what it needs, and no page shows an error (issue 16). The S&OP chain without its optional
tables (and without products) is rendered by ``test_real_exports`` on an order-line export;
these cases render the pages that the CRM and survey tables feed, and 01 without orders.

The CRM-only and survey-only cases render every notebook (those that skip cost nothing),
and their manifest's outcomes get the checks of ``tests/steps/test_partial_sources.py``
(which therefore does not compute these two cases again in process).
The case without optional CRM or survey tables renders 01 and the notebooks whose own
inputs include a table it lacks (:func:`affected`): the S&OP chain, whose inputs are all
there, renders as on the whole demo (``test_pack``), and the affected steps run with what
they need on the same source in process (``tests/steps/test_partial_sources.py``)."""

from __future__ import annotations

import json
import shutil

import pytest

from compass_nb import steps
from compass_nb.data.demo import write_demo
from tests.steps.test_partial_sources import CASES, RENDERED_WHOLE, affected, check_outcomes

from .conftest import compass

pytestmark = pytest.mark.slow

RENDERED = ("CRM only", "survey only", "no optional CRM or survey inputs")
#: The cases whose pack is limited to the notebooks the lacking tables reach.
LIMITED = {"no optional CRM or survey inputs"}


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> dict:
    return write_demo(tmp_path_factory.mktemp("demo-files"), profile="small")


@pytest.mark.parametrize("case", RENDERED)
def test_a_pack_on_a_source_lacking_tables_renders_or_skips_every_notebook(
    demo_files, tmp_path, case
):
    folder = tmp_path / "source"
    folder.mkdir()
    for table, path in demo_files.items():
        if table not in CASES[case]:
            shutil.copy(path, folder / path.name)
    root = tmp_path / "reports"
    only = affected(CASES[case]) if case in LIMITED else list(steps.NOTEBOOKS)
    limit = ["--only", *only] if case in LIMITED else []
    run = ["--set", f"source={folder}", "--period", "2026-10", "--out", str(root), *limit]
    result = compass("run", *run)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    pack = root / "2026-10"
    notebooks = json.loads((pack / "manifest.json").read_text())["notebooks"]
    assert set(notebooks) == set(only)
    rendered = [name for name, entry in notebooks.items() if entry["status"] == "ok"]
    assert rendered, output
    for name, entry in notebooks.items():
        assert entry["status"] in ("ok", "skipped"), (name, entry)
        if entry["status"] == "skipped":  # for what the source lacks, never for a failure
            assert entry["error"].startswith("skipped: needs "), (name, entry)
    if case in RENDERED_WHOLE:  # every step ran or was skipped for what the source lacks
        check_outcomes(case, {n: (e["status"], e.get("error", "")) for n, e in notebooks.items()})
    for name in rendered:
        page = (pack / f"{name}.html").read_text()
        for text in ("Traceback", "KeyError", "AttributeError", "TypeError"):
            assert text not in page, (case, name, text)
