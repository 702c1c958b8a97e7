"""Exports as they come: presets, column mapping, codes, date formats, change logs."""

from __future__ import annotations

import pandas as pd
import pytest

from compass_nb import data
from compass_nb.data.presets import STAGE_PRESETS
from compass_nb.errors import InputError

from . import exports
from .conftest import write


def _states_salesforce(deals) -> set[tuple]:
    """The history a Salesforce field history stands for, worked out from the simulation:
    the state at creation (the report's created date), then the state after each change."""
    out = set()
    for d in deals:
        opp = exports._sf_id("006", d.number)
        state = dict(d.initial)
        out.add((opp, d.created.normalize(), *_shown_sf(state)))
        for at in sorted({c.at for c in d.changes}):
            for c in (c for c in d.changes if c.at == at):
                state[c.field] = c.new
            out.add((opp, at, *_shown_sf(state)))
    return out


def _shown_sf(state) -> tuple:
    return exports._sf_stage(state["stage"]), state["amount"], state["close_date"]


def _history(loaded) -> set[tuple]:
    h = loaded.tables["opportunity_history"]
    return {
        (
            r.opportunity_id,
            pd.Timestamp(r.changed_at),
            r.stage,
            r.amount,
            pd.Timestamp(r.close_date),
        )
        for r in h.itertuples()
    }


def test_a_salesforce_report_and_its_field_history_read_with_the_preset_alone(tmp_path):
    deals = exports.salesforce(tmp_path)
    loaded = data.load(
        tmp_path, inputs={"preset": "salesforce"}, stages=STAGE_PRESETS["salesforce"]
    )
    assert loaded.quarantine.empty, loaded.quarantine.head()
    opps = loaded.tables["opportunities"].set_index("opportunity_id")
    assert len(opps) == len(deals) == 90
    for d in deals:
        row = opps.loc[exports._sf_id("006", d.number)]
        assert row["amount"] == d.amount  # written "USD 33,400.00"
        assert row["close_date"] == d.close_date  # written 6/21/2025
        assert row["created_date"] == d.created.normalize()
        assert (row["is_closed"], row["is_won"]) == (d.stage in ("won", "lost"), d.stage == "won")
        assert row["owner_id"] == d.owner
        assert row["type"] == ("new" if d.number % 3 else "expansion")
    assert _history(loaded) == _states_salesforce(deals)
    notes = " ".join(loaded.notes["opportunities"])
    assert "3 footer lines" in notes and "month first (MDY)" in notes
    # the log holds a created event per deal and a Probability change per stage change
    other = len(deals) + sum(c.field == "stage" for d in deals for c in d.changes)
    assert f"{other:,} change rows of other fields" in " ".join(loaded.notes["opportunity_history"])
    assert loaded.period == "2026-10"  # last change Friday 30 October; the 31st is a Saturday
    assert "last business day" in loaded.period_reason


def _states_hubspot(deals) -> set[tuple]:
    out = set()
    for d in deals:
        deal = str(9_000_000_000 + d.number)
        state = dict(d.initial)
        out.add((deal, d.created.floor("min"), *_shown_hs(state)))
        for at in sorted({c.at for c in d.changes}):
            for c in (c for c in d.changes if c.at == at):
                state[c.field] = c.new
            out.add((deal, at, *_shown_hs(state)))
    return out


def _shown_hs(state) -> tuple:
    return exports._hs_stage(state["stage"], internal=False), state["amount"], state["close_date"]


def test_a_hubspot_deals_export_and_property_history_read_with_the_preset_alone(tmp_path):
    deals = exports.hubspot(tmp_path)
    loaded = data.load(tmp_path, inputs={"preset": "hubspot"}, stages=STAGE_PRESETS["hubspot"])
    assert loaded.quarantine.empty, loaded.quarantine.head()
    opps = loaded.tables["opportunities"].set_index("opportunity_id")
    for d in deals:
        row = opps.loc[str(9_000_000_000 + d.number)]
        # no closed/won columns in the export: derived from the stage list
        assert (row["is_closed"], row["is_won"]) == (d.stage in ("won", "lost"), d.stage == "won")
        assert row["type"] == ("new" if d.number % 4 else "expansion")
        assert row["amount"] == d.amount
    assert set(loaded.derived["opportunities"]) == {"is_closed", "is_won"}
    # stage ids of the history (closedwon, contractsent...) read as the export's labels
    assert _history(loaded) == _states_hubspot(deals)
    assert loaded.period == "2026-10"


