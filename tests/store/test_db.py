"""The cycle store: staged writes, one-transaction commits, latest complete run per period."""

import multiprocessing as mp
import time

import duckdb
import pandas as pd
import pytest

from compass_nb import store
from compass_nb.errors import StoreBusy
from compass_nb.store import tables


@pytest.fixture(autouse=True)
def _test_tables(monkeypatch):
    """Two free-form tables declared for these tests of the database mechanism."""
    declared = dict(tables.TABLES)
    for name in ("test_a", "test_b"):
        declared[name] = tables.StoreTable(name, "a test table", {}, extra_columns=True)
    monkeypatch.setattr(tables, "TABLES", declared)


def _commit(path, tmp, period, run_id, frame, table="test_a"):
    run_dir = tmp / f"{period}-{run_id}"
    store.stage(run_dir, table, frame, period=period, run_id=run_id)
    store.commit(path, run_dir, period=period, run_id=run_id)


def test_readers_take_the_latest_complete_run_of_each_period(tmp_path):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-09", 1, pd.DataFrame({"x": [1]}))
    _commit(path, tmp_path, "2026-10", 1, pd.DataFrame({"x": [2]}))
    _commit(path, tmp_path, "2026-10", 2, pd.DataFrame({"x": [3, 4]}))
    out = store.read(path, "test_a")
    assert out[["period", "run_id", "x"]].values.tolist() == [
        ["2026-09", 1, 1],
        ["2026-10", 2, 3],
        ["2026-10", 2, 4],
    ]
    assert store.read(path, "test_a", periods="2026-09")["x"].tolist() == [1]
    assert store.next_run_id(path, "2026-10") == 3


def test_a_rerun_adds_a_run_and_never_overwrites(tmp_path):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-10", 1, pd.DataFrame({"x": [1]}))
    _commit(path, tmp_path, "2026-10", 2, pd.DataFrame({"x": [2]}))
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM test_a").fetchone()[0] == 2


def test_a_table_not_rewritten_by_a_partial_run_keeps_its_latest_run(tmp_path):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-10", 1, pd.DataFrame({"x": [1]}), table="test_a")
    _commit(path, tmp_path, "2026-10", 2, pd.DataFrame({"y": [9]}), table="test_b")
    assert store.read(path, "test_a")["x"].tolist() == [1]


def test_a_failed_commit_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-09", 1, pd.DataFrame({"x": [1]}))
    before = store.dump(path)
    run_dir = tmp_path / "bad"
    store.stage(run_dir, "test_a", pd.DataFrame({"x": [2]}), period="2026-10", run_id=1)
    (run_dir / "tables" / "zzz_broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(duckdb.Error):
        store.commit(path, run_dir, period="2026-10", run_id=1)
    after = store.dump(path)
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_new_columns_are_added_when_a_later_run_brings_them(tmp_path):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-09", 1, pd.DataFrame({"x": [1]}))
    _commit(path, tmp_path, "2026-10", 1, pd.DataFrame({"x": [2], "y": ["b"]}))
    out = store.read(path, "test_a")
    assert out["y"].tolist()[1] == "b" and pd.isna(out["y"].tolist()[0])


def test_reading_a_missing_store_creates_nothing(tmp_path):
    path = tmp_path / "none.duckdb"
    assert store.read(path, "test_a").empty
    assert not path.exists()


def test_appended_rows_outside_a_run_are_kept_as_run_zero(tmp_path):
    path = tmp_path / "s.duckdb"
    store.append(path, "test_b", pd.DataFrame({"quantity": [5.0]}), period="2026-10")
    store.append(path, "test_b", pd.DataFrame({"quantity": [6.0]}), period="2026-10")
    assert store.read_all_runs(path, "test_b")["quantity"].tolist() == [5.0, 6.0]


def test_invalid_table_names_are_refused():
    with pytest.raises(ValueError):
        store.check_table_name("x; DROP TABLE runs")


def _hold_write_lock(path, seconds, ready):
    con = duckdb.connect(str(path))
    ready.set()
    time.sleep(seconds)
    con.close()


def test_a_busy_store_is_waited_for_then_refused_clearly(tmp_path, monkeypatch, capsys):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-09", 1, pd.DataFrame({"x": [1]}))
    ready = mp.Event()
    holder = mp.Process(target=_hold_write_lock, args=(path, 4, ready))
    holder.start()
    ready.wait(10)
    monkeypatch.setenv("COMPASS_STORE_WAIT", "1")
    with pytest.raises(StoreBusy, match="busy"):
        store.read(path, "test_a")
    assert "waiting" in capsys.readouterr().err
    monkeypatch.setenv("COMPASS_STORE_WAIT", "30")
    assert store.read(path, "test_a")["x"].tolist() == [1]
    holder.join()


def test_a_frame_with_its_own_period_column_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(ValueError, match="store's keys"):
        store.stage(
            tmp_path, "test_b", pd.DataFrame({"period": ["2026-11"]}), period="2026-10", run_id=1
        )


def test_an_empty_table_commits_and_hides_the_previous_runs_rows(tmp_path):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-10", 1, pd.DataFrame({"x": [1.0]}))
    _commit(path, tmp_path, "2026-10", 2, pd.DataFrame({"x": pd.Series([], dtype=float)}))
    assert store.read(path, "test_a").empty


def test_a_staged_table_read_again_is_its_latest_staging_and_a_copy_of_its_own(tmp_path):
    run_dir = tmp_path / "2026-10-1"
    store.stage(run_dir, "test_a", pd.DataFrame({"x": [1, 2]}), period="2026-10", run_id=1)
    first = store.staged(run_dir, "test_a")
    first.loc[0, "x"] = 99  # a step changing its frame changes nobody else's
    assert store.staged(run_dir, "test_a")["x"].tolist() == [1, 2]
    store.stage(run_dir, "test_a", pd.DataFrame({"x": [3, 4]}), period="2026-10", run_id=1)
    assert store.staged(run_dir, "test_a")["x"].tolist() == [3, 4]
    assert store.staged(run_dir, "test_b") is None


def test_a_read_gives_each_runs_rows_in_the_order_they_were_written(tmp_path):
    path = tmp_path / "s.duckdb"
    _commit(path, tmp_path, "2026-10", 1, pd.DataFrame({"x": [3, 1, 2]}))
    _commit(path, tmp_path, "2026-09", 1, pd.DataFrame({"x": [9, 7, 8]}))
    assert store.read(path, "test_a")["x"].tolist() == [9, 7, 8, 3, 1, 2]
