"""The contracts say what DESIGN.md's data-contract table says."""

from __future__ import annotations

from compass_nb.data.contracts import CONTRACTS, TABLE_ORDER, dependencies, describe

# DESIGN.md, "Inputs: the data contracts" (optional columns marked ?).
DESIGN = {
    "orders": "order_date sku location quantity net_revenue customer_id? channel?",
    "products": "sku family category? unit_cost unit_price lead_time_days lead_time_sd_days? service_level? "
    "launch_date? discontinue_date? lot_size? moq? planner?",
    "inventory": "snapshot_date sku location on_hand",
    "capacity": "period resource family capacity_units cost_per_unit? owner?",
    "receipts": "period sku location quantity",
    "overrides": "cycle period family? sku? location? quantity author reason?",
    "budget": "period family revenue quantity? margin?",
    "opportunities": "opportunity_id account? owner_id created_date close_date stage amount type? segment? "
    "forecast_category? product_family? is_closed is_won cancelled_date? loss_reason?",
    "opportunity_history": "opportunity_id changed_at stage amount close_date",
    "reps": "rep_id name team manager_id? region? role hire_date termination_date? base_salary ote plan_id",
    "quotas": "rep_id period quota",
    "credit_splits": "opportunity_id rep_id split_pct",
    "org_units": "team parent_team?",
    "survey_questions": "survey_id question_id text kind driver?",
    "survey_responses": "survey_id survey_date respondent_id team question_id score comment?",
    "survey_invites": "survey_id team invited",
    "activities": "activity_id rep_id activity_date kind opportunity_id? qualified?",
}


def test_every_design_table_has_a_contract_with_its_columns_in_order():
    assert set(CONTRACTS) == set(DESIGN) == set(TABLE_ORDER)
    for table, spec in DESIGN.items():
        expected = [(c.rstrip("?"), not c.endswith("?")) for c in spec.split()]
        assert [(c.name, c.required) for c in CONTRACTS[table].columns] == expected, table


def test_references_point_at_the_key_of_an_earlier_table():
    for name in TABLE_ORDER:
        for ref in CONTRACTS[name].references:
            target = CONTRACTS[ref.table]
            assert set(ref.to_columns) <= set(target.key), (name, ref)
            assert TABLE_ORDER.index(ref.table) < TABLE_ORDER.index(name)


def test_quantities_that_cannot_be_negative_have_a_floor_of_zero():
    for table, column in [
        ("orders", "quantity"),
        ("inventory", "on_hand"),
        ("receipts", "quantity"),
    ]:
        assert CONTRACTS[table].column(column).min == 0
    assert CONTRACTS["orders"].column("net_revenue").min < 0  # rebates are allowed


def test_every_number_has_an_upper_bound_so_no_total_overflows():
    for table in CONTRACTS.values():
        for column in table.columns:
            if column.type == "float":
                assert column.max is not None and column.max <= 1e13, (table.table, column.name)
                assert column.min is not None and column.min >= -1e13, (table.table, column.name)


def test_period_keyed_tables_are_not_cut_off_and_event_tables_are():
    assert all(CONTRACTS[t].cutoff is None for t in ("capacity", "receipts", "budget", "quotas"))
    assert CONTRACTS["orders"].cutoff == "order_date" and CONTRACTS["overrides"].cutoff_is_period


def test_dependencies_add_referenced_tables_and_deal_history():
    assert dependencies(["orders"]) == ["products", "orders"]
    assert dependencies(["credit_splits"]) == [
        "org_units",
        "reps",
        "opportunities",
        "opportunity_history",
        "credit_splits",
    ]


def test_describe_lists_every_table_once():
    text = describe()
    assert all(text.count(f"* `{t}`") == 1 for t in CONTRACTS)
    assert "`customer_id?` (str)" in text