def test_a_stage_the_stage_list_does_not_know_is_quarantined_saying_so(tmp_path):
    exports.hubspot(tmp_path)
    frame = pd.read_csv(tmp_path / "opportunities.csv", dtype=str)
    frame.loc[0, "Deal Stage"] = "Verbal Yes"
    frame.to_csv(tmp_path / "opportunities.csv", index=False)
    loaded = data.load(
        tmp_path,
        tables=["opportunities"],
        inputs={"preset": "hubspot"},
        stages=STAGE_PRESETS["hubspot"],
    )
    bad = loaded.quarantine.loc[loaded.quarantine["table"] == "opportunities"]
    assert bad[["row", "column", "value"]].values.tolist() == [[2, "is_closed", "Verbal Yes"]]
    assert "not in pipeline.stages" in bad["reason"].iloc[0]
    # mapping the code makes it a known stage
    again = data.load(
        tmp_path,
        tables=["opportunities"],
        inputs={
            "preset": "hubspot",
            "opportunities": {"values": {"stage": {"verbal yes": "Contract Sent"}}},
        },
        stages=STAGE_PRESETS["hubspot"],
    )
    assert again.quarantine.loc[again.quarantine["table"] == "opportunities"].empty
    first = again.con.sql("SELECT stage FROM clean_opportunities LIMIT 1").fetchall()
    assert first == [("Contract Sent",)]  # as exported (the cut-off state follows the history)


ORDERS = "order_date,sku,location,quantity,net_revenue\n"


def test_dates_that_read_both_ways_are_refused_naming_the_column_and_both_readings(folder):
    write(folder, "orders.csv", ORDERS + "3/4/2024,A,DC,1,5\n12/1/2024,B,DC,1,5\n")
    with pytest.raises(InputError) as err:
        data.load(folder, inputs={"orders": {}})
    text = str(err.value)
    assert "'order_date'" in text and "orders.csv" in text
    assert "12 January 2024" in text or "4 March 2024" in text  # the example, read US
    assert ("1 December 2024" in text and "12 January 2024" in text) or (
        "4 March 2024" in text and "3 April 2024" in text
    )
    assert "date_format: MDY" in text


def test_a_day_above_twelve_tells_the_order_and_a_declared_format_reads_the_rest(folder):
    write(folder, "orders.csv", ORDERS + "3/4/2024,A,DC,1,5\n31/1/2024,B,DC,2,5\n")
    loaded = data.load(folder, period="2024-12", tables=["orders"], inputs={"orders": {}})
    assert loaded.tables["orders"]["order_date"].tolist() == [
        pd.Timestamp("2024-04-03"),
        pd.Timestamp("2024-01-31"),
    ]
    write(folder, "orders.csv", ORDERS + "3/4/2024,A,DC,1,5\n2024-13-40,B,DC,2,5\n")
    declared = data.load(
        folder, period="2024-12", tables=["orders"], inputs={"orders": {"date_format": "MDY"}}
    )
    assert declared.tables["orders"]["order_date"].tolist() == [pd.Timestamp("2024-03-04")]
    assert declared.quarantine[["row", "column", "reason"]].values.tolist() == [
        [3, "order_date", "unparseable date (expected MDY as declared, or YYYY-MM-DD)"]
    ]


def test_excel_serial_numbers_are_dates(folder):
    write(folder, "orders.csv", ORDERS + "45291,A,DC,1,5\n45292.75,B,DC,1,5\n")
    loaded = data.load(folder, period="2024-01", tables=["orders"])
    # Excel's serial 45291 is 31 December 2023 (day 0 is 1899-12-30)
    assert loaded.tables["orders"]["order_date"].tolist() == [
        pd.Timestamp("2023-12-31"),
        pd.Timestamp("2024-01-01"),
    ]


