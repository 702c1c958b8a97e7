import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.sop.capacity import capacity_by_month
from compass_nb.sop.exceptions import supply_exceptions
from compass_nb.sop.gaps import demand_supply_gaps, gap_periods
from compass_nb.sop.recommendations import rank_recommendations
from compass_nb.sop.scenarios import (
    assumptions_ledger,
    plan_metrics,
    run_scenario,
    scenario_specs,
    scenario_table,
)

from .conftest import NO_RECEIPTS, no_safety, no_stock


@pytest.fixture
def setting(products, months):
    consensus = pd.DataFrame(
        [
            {
                "family": "F",
                "sku": sku,
                "location": "L",
                "month": m,
                "consensus": q,
                "consensus_lo_80": q * 0.5,
                "consensus_hi_80": q * 1.5,
            }
            for sku, qs in (("A", [60, 120, 60]), ("B", [40, 80, 40]))
            for m, q in zip(months, qs, strict=True)
        ]
    )
    cap = pd.DataFrame(
        {
            "period": months.strftime("%Y-%m"),
            "resource": "Line-A",
            "family": "F",
            "capacity_units": [110.0, 110.0, 110.0],
        }
    )
    inputs = {
        "opening": no_stock(["A", "B"]),
        "safety": no_safety(["A", "B"]),
        "receipts": NO_RECEIPTS,
        "products": products,
        "months": months,
        "priority": "margin",
        "max_cover_months": 6.0,
    }
    return consensus, capacity_by_month(cap, months), inputs


def _metrics(setting, specs):
    consensus, cap, inputs = setting
    return {s["name"]: plan_metrics(run_scenario(consensus, s, cap, **inputs)) for s in specs}


def test_scenario_deltas_are_zero_for_base(setting):
    table = scenario_table(_metrics(setting, scenario_specs()))
    assert (table.loc[table["scenario"] == "base", "delta"].abs() < 1e-9).all()


def test_upside_demand_serves_more_yet_fills_less_within_the_same_capacity(setting):
    table = scenario_table(_metrics(setting, scenario_specs())).set_index(["scenario", "metric"])[
        "delta"
    ]
    assert table[("upside", "unmet_units")] > 0
    assert table[("upside", "fill_rate")] < 0
    assert table[("downside", "unmet_units")] <= 0


def test_capacity_scenario_recovers_unmet_demand(setting):
    # demand 100 / 200 / 100 against 110 a month: 40 short overall (330 capacity vs 400... built ahead 10)
    specs = scenario_specs(
        [
            {
                "name": "line-a+15",
                "capacity": [{"resource": "Line-A", "change": 0.15, "from": "2026-11"}],
            }
        ]
    )
    m = _metrics(setting, specs)
    assert m["base"]["unmet_units"] > m["line-a+15"]["unmet_units"]
    assert m["line-a+15"]["revenue"] > m["base"]["revenue"]


def test_scenario_specs_refuse_unknown_demand_and_duplicate_names():
    with pytest.raises(ParameterError, match="demand must be one of"):
        scenario_specs([{"name": "x", "demand": "wishful"}])
    with pytest.raises(ParameterError, match="unique"):
        scenario_specs([{"name": "base"}])


def test_assumptions_ledger_lists_each_capacity_change():
    specs = scenario_specs(
        [{"name": "s", "capacity": [{"resource": "Line-A", "change": 0.15, "from": "2027-01"}]}]
    )
    ledger = assumptions_ledger(specs, "margin")
    row = ledger[(ledger["scenario"] == "s") & (ledger["topic"] == "capacity")]
    assert row["assumption"].tolist() == ["Line-A +15% from 2027-01"]


def test_gaps_and_exceptions_agree_with_the_plan(setting):
    consensus, cap, inputs = setting
    base = run_scenario(consensus, {"name": "base"}, cap, **inputs)
    gaps = demand_supply_gaps(base.plan)
    # 400 demanded, 330 capacity in all: 70 short; B (lower margin) takes the shortage
    assert gaps["gap_units"].sum() == pytest.approx(base.plan["unmet"].sum())
    periods = gap_periods(gaps)
    assert periods["gap_units"].sum() == pytest.approx(gaps["gap_units"].sum())
    exc = supply_exceptions(base.plan, base.load)
    assert set(exc["exception"]) >= {"demand not satisfied", "shortage", "resource overloaded"}
    unmet = exc[exc["exception"] == "demand not satisfied"]
    assert unmet["size"].sum() == pytest.approx(base.plan["unmet"].sum())
    assert set(unmet["sku"]) == {"B"}
    over = exc[exc["exception"] == "resource overloaded"]
    assert over["size"].tolist() == pytest.approx([90.0])  # December: 200 against 110


def test_recommendations_are_tied_to_gaps_and_ranked_by_value(setting):
    consensus, cap, inputs = setting
    base = run_scenario(consensus, {"name": "base"}, cap, **inputs)
    gaps = gap_periods(demand_supply_gaps(base.plan))

    def replan(changes):
        return run_scenario(consensus, {"name": "r", "capacity": changes}, cap, **inputs)

    recs = rank_recommendations(gaps, base, replan, max_increase=0.25)
    assert len(recs) >= 1
    assert set(recs["gap_id"]) <= set(gaps["gap_id"])
    assert recs["rank"].tolist() == list(range(1, len(recs) + 1))
    assert recs["value"].is_monotonic_decreasing
    assert (recs["units"] > 0).all() and (recs["kind"] == "capacity").all()
    assert recs["resource"].iloc[0] == "Line-A"


def test_base_scenario_rerun_from_the_stored_plan_reproduces_it(setting):
    from compass_nb.sop.supply import inputs_from_plan, plan_settings

    consensus, cap, inputs = setting
    first = run_scenario(consensus, {"name": "base"}, cap, **inputs)
    stored = plan_settings(first.plan, priority="margin", max_cover_months=6.0)
    again = run_scenario(
        consensus, {"name": "base"}, cap, products=inputs["products"], **inputs_from_plan(stored)
    )
    cols = ["sku", "month", "production", "closing", "met", "unmet"]
    pd.testing.assert_frame_equal(first.plan[cols], again.plan[cols])


def test_excess_stock_becomes_a_hold_back_recommendation_valued_at_carrying_cost(months):
    from compass_nb.sop.recommendations import excess_recommendations

    plan = pd.DataFrame(
        {
            "family": "F",
            "sku": "A",
            "location": "L",
            "month": months,
            "excess": [0.0, 120.0, 60.0],
            "unit_cost": 5.0,
        }
    )
    rec = excess_recommendations(plan, holding_rate=0.24).iloc[0]
    assert rec["units"] == 120 and rec["gap_value"] == 600
    # (120 + 60) units × 5 × 24 % / 12 months
    assert rec["value"] == pytest.approx(18.0)
    assert rec["gap_id"] == "excess:A|L|2026-12|2027-01"


def test_a_capacity_recommendation_never_exceeds_the_largest_increase(setting):
    consensus, cap, inputs = setting
    base = run_scenario(consensus, {"name": "base"}, cap, **inputs)
    gaps = gap_periods(demand_supply_gaps(base.plan))

    def replan(changes):
        return run_scenario(consensus, {"name": "r", "capacity": changes}, cap, **inputs)

    recs = rank_recommendations(gaps, base, replan, max_increase=0.05)
    assert (recs["capacity_change"] <= 0.05 + 1e-12).all()
