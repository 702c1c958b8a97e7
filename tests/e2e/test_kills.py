"""Kills and concurrent runs never corrupt the store or the pack."""

import signal
import subprocess
import sys

import pytest

from compass_nb import store

from .conftest import QUICK, STORE_ONLY, Pack, compass, start, tree_digest, wait_for

pytestmark = pytest.mark.slow


def _snapshot(pack: Pack):
    return tree_digest(pack.period), store.dump(pack.store)


def _assert_unchanged(pack: Pack, before):
    pages, tables = before
    assert tree_digest(pack.period) == pages
    after = store.dump(pack.store)
    assert after.keys() == tables.keys()
    for name in tables:
        assert after[name].equals(tables[name]), name


@pytest.mark.parametrize("point", ["notebook", "pack", "commit"])
def test_a_killed_run_leaves_the_previous_pack_and_the_store_as_they_were(pack_copy, point):
    before = _snapshot(pack_copy)
    env = {"COMPASS_PAUSE_SECONDS": "120"}
    if point != "notebook":
        env["COMPASS_PAUSE_AT"] = point
    # killed while 01 renders (its step has ended: its line is out), or at a pause point
    process = start(
        "run", *QUICK, "--out", str(pack_copy.root), "--only", "01_data_collection", env=env
    )
    wait_for(process, f"paused at {point}" if point != "notebook" else "01_data_collection")
    process.send_signal(signal.SIGKILL)
    process.wait()
    _assert_unchanged(pack_copy, before)
    # The next run recovers and completes (store only: recovery does not depend on a pack).
    again = compass("run", *QUICK, "--out", str(pack_copy.root), *STORE_ONLY)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_second_run_waits_for_the_first_then_refuses_clearly(pack_copy, tmp_path):
    release = tmp_path / "release"  # the first run stays paused until the second has ended
    first = start(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        "--only",
        "01_data_collection",
        env={
            "COMPASS_PAUSE_AT": "pack",
            "COMPASS_PAUSE_SECONDS": "300",
            "COMPASS_PAUSE_RELEASE": str(release),
        },
    )
    wait_for(first, "paused at pack")
    second = compass(
        "run",
        *QUICK,
        "--out",
        str(pack_copy.root),
        *STORE_ONLY,
        "--set",
        "lock_wait=3",
    )
    assert second.returncode == 2
    assert "waiting" in second.stdout and "Another Compass run" in second.stderr
    assert "Traceback" not in second.stderr
    release.touch()
    assert first.wait(timeout=300) == 0


def test_a_reader_during_a_run_never_sees_a_lock_error(pack_copy, tmp_path):
    """A second process reads the store over and over while the run commits to it, until
    the run has ended (the test then writes ``done``)."""
    script = tmp_path / "reader.py"
    done = tmp_path / "done"
    script.write_text(
        "import sys, pathlib\nfrom compass_nb import store\n"
        "done = pathlib.Path(sys.argv[2])\nn = 0\n"
        "while not done.exists():\n"
        "    store.read(sys.argv[1], 'clean_orders', periods='2026-10'); n += 1\n"
        "print(n)\n"
    )
    reader = subprocess.Popen(
        [sys.executable, str(script), str(pack_copy.store), str(done)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = compass("run", *QUICK, "--out", str(pack_copy.root), *STORE_ONLY)
    done.touch()
    out, err = reader.communicate(timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Compass run" in run.stdout  # the run committed while the reader read
    assert reader.returncode == 0, err
    assert int(out) > 0