def test_money_with_currency_marks_and_grouping_reads_as_the_number(folder):
    write(
        folder, "orders.csv", ORDERS + '2024-01-02,A,DC,1,"$1,234.50"\n2024-01-02,B,DC,1,USD 99\n'
    )
    loaded = data.load(folder, period="2024-01", tables=["orders"])
    assert loaded.tables["orders"]["net_revenue"].tolist() == [1234.5, 99.0]
    write(
        folder,
        "orders.csv",
        "order_date;sku;location;quantity;net_revenue\n2024-01-02;A;DC;1;1 234,50 €\n"
        "2024-01-02;B;DC;1;€ 2.000,25\n",
    )
    again = data.load(folder, period="2024-01", tables=["orders"])
    assert again.tables["orders"]["net_revenue"].tolist() == [
        1234.5,
        2000.25,
    ]


def test_a_declared_decimal_mark_settles_numbers_that_would_be_ambiguous(folder):
    write(folder, "orders.csv", ORDERS + '2024-01-02,A,DC,1,"1,234"\n')
    guessed = data.load(folder, period="2024-01", tables=["orders"])
    assert guessed.quarantine["reason"].tolist() == [data.validate.AMBIGUOUS]
    declared = data.load(
        folder, period="2024-01", tables=["orders"], inputs={"orders": {"decimal": "."}}
    )
    assert declared.quarantine.empty
    assert declared.tables["orders"]["net_revenue"].tolist() == [1234.0]


def test_an_order_line_export_with_us_dates_loads_with_a_column_mapping_alone(tmp_path):
    lines = exports.order_lines(tmp_path)
    mapping = {
        "orders": {
            "columns": {
                "Order Date": "order_date",
                "Product ID": "sku",
                "Region": "location",
                "Sales": "net_revenue",
            },
            "date_format": "MDY",
        }
    }
    loaded = data.load(tmp_path, inputs=mapping)
    assert loaded.quarantine.empty
    assert loaded.rows_read == {"orders": len(lines)}
    assert loaded.period == "2023-12"  # data end on Saturday 30 December 2023
    monthly = (
        data.monthly_orders(loaded).monthly.groupby("month")[["quantity", "net_revenue"]].sum()
    )
    dates = pd.to_datetime(lines["Order Date"], format="%m/%d/%Y")
    expected = lines.groupby(dates.dt.strftime("%Y-%m"))[["Quantity", "Sales"]].sum()
    assert monthly["quantity"].tolist() == expected["Quantity"].tolist()
    assert monthly["net_revenue"].round(2).tolist() == expected["Sales"].round(2).tolist()
    # the preset reads the same headers without a mapping (the region is the location)
    preset = data.load(tmp_path, inputs={"orders": {"preset": "order_lines", "date_format": "MDY"}})
    assert preset.tables["orders"]["net_revenue"].sum() == pytest.approx(lines["Sales"].sum())


def test_order_lines_with_a_unit_price_take_revenue_as_quantity_times_price(tmp_path):
    write(
        tmp_path,
        "orders.csv",
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom\n"
        "536366,22633,HAND WARMER,6,12/13/2010 8:28,1.85,17850,United Kingdom\n"
        "536367,22745,POPPY'S PLAYHOUSE,3,12/14/2010 8:34,,13047,France\n",
    )
    loaded = data.load(tmp_path, period="2010-12", inputs={"preset": "order_lines"})
    orders = loaded.tables["orders"]
    assert orders["net_revenue"].round(2).tolist() == [15.3, 11.1]
    assert orders["location"].tolist() == ["United Kingdom", "United Kingdom"]
    assert loaded.quarantine[["row", "column"]].values.tolist() == [[4, "net_revenue"]]
    assert "quantity × unit_price" in loaded.quarantine["reason"].iloc[0]


def test_files_named_by_their_system_are_found_by_the_preset(tmp_path):
    exports.salesforce(tmp_path)  # the field history keeps Data Loader's name
    assert (tmp_path / "OpportunityFieldHistory.csv").exists()
    loaded = data.load(
        tmp_path,
        tables=["opportunity_history"],
        inputs={"preset": "salesforce"},
        stages=STAGE_PRESETS["salesforce"],
    )
    assert loaded.files["opportunity_history"] == "OpportunityFieldHistory.csv"
    with pytest.raises(InputError, match="does not name an input table"):
        data.load(tmp_path)  # without the preset, the file is not a table


