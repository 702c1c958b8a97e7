"""Real systems' exports, end to end: `compass-nb run` with nothing but the source, the preset
and the stage mapping in the parameters file (issue 16)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from compass_nb import store
from tests.data import exports

from .conftest import compass

pytestmark = pytest.mark.slow


def _params(tmp_path, text: str):
    path = tmp_path / "acme.yaml"
    path.write_text(text)
    return path


def _win_rate(deals, start: str, end: str) -> float:
    """Won ÷ closed among deals closed in [start, end], from the simulation itself."""
    closed = [
        d for d in deals if d.stage in ("won", "lost") and start <= str(d.close_date.date()) <= end
    ]
    return sum(d.stage == "won" for d in closed) / len(closed)


def _break_first_amount(path) -> None:
    """Make the first deal's amount negative (a row the pipeline must quarantine)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"USD ', '"USD -', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("system", ["salesforce", "hubspot"])
def test_a_crm_export_renders_the_pipeline_with_the_preset_and_stage_mapping_alone(
    tmp_path, system
):
    folder = tmp_path / "export"
    deals = getattr(exports, system)(folder)
    if system == "salesforce":  # and one bad row, which the page counts and leaves out
        _break_first_amount(folder / "opportunities.csv")
        deals = deals[1:]
    params = _params(
        tmp_path,
        f"source: {folder}\ninputs: {{preset: {system}}}\npipeline: {{stages: {system}}}\n",
    )
    root = tmp_path / "reports"
    result = compass("run", "-p", str(params), "--only", "pipeline", "--out", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    pack = root / "2026-10"  # the history ends on Friday 30 October 2026
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["notebooks"]["pipeline"]["status"] == "ok"
    figures = json.loads((pack / "metrics.json").read_text())["pipeline"]
    # the lookback of 12 months: deals closed from 2025-11-01 to the cut-off
    assert figures["win_rate"] == pytest.approx(
        _win_rate(deals, "2025-11-01", "2026-10-31"), abs=1e-6
    )
    page = (pack / "pipeline.html").read_text()
    assert "Every stage in the data is in the mapping" in page
    assert "Traceback" not in page
    if system == "salesforce":
        quarantined = "1 row of opportunities quarantined and left out of every figure here"
        assert quarantined in page
    committed = store.read(root / "compass.duckdb", "pipeline_commit", periods=["2026-10"])
    assert not committed.empty


@pytest.fixture(scope="module")
def orders_pack(tmp_path_factory):
    """A whole run on a shop's order-line export (US dates, no products, inventory or
    capacity), mapped with ``columns`` and ``date_format`` alone."""
    tmp_path = tmp_path_factory.mktemp("orders-export")
    folder = tmp_path / "export"
    lines = exports.order_lines(folder)
    params = _params(
        tmp_path,
        f"source: {folder}\n"
        "inputs:\n"
        "  orders:\n"
        "    columns: {Order Date: order_date, Product ID: sku, Region: location, Sales: net_revenue}\n"
        "    date_format: MDY\n",
    )
    root = tmp_path / "reports"
    result = compass("run", "-p", str(params), "--out", str(root))
    manifest = json.loads((root / "2023-12" / "manifest.json").read_text())
    return root, lines, manifest["notebooks"], result.stdout + result.stderr


def test_an_order_line_export_with_us_dates_loads_with_a_column_mapping_alone(orders_pack):
    root, lines, notebooks, output = orders_pack
    pack = root / "2023-12"  # lines end on Saturday 30 December 2023
    assert notebooks["01_data_collection"]["status"] == "ok", output
    figures = json.loads((pack / "metrics.json").read_text())["01_data_collection"]
    assert figures["rows_read"] == len(lines)
    assert figures["rows_quarantined"] == 0
    clean = store.read(root / "compass.duckdb", "clean_orders", periods=["2023-12"])
    assert clean["quantity"].sum() == lines["Quantity"].sum()
    assert clean["net_revenue"].sum() == pytest.approx(lines["Sales"].sum())
    assert set(clean["location"]) == {"East", "West", "Central"}
    # no CRM tables: the pipeline is skipped with its reason, never failed
    assert notebooks["pipeline"]["status"] == "skipped"
    assert "needs opportunities" in notebooks["pipeline"]["error"]


def test_the_sop_chain_renders_on_an_order_line_export_alone(orders_pack):
    root, _, notebooks, output = orders_pack
    statuses = {n: v["status"] for n, v in notebooks.items()}
    chain = ["forecasting", "02_demand_planning", "03_supply_planning", "04_pre_sop_review"]
    chain += ["05_executive_sop", "06_implementation_tracking"]
    for name in chain:
        assert statuses[name] == "ok", (statuses, output)
    pack = root / "2023-12"
    # the items are derived from the orders, and every page that rests on them says so
    for name in ["01_data_collection", *chain]:
        page = (pack / f"{name}.html").read_text()
        assert "no products table: the 3 items are derived from the orders" in page, name
        assert "Traceback" not in page, name
    for name in ("03_supply_planning", "04_pre_sop_review", "05_executive_sop"):
        page = (pack / f"{name}.html").read_text()
        assert "no inventory data: opening stock assumed to be zero" in page, name
        assert "no capacity data: unlimited capacity assumed" in page, name
    executive = (pack / "05_executive_sop.html").read_text()
    assert "not assessed: unit costs assumed" in executive  # margins rest on the cost share
    assert "not assessed: unlimited capacity assumed" in executive  # never "within band"


def test_the_forecast_of_an_order_line_export_has_one_total_on_every_page(orders_pack):
    root, _, _, _ = orders_pack
    figures = json.loads((root / "2023-12" / "metrics.json").read_text())
    forecast = figures["forecasting"]["forecast_units"]
    assert figures["02_demand_planning"]["consensus_units"] == pytest.approx(forecast, rel=1e-9)
    exported = pd.read_csv(root / "2023-12" / "exports" / "consensus.csv")
    assert exported["consensus"].sum() == pytest.approx(forecast, abs=len(exported))  # whole units


def test_dates_that_read_both_ways_stop_the_run_with_the_column_and_both_readings(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    pd.DataFrame(
        {
            "Order Date": ["3/4/2024", "5/6/2024"],
            "Product ID": ["A", "B"],
            "Region": ["East", "West"],
            "Quantity": [1, 2],
            "Sales": [10, 20],
        }
    ).to_csv(folder / "orders.csv", index=False)
    result = compass("check", str(folder), "--set", "inputs.preset=order_lines")
    assert result.returncode == 2
    assert "'order_date'" in result.stderr and "4 March 2024" in result.stderr
    assert "3 April 2024" in result.stderr and "Traceback" not in result.stderr
