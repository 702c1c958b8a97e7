import numpy as np
import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.sop.kpis import budget_totals, check_bands, cycle_kpis, kpi_display, kpi_table


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
            "revenue": [1000.0, 2000.0],
            "on_hand": [50.0, 150.0],
            "inventory_value": [500.0, 1500.0],
        }
    )
    k = cycle_kpis(consensus, plan, months, accuracy=0.7)
    assert k["revenue_plan"] == 4000 and k["margin_rate"] == pytest.approx(0.25)
    assert k["revenue_served"] == 3000
    assert k["fill_rate"] == pytest.approx(0.75)
    assert k["inventory_value"] == pytest.approx(1000)
    # 100 units on hand on average against 200 a month of demand: half a month
    assert k["days_of_supply"] == pytest.approx(0.5 * 365.25 / 12)


def test_a_band_gives_within_below_or_above_and_an_assumption_is_never_within():
    bands = check_bands(
        {
            "fill_rate": {"floor": 0.95, "ceiling": None},
            "days_of_supply": {"floor": 45.0, "ceiling": 75.0},
            "inventory_value": {"floor": None, "ceiling": None},
        }
    )
    assert set(bands) == {"fill_rate", "days_of_supply"}
    table = kpi_table(
        {"fill_rate": 0.9, "days_of_supply": 32.0, "inventory_value": 10.0, "margin_rate": 0.3},
        bands=bands,
    ).set_index("kpi")
    assert table.loc["fill_rate", "status"] == "below floor"
    # 32 days against 45–75 is below the floor, not "on target" because it is low
    assert table.loc["days_of_supply", "status"] == "below floor"
    assert table.loc["margin_rate", "status"] == "no target"
    assert table.loc["forecast_accuracy", "status"] == "not measured"
    high = kpi_table({"days_of_supply": 80.0}, bands=bands).set_index("kpi")
    assert high.loc["days_of_supply", "status"] == "above ceiling"
    assumed = kpi_table(
        {"fill_rate": 1.0}, bands=bands, assumptions={"fill_rate": "unlimited capacity assumed"}
    ).set_index("kpi")
    assert assumed.loc["fill_rate", "status"] == "not assessed: unlimited capacity assumed"


def test_a_band_that_is_not_a_mapping_or_upside_down_is_refused():
    with pytest.raises(ParameterError, match="unknown key 'happiness'"):
        check_bands({"happiness": {"floor": 1}})
    with pytest.raises(ParameterError, match="must be a band"):
        check_bands({"fill_rate": 0.95})
    with pytest.raises(ParameterError, match="above ceiling"):
        check_bands({"days_of_supply": {"floor": 80, "ceiling": 40}})


def test_budget_totals_cover_only_the_budgeted_months():
    gap = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-11-01", "2026-12-01", "2027-01-01"]),
            "revenue": [100.0, 200.0, 300.0],
            "margin": [10.0, 20.0, 30.0],
            "budget_revenue": [110.0, 190.0, np.nan],
            "budget_margin": [11.0, np.nan, np.nan],
        }
    )
    t = budget_totals(gap)
    assert len(t["months"]) == 2
    assert t["revenue"] == 300 and t["budget_revenue"] == 300 and t["gap_revenue"] == 0
    assert t["budget_margin"] == 11


def test_kpi_display_formats_each_kind_and_the_band():
    table = kpi_table(
        {"fill_rate": 0.9, "revenue_plan": 1234.4, "days_of_supply": 40.2},
        change={"fill_rate": -0.05},
        bands={"days_of_supply": (45.0, 75.0), "fill_rate": (0.95, np.nan)},
    )
    shown = kpi_display(table).set_index("KPI")
    assert shown.loc["Fill rate (planned)", "Value"] == "90.0%"
    assert shown.loc["Fill rate (planned)", "Change vs last cycle"] == "-5.0 pts"
    assert shown.loc["Fill rate (planned)", "Target band"] == "≥ 95.0%"
    assert shown.loc["Revenue plan (demand at net price)", "Value"] == "1,234"
    assert shown.loc["Days of supply (average)", "Target band"] == "45 d – 75 d"
