"""`--only` never drops a finished run: its successful steps are committed to the store
whatever the state of the pack it runs into (issue 16)."""

from __future__ import annotations

import json

import pytest

from compass_nb import store

from .conftest import PERIOD, QUICK, compass
from .test_faults import _notebooks_with

pytestmark = pytest.mark.slow


def test_an_only_run_into_a_pack_with_an_earlier_failure_commits_its_steps(pack_copy, tmp_path):
    broken = _notebooks_with(tmp_path, "incentives", "raise ValueError('contest file is broken')")
    failed = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "incentives",
        env={"COMPASS_NOTEBOOKS": str(broken)},
    )
    assert failed.returncode == 1
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["incentives"]["status"] == "failed"  # the pack holds a failure
    before = store.runs(pack_copy.store)

    again = compass("run", *QUICK, "--out", str(pack_copy.root), "--only", "01_data_collection")
    assert again.returncode == 0, again.stdout + again.stderr
    runs = store.runs(pack_copy.store)
    assert len(runs) == len(before) + 1
    last = runs.iloc[-1]
    # the pack still shows the earlier failure, so the run is partial: but it is committed
    assert (last["period"], last["status"]) == (PERIOD, "partial")
    for table in ("clean_orders", "clean_opportunities", "clean_orders_mtd"):
        rows = store.read(pack_copy.store, table, periods=[PERIOD])
        assert int(rows["run_id"].max()) == int(last["run_id"]), table
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["notebooks"]["01_data_collection"]["status"] == "ok"
    assert manifest["notebooks"]["incentives"]["status"] == "failed"