def test_a_mapping_names_the_header_to_map_when_a_column_is_missing(folder):
    write(folder, "orders.csv", "Day,Item,Site,Qty,Amount\n2024-01-02,A,DC,1,5\n")
    with pytest.raises(InputError) as err:
        data.load(
            folder,
            inputs={"orders": {"columns": {"Item": "sku", "Site": "location", "Qty": "quantity"}}},
        )
    assert "'order_date'" in str(err.value) and "inputs.orders.columns" in str(err.value)


def test_a_field_history_report_with_labels_and_us_dates_reads_as_the_data_loader_file(tmp_path):
    deals = exports.salesforce(tmp_path)
    log = pd.read_csv(tmp_path / "OpportunityFieldHistory.csv", dtype=str, keep_default_na=False)
    (tmp_path / "OpportunityFieldHistory.csv").unlink()
    labels = {
        "StageName": "Stage",
        "Amount": "Amount",
        "CloseDate": "Close Date",
        "created": "Created.",
    }
    stamp = pd.to_datetime(log["CreatedDate"])

    def amount(v):
        return f"USD {float(v):,.2f}" if v else ""

    def day(v):
        return f"{pd.Timestamp(v).month}/{pd.Timestamp(v).day}/{pd.Timestamp(v).year}" if v else ""

    report = pd.DataFrame(
        {
            "Opportunity Name": "x",
            "Opportunity ID": log["OpportunityId"],
            "Edit Date": stamp.dt.strftime("%-m/%-d/%Y %-I:%M %p"),
            "Field / Event": log["Field"].map(labels).fillna(log["Field"]),
            "Old Value": [
                amount(v) if f == "Amount" else day(v) if f == "CloseDate" else v
                for f, v in zip(log["Field"], log["OldValue"], strict=True)
            ],
            "New Value": [
                amount(v) if f == "Amount" else day(v) if f == "CloseDate" else v
                for f, v in zip(log["Field"], log["NewValue"], strict=True)
            ],
        }
    )
    report.to_csv(tmp_path / "opportunity_history.csv", index=False)
    loaded = data.load(
        tmp_path,
        inputs={
            "preset": "salesforce",
            "opportunity_history": {"preset": "salesforce_field_history"},
        },
        stages=STAGE_PRESETS["salesforce"],
    )
    assert loaded.quarantine.empty, loaded.quarantine.head()
    assert _history(loaded) == {
        (opp, at.floor("min"), *rest) for opp, at, *rest in _states_salesforce(deals)
    }


def test_a_hubspot_export_saved_as_a_workbook_reads_the_same(tmp_path):
    exports.hubspot(tmp_path)
    csv = data.load(tmp_path, inputs={"preset": "hubspot"}, stages=STAGE_PRESETS["hubspot"])
    frame = pd.read_csv(tmp_path / "opportunities.csv", dtype=str)
    (tmp_path / "opportunities.csv").unlink()
    frame.to_excel(tmp_path / "opportunities.xlsx", index=False)
    xlsx = data.load(tmp_path, inputs={"preset": "hubspot"}, stages=STAGE_PRESETS["hubspot"])
    assert xlsx.quarantine.empty
    pd.testing.assert_frame_equal(xlsx.tables["opportunities"], csv.tables["opportunities"])


def test_deals_without_flags_take_them_from_the_stage_list_even_without_a_mapping(tmp_path):
    write(
        tmp_path,
        "opportunities.csv",
        "opportunity_id,owner_id,created_date,close_date,stage,amount\n"
        "O-1,R-1,2026-01-05,2026-02-01,Closed Won,100\n"
        "O-2,R-1,2026-01-06,2026-03-01,Proposal,200\n"
        "O-3,R-1,2026-01-07,2026-02-15,Closed Lost,300\n",
    )
    loaded = data.load(
        tmp_path, period="2026-03", tables=["opportunities"], stages=STAGE_PRESETS["salesforce"]
    )
    opps = loaded.tables["opportunities"]
    # Proposal is not a Salesforce default stage (Proposal/Price Quote is): set aside, saying so
    assert opps[["opportunity_id", "is_closed", "is_won"]].values.tolist() == [
        ["O-1", True, True],
        ["O-3", True, False],
    ]
    assert loaded.quarantine["value"].tolist() == ["Proposal"]
    with pytest.raises(InputError, match="'is_closed', 'is_won'"):
        data.load(tmp_path, period="2026-03", tables=["opportunities"])  # no stage list
