"""Packs rendered on sources that lack tables: every notebook renders or is skipped saying
what it needs, and no page shows an error (issue 16). The S&OP chain without its optional
tables (and without products) is rendered by ``test_real_exports`` on an order-line export;
these cases render the pages that the CRM and survey tables feed, and 01 without orders."""

from __future__ import annotations

import json
import shutil

import pytest

from compass_nb.data.demo import write_demo
from tests.steps.test_partial_sources import CASES

from .conftest import compass

pytestmark = pytest.mark.slow

RENDERED = ("CRM only", "survey only", "no optional CRM or survey inputs")


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
    result = compass("run", "--set", f"source={folder}", "--period", "2026-10", "--out", str(root))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    pack = root / "2026-10"
    notebooks = json.loads((pack / "manifest.json").read_text())["notebooks"]
    rendered = [name for name, entry in notebooks.items() if entry["status"] == "ok"]
    assert rendered, output
    for name, entry in notebooks.items():
        assert entry["status"] in ("ok", "skipped"), (name, entry)
        if entry["status"] == "skipped":  # for what the source lacks, never for a failure
            assert entry["error"].startswith("skipped: needs "), (name, entry)
    for name in rendered:
        page = (pack / f"{name}.html").read_text()
        for text in ("Traceback", "KeyError", "AttributeError", "TypeError"):
            assert text not in page, (case, name, text)
