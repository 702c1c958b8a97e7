"""Faults of the machine and of concurrency: one line to the user, the store and the pack intact.

Read-only folders and files are made with ``chattr +i`` (which binds root too) and a full
disk with a tiny tmpfs in a private mount namespace; a test skips, saying why, where the
machine does not allow that.
"""

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from compass_nb import store

from .conftest import PERIOD, QUICK, STORE_ONLY, compass, start, wait_for

pytestmark = pytest.mark.slow


def _immutable(path: Path, on: bool) -> bool:
    result = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    return result.returncode == 0


def _one_clean_line(result) -> str:
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("compass-nb:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_two_runs_on_one_store_with_different_out_get_distinct_run_ids_and_single_rows(tmp_path):
    shared = tmp_path / "shared.duckdb"
    args = [*QUICK, "--set", f"store={shared}", *STORE_ONLY]
    first = start(
        "run",
        *args,
        "--out",
        str(tmp_path / "a"),
        env={"COMPASS_PAUSE_AT": "pack", "COMPASS_PAUSE_SECONDS": "5"},
    )
    second = start("run", *args, "--out", str(tmp_path / "b"))
    assert first.wait(timeout=600) == 0, first.stdout.read()
    assert second.wait(timeout=600) == 0, second.stdout.read()
    runs = store.runs(shared)
    assert sorted(runs["run_id"].tolist()) == [1, 2] and set(runs["period"]) == {PERIOD}
    orders = store.read(shared, "clean_orders", periods=[PERIOD])
    assert orders["run_id"].nunique() == 1  # the latest run's rows, once
    both = store.read_all_runs(shared, "clean_orders")
    assert len(both) == 2 * len(orders)


def test_a_run_killed_between_commit_and_swap_is_repaired_before_the_next_run(pack_copy):
    process = start(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        env={"COMPASS_PAUSE_AT": "swap", "COMPASS_PAUSE_SECONDS": "120"},
    )
    wait_for(process, "paused at swap")
    process.send_signal(signal.SIGKILL)
    process.wait()
    committed = int(store.runs(pack_copy.store)["run_id"].max())
    again = compass("run", *QUICK, "--out", str(pack_copy.root), *STORE_ONLY)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Recovered the pack of {PERIOD} (run {committed})" in again.stdout
    manifest = json.loads((pack_copy.period / "manifest.json").read_text())
    assert manifest["run_id"] == committed
    assert manifest["notebooks"]["01_data_collection"]["status"] == "ok"
    assert (pack_copy.root / "private" / PERIOD / "figures.json").exists()


def test_a_read_only_reports_folder_is_reported_in_one_line(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    if not _immutable(folder, True):
        pytest.skip("chattr +i is not available on this file system")
    try:
        result = compass("run", *QUICK, "--out", str(folder), "--only", "01_data_collection")
    finally:
        _immutable(folder, False)
    line = _one_clean_line(result)
    assert result.returncode == 2 and str(folder) in line and "write access" in line


def test_a_read_only_store_is_reported_in_one_line_and_left_as_it_was(pack_copy):
    before = store.dump(pack_copy.store)
    if not _immutable(pack_copy.store, True):
        pytest.skip("chattr +i is not available on this file system")
    try:
        result = compass("run", *QUICK, "--out", str(pack_copy.root), *STORE_ONLY)
    finally:
        _immutable(pack_copy.store, False)
    line = _one_clean_line(result)
    assert result.returncode == 2 and "cycle store" in line and "cannot be written" in line
    after = store.dump(pack_copy.store)
    assert all(after[name].equals(before[name]) for name in before)


#: Where the disk fills: the run's pack and staging folder (``--out``; 01's staged tables
#: and page do not fit in 1 MB), or the store alone (its commit fails writing DuckDB's WAL).
FULL = {
    "the pack folder": ("1m", "--out {mount}/reports --only 01_data_collection"),
    "the store": (
        "1m",
        "--out {tmp}/reports --set store={mount}/s.duckdb --only 01_data_collection",
    ),
}


@pytest.mark.parametrize("where", list(FULL))
def test_a_full_disk_is_reported_in_one_line_without_a_traceback(tmp_path, where):
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not available")
    mount = tmp_path / "small"
    mount.mkdir()
    size, args = FULL[where]
    script = (
        f"mount -t tmpfs -o size={size} tmpfs {mount} && exec {sys.executable} -m "
        f"compass_nb.cli run {' '.join(QUICK)} {args.format(mount=mount, tmp=tmp_path)}"
    )
    result = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if "mount:" in result.stderr and "permission denied" in result.stderr.lower():
        pytest.skip("this machine does not allow a private tmpfs")
    line = _one_clean_line(result)
    assert result.returncode == 2 and "No space left on device" in line
