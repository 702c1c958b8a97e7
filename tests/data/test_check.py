"""``compass-nb check``: what a source holds, how it maps, what a run would do with it."""

from __future__ import annotations

import pandas as pd

from compass_nb import cli, steps
from compass_nb.data.check import check_source
from compass_nb.data.presets import STAGE_PRESETS

from . import exports

NOTEBOOKS = [(s.notebook, s.inputs, s.optional_inputs) for s in steps.STEPS]


def test_check_reports_a_salesforce_export_read_through_its_preset(tmp_path):
    exports.salesforce(tmp_path)
    frame = pd.read_csv(tmp_path / "reps.csv")
    frame.loc[0, "hire_date"] = "soon"  # one bad seller row
    frame.to_csv(tmp_path / "reps.csv", index=False)
    report = check_source(
        tmp_path, NOTEBOOKS, inputs={"preset": "salesforce"}, stages=STAGE_PRESETS["salesforce"]
    )
    opps = report.table("opportunities")
    assert opps.preset.startswith("Salesforce Opportunity report")
    assert ("Opportunity ID", "opportunity_id") in opps.mapped
    assert ("Opportunity Owner", "owner_id") in opps.mapped
    assert "probability (%)" in opps.extra
    history = report.table("opportunity_history")
    assert history.file == "OpportunityFieldHistory.csv"
    assert any("pivoted into" in n for n in history.notes)
    reps = report.table("reps")
    assert (reps.rows_read, reps.quarantined) == (6, 1)
    assert reps.reasons == [("hire_date", "unparseable date (expected YYYY-MM-DD)", 1)]
    # references go by the key alone: the seller's deals still name a known rep
    assert report.table("opportunities").quarantined == 0
    assert report.period == "2026-10" and "last business day" in report.period_reason
    assert report.notebook("pipeline").runs and report.notebook("compensation").runs
    forecasting = report.notebook("forecasting")
    assert not forecasting.runs and forecasting.lacking == ["orders", "products"]
    text = report.text()
    assert "Opportunity ID → opportunity_id" in text
    assert "skipped: needs orders, products" in text
    assert "1 × hire_date: unparseable date" in text


def test_check_reports_a_hubspot_export_with_its_derived_flags(tmp_path):
    exports.hubspot(tmp_path)
    report = check_source(
        tmp_path, NOTEBOOKS, inputs={"preset": "hubspot"}, stages=STAGE_PRESETS["hubspot"]
    )
    opps = report.table("opportunities")
    assert set(opps.derived) == {"is_closed", "is_won"}
    assert ("Deal Stage", "stage") in opps.mapped and ("Record ID", "opportunity_id") in opps.mapped
    assert opps.quarantined == 0 and report.table("opportunity_history").quarantined == 0
    assert "is_closed from the stage list" in report.text()
    assert report.notebook("pipeline").runs


def test_check_of_an_order_line_export_says_what_runs_what_is_derived_and_what_is_missing(
    tmp_path, capsys
):
    exports.order_lines(tmp_path)
    params = tmp_path / "p.yaml"
    params.write_text(
        "inputs:\n  orders:\n    columns: {Order Date: order_date, Product ID: sku, "
        "Region: location, Sales: net_revenue}\n    date_format: MDY\n"
    )
    assert cli.main(["check", str(tmp_path), "-p", str(params)]) == 0
    out = capsys.readouterr().out
    assert "Period: 2023-12" in out and "2023-12-30 (Saturday)" in out
    assert "Order Date → order_date" in out and "Sales → net_revenue" in out
    assert "01_data_collection           can run" in out
    # no products: the items are derived from the orders, and the S&OP chain can run
    assert "products             derived: no products table: the 3 items are derived" in out
    assert "forecasting                  can run (without overrides)" in out
    assert "03_supply_planning           can run (without inventory, capacity, receipts)" in out
    assert "pipeline                     skipped: needs opportunities" in out
    assert "absent:" in out and "products" not in out.split("absent:")[1].splitlines()[0]
