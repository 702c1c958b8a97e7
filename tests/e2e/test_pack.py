"""The runner end to end on the small demo: a whole pack, its files, its figures."""

import json

import pandas as pd
import pytest

from compass_nb import steps, store

from .conftest import PERIOD, compass

pytestmark = pytest.mark.slow


def test_the_demo_pack_renders_every_notebook(pack):
    assert pack.returncode == 0, pack.output
    manifest = json.loads((pack.period / "manifest.json").read_text())
    assert sorted(manifest["notebooks"]) == sorted(steps.NOTEBOOKS)
    assert all(item["status"] == "ok" for item in manifest["notebooks"].values()), manifest[
        "notebooks"
    ]
    for name in steps.NOTEBOOKS:
        assert (pack.period / f"{name}.html").stat().st_size > 5000


def test_the_pack_holds_every_file_of_the_design(pack):
    for name in ("index.html", "metrics.json", "manifest.json"):
        assert (pack.period / name).exists()
    assert (pack.root / "index.html").exists()
    private = pack.root / "private" / PERIOD
    assert sorted(p.stem for p in (private / "notebooks").glob("*.ipynb")) == sorted(
        steps.NOTEBOOKS
    )
    assert (private / "quarantine").is_dir()


def test_the_manifest_records_parameters_fingerprints_versions_timings_and_status(pack):
    manifest = json.loads((pack.period / "manifest.json").read_text())
    for field in (
        "period",
        "run_id",
        "fingerprint",
        "inputs",
        "parameters",
        "versions",
        "timings",
        "status",
    ):
        assert field in manifest
    assert manifest["parameters"]["source"] == "demo:small"
    assert manifest["inputs"]["fingerprints"]["orders"]
    assert manifest["versions"]["pandas"] and manifest["status"] == "complete"


def test_the_root_index_lists_the_period(pack):
    assert "2026-10/index.html" in (pack.root / "index.html").read_text()


def test_the_cycle_sees_only_what_was_known_at_its_cut_off(pack):
    orders = store.read(pack.store, "clean_orders", periods=[PERIOD])
    assert pd.to_datetime(orders["order_date"]).max() == pd.Timestamp("2026-10-31")
    mtd = store.read(pack.store, "clean_orders_mtd", periods=[PERIOD])
    assert pd.to_datetime(mtd["order_date"]).min() >= pd.Timestamp("2026-11-01")
    deals = store.read(pack.store, "clean_opportunities", periods=[PERIOD])
    assert pd.to_datetime(deals["created_date"]).max() <= pd.Timestamp("2026-10-31")


def test_the_run_is_committed_with_its_run_id(pack):
    runs = store.runs(pack.store)
    assert runs[["period", "run_id", "status"]].values.tolist() == [
        ["2026-09", 1, "complete"],
        [PERIOD, 1, "complete"],
    ]


def test_backfill_runs_the_earlier_cycle_first_with_its_own_cut_off_store_only(pack):
    out = pack.output
    assert out.index("Compass run 2026-09 (run 1), store only") < out.index("Compass run 2026-10")
    orders = store.read(pack.store, "clean_orders", periods="all")
    latest = pd.to_datetime(orders["order_date"]).groupby(orders["period"]).max()
    assert latest.dt.strftime("%Y-%m-%d").to_dict() == {
        "2026-09": "2026-09-30",
        "2026-10": "2026-10-31",
    }
    page = (pack.root / "index.html").read_text()
    assert page.index("2026-10/index.html") < page.index("2026-09") and "store only" in page
    assert store.read(pack.store, "forecast", periods=["2026-09"])["period"].eq("2026-09").all()


def test_metrics_json_holds_headline_figures_by_notebook(pack):
    metrics = json.loads((pack.period / "metrics.json").read_text())
    assert metrics["01_data_collection"]["rows_read"] > 0
    assert {"forecasting", "pipeline", "incentives", "compensation", "enps"} <= set(metrics)


def test_the_demo_written_as_files_loads_to_the_same_clean_tables_and_figures(pack, tmp_path):
    """Every step computes from the clean tables 01 writes (``clean_<table>``, declared as
    its inputs), so the same clean tables, value for value and type for type, give the same
    figures on every page: 01 alone on the files is compared with the whole pack."""
    folder = tmp_path / "demo"
    assert compass("demo", "--out", str(folder), "--profile", "small").returncode == 0
    root = tmp_path / "reports"
    result = compass(
        "run",
        *("--period", PERIOD, "--set", f"source={folder}", "--out", str(root)),
        *("--packs", "none", "--only", "01_data_collection"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (root / PERIOD).exists()  # store only
    written = steps.BY_NAME["data_collection"].writes
    assert {f"clean_{t}" for s in steps.STEPS for t in s.inputs} <= set(written)
    for table in [*written, "metrics"]:
        ours = store.read(root / "compass.duckdb", table, periods=[PERIOD])
        theirs = store.read(pack.store, table, periods=[PERIOD])
        if table == "metrics":
            ours, theirs = (t.loc[t["notebook"] == "01_data_collection"] for t in (ours, theirs))
        assert not theirs.empty, table
        pd.testing.assert_frame_equal(
            ours.drop(columns="run_id").reset_index(drop=True),
            theirs.drop(columns="run_id").reset_index(drop=True),
            check_exact=True,
            obj=table,
        )
