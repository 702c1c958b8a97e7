import numpy as np
import pandas as pd
import pytest

from compass_nb.sop.kpis import budget_kpis, cycle_kpis, kpi_table


def test_cycle_kpis_from_consensus_and_supply_plan():
    months = pd.date_range("2026-11-01", periods=2, freq="MS")
    consensus = pd.DataFrame(
        {"month": months, "revenue": [1000.0, 3000.0], "margin": [400.0, 600.0]}
    )
    plan = pd.DataFrame(
        {
            "month": months,
            "demand": [100.0, 300.0],
            "met": [100.0, 200.0],
            "on_hand": [50.0, 150.0],
            "inventory_value": [500.0, 1500.0],
        }
    )
    k = cycle_kpis(consensus, plan, months, accuracy=0.7)
    assert k["revenue_plan"] == 4000 and k["margin_rate"] == pytest.approx(0.25)
    assert k["fill_rate"] == pytest.approx(0.75)
    assert k["inventory_value"] == pytest.approx(1000)
    # 100 units on hand on average against 200 a month of demand: half a month
    assert k["days_of_supply"] == pytest.approx(0.5 * 365.25 / 12)


def test_kpi_table_compares_with_previous_budget_and_target():
    table = kpi_table(
        {"fill_rate": 0.9, "revenue_plan": 110.0, "days_of_supply": 40.0},
        previous={"fill_rate": 0.95, "revenue_plan": 100.0},
        budget={"revenue_plan": 120.0},
        targets={"fill_rate": 0.95, "days_of_supply": 45.0},
    ).set_index("kpi")
    assert table.loc["fill_rate", "change"] == pytest.approx(-0.05)
    assert table.loc["fill_rate", "status"] == "off target"
    assert table.loc["days_of_supply", "status"] == "on target"  # lower is better
    assert table.loc["revenue_plan", "vs_budget"] == pytest.approx(-10)
    assert np.isnan(table.loc["margin_plan", "value"])


def test_budget_kpis_sum_the_budget_over_the_months():
    months = pd.date_range("2026-11-01", periods=2, freq="MS")
    budget = pd.DataFrame(
        {
            "period": ["2026-11", "2026-12", "2027-01"],
            "family": "F",
            "revenue": [10.0, 20.0, 40.0],
            "margin": [2.0, 4.0, 8.0],
        }
    )
    assert budget_kpis(budget, months) == {
        "revenue_plan": 30.0,
        "margin_plan": 6.0,
        "margin_rate": 0.2,
    }


def test_kpi_display_formats_each_kind():
    from compass_nb.sop.kpis import kpi_display

    table = kpi_table(
        {"fill_rate": 0.9, "revenue_plan": 1234.4, "days_of_supply": 40.2},
        previous={"fill_rate": 0.95},
    )
    shown = kpi_display(table).set_index("KPI")
    assert shown.loc["Fill rate", "value"] == "90.0%"
    assert shown.loc["Fill rate", "change"] == "-5.0 pts"
    assert shown.loc["Revenue plan", "value"] == "1,234"
    assert shown.loc["Days of supply", "value"] == "40 d"
