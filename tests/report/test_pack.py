"""The period index: what needs attention first, then every report in S&OP order."""

import html

from compass_nb.report.pack import attention, pack_order, period_index


def _manifest(**statuses):
    notebooks = {
        name: {"status": status, "duration": 1.0, "error": "", "title": name}
        for name, status in statuses.items()
    }
    return {
        "period": "2026-10",
        "run_id": 3,
        "fingerprint": "abc",
        "parameters": {"source": "demo", "currency": "EUR", "horizon": 18},
        "versions": {"compass_nb": "0.1"},
        "notebooks": notebooks,
    }


METRICS = {
    "01_data_collection": {
        "rows_quarantined": {"value": 12, "label": "Rows quarantined", "fmt": "{:,}"}
    },
    "02_demand_planning": {
        "attention_budget_gap_Garden": {
            "value": -95.0,
            "label": "Budget gap · Garden",
            "fmt": "{:+,.0f}",
        },
        "attention_budget_gap_Tools": {
            "value": -1680.0,
            "label": "Budget gap · Tools",
            "fmt": "{:+,.0f}",
        },
        "consensus_revenue": {
            "value": 82120000.0,
            "label": "Plan revenue (EUR, 18 months)",
            "fmt": "{:,.0f}",
        },
    },
    "05_executive_sop": {
        "approved_scenario": {"value": "decisions pending", "label": "Approved scenario"},
        "attention_decisions_pending": {"value": 2, "label": "Decisions pending", "fmt": "{:,}"},
    },
    "enps": {"enps_change": {"value": -8.0, "label": "eNPS change", "fmt": "{:+.0f}"}},
}


def test_reports_are_listed_in_sop_order_then_the_other_analyses():
    names = ["enps", "02_demand_planning", "pipeline", "forecasting", "01_data_collection"]
    assert pack_order(names) == [
        "01_data_collection",
        "forecasting",
        "02_demand_planning",
        "enps",
        "pipeline",
    ]


def test_attention_gathers_each_notebooks_items_largest_first_and_the_packs_alerts():
    manifest = _manifest(
        **{
            "01_data_collection": "ok",
            "02_demand_planning": "ok",
            "pipeline": "failed",
            "enps": "ok",
        }
    )
    items = attention(manifest, METRICS)
    texts = [i["text"] for i in items]
    assert texts[0] == "failed" and items[0]["notebook"] == "pipeline"
    budget = [t for t in texts if t.startswith("Budget gap")]
    assert budget == ["Budget gap · Tools: -1,680", "Budget gap · Garden: -95"]
    assert "12 input rows quarantined (see the data quality section)" in texts
    assert "Company eNPS fell by 8 points since the previous survey" in texts
    assert {i["notebook"] for i in items} >= {"02_demand_planning", "05_executive_sop", "enps"}


def test_the_front_page_opens_with_what_needs_attention_and_says_decisions_pending():
    manifest = _manifest(**{"02_demand_planning": "ok", "05_executive_sop": "ok", "enps": "ok"})
    page = html.unescape(period_index(manifest, METRICS))
    assert page.index("Needs attention") < page.index("Reports")
    assert "decisions pending" in page and "EUR, 18 months" in page
    assert '<a href="05_executive_sop.html">' in page
    # attention figures are not repeated as tiles
    assert page.count("Budget gap · Tools") == 1


def test_notebooks_skipped_for_absent_tables_are_named_in_the_summary_not_flagged():
    manifest = _manifest(**{"01_data_collection": "ok", "pipeline": "skipped", "enps": "failed"})
    manifest["notebooks"]["pipeline"]["error"] = "skipped: needs opportunities, reps"
    manifest["notebooks"]["enps"]["error"] = "ValueError: boom"
    items = attention(manifest, {})
    assert [(i["notebook"], i["text"]) for i in items] == [("enps", "failed (ValueError: boom)")]
    page = html.unescape(period_index(manifest, {}))
    assert (
        "1 of 3 notebooks completed; skipped for tables the source lacks: pipeline; "
        "not completed: enps." in page
    )


def test_a_pack_with_nothing_to_flag_says_so():
    manifest = _manifest(**{"02_demand_planning": "ok"})
    page = period_index(manifest, {"02_demand_planning": {}})
    assert "Nothing across the pack needs attention." in page


def test_data_strings_are_escaped_on_the_front_page():
    metrics = {"02_demand_planning": {"attention_x": {"value": 1, "label": "<script>x</script>"}}}
    page = period_index(_manifest(**{"02_demand_planning": "ok"}), metrics)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
