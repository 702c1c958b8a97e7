"""The runner end to end on the small demo: a whole pack, its files, its figures."""

import json

import pandas as pd
import pytest

from compass_nb import runner, store

from .conftest import PERIOD, compass

pytestmark = pytest.mark.slow


def test_the_demo_pack_renders_every_notebook(pack):
    assert pack.returncode == 0, pack.output
    manifest = json.loads((pack.period / "manifest.json").read_text())
    assert sorted(manifest["notebooks"]) == sorted(runner.NEEDS)
    assert all(item["status"] == "ok" for item in manifest["notebooks"].values()), manifest[
        "notebooks"
    ]
    for name in runner.NEEDS:
        assert (pack.period / f"{name}.html").stat().st_size > 5000


def test_the_pack_holds_every_file_of_the_design(pack):
    for name in ("index.html", "metrics.json", "manifest.json"):
        assert (pack.period / name).exists()
    assert (pack.root / "index.html").exists()
    private = pack.root / "private" / PERIOD
    assert sorted(p.stem for p in (private / "notebooks").glob("*.ipynb")) == sorted(runner.NEEDS)
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
    assert runs[["period", "run_id", "status"]].values.tolist() == [[PERIOD, 1, "complete"]]


def test_backfill_runs_the_earlier_cycles_first_each_with_its_own_cut_off(tmp_path):
    root = tmp_path / "backfill"
    result = compass(
        "run",
        "--period",
        PERIOD,
        "--backfill",
        "2",
        "--set",
        "source=demo:small",
        "--out",
        str(root),
        "--only",
        "01_data_collection",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert (
        out.index("Compass run 2026-08")
        < out.index("Compass run 2026-09")
        < out.index("Compass run 2026-10")
    )
    orders = store.read(root / "compass.duckdb", "clean_orders", periods="all")
    latest = pd.to_datetime(orders["order_date"]).groupby(orders["period"]).max()
    assert latest.dt.strftime("%Y-%m-%d").to_dict() == {
        "2026-08": "2026-08-31",
        "2026-09": "2026-09-30",
        "2026-10": "2026-10-31",
    }
    page = (root / "index.html").read_text()
    assert (
        page.index("2026-10/index.html")
        < page.index("2026-09/index.html")
        < page.index("2026-08/index.html")
    )


def test_metrics_json_holds_headline_figures_by_notebook(pack):
    metrics = json.loads((pack.period / "metrics.json").read_text())
    assert metrics["01_data_collection"]["rows_read"] > 0
    assert {"forecasting", "pipeline", "compensation", "enps"} <= set(metrics)


def test_the_demo_written_as_files_gives_the_same_figures(pack, tmp_path):
    folder = tmp_path / "demo"
    assert compass("demo", "--out", str(folder), "--profile", "small").returncode == 0
    root = tmp_path / "reports"
    only = ["01_data_collection", "forecasting", "pipeline", "compensation", "enps"]
    result = compass(
        "run", "--period", PERIOD, "--set", f"source={folder}", "--out", str(root), "--only", *only
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ours = json.loads((root / PERIOD / "metrics.json").read_text())
    theirs = json.loads((pack.period / "metrics.json").read_text())
    assert {name: ours[name] for name in only} == {name: theirs[name] for name in only}
