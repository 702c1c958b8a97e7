import numpy as np
import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.sop.capacity import capacity_by_month
from compass_nb.sop.exceptions import supply_exceptions
from compass_nb.sop.gaps import demand_supply_gaps, gap_periods
from compass_nb.sop.recommendations import rank_recommendations
from compass_nb.sop.scenarios import (
    assumptions_ledger,
    coherent_bounds,
    plan_metrics,
    run_scenario,
    scenario_specs,
    scenario_table,
    side_by_side,
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
            "cost_per_unit": 0.5,
            "owner": "ops",
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


def test_side_by_side_shows_each_metric_in_its_unit(setting):
    shown = side_by_side(scenario_table(_metrics(setting, scenario_specs()))).set_index("metric")
    # 400 units demanded, 280 served in their month (see the exceptions test): 70 %
    assert shown.loc["Fill rate", "base"] == "70.0%"
    assert shown.loc["Fill rate", "upside vs base"].endswith(" pts")
    assert shown.loc["Unmet demand (units)", "base"] == "120"
    assert shown.loc["Days of supply", "base"].endswith(" d")


def test_scenario_specs_refuse_unknown_demand_and_duplicate_names():
    with pytest.raises(ParameterError, match="demand must be one of"):
        scenario_specs([{"name": "x", "demand": "wishful"}])
    with pytest.raises(ParameterError, match="unique"):
        scenario_specs([{"name": "base"}])


def test_assumptions_ledger_lists_each_capacity_change_and_the_bounds_method():
    specs = scenario_specs(
        [{"name": "s", "capacity": [{"resource": "Line-A", "change": 0.15, "from": "2027-01"}]}]
    )
    ledger = assumptions_ledger(specs, "margin", "the total level's interval", ["no stock"])
    row = ledger[(ledger["scenario"] == "s") & (ledger["topic"] == "capacity")]
    assert row["assumption"].tolist() == ["Line-A +15% from 2027-01"]
    up = ledger[(ledger["scenario"] == "upside") & (ledger["topic"] == "demand")]
    assert up["assumption"].iloc[0].endswith("the total level's interval")
    assert (ledger.loc[ledger["topic"] == "input", "assumption"] == "no stock").sum() == 4


def _bounds_case(month):
    plan = pd.DataFrame(
        {
            "family": ["F", "F", "G"],
            "sku": ["A", "B", "C"],
            "location": "L",
            "month": month,
            "consensus": [60.0, 40.0, 100.0],
            "stat_forecast": [60.0, 40.0, 100.0],
            # every SKU's own bound is +50 %: their sum would give +100 units
            "stat_lo_80": [30.0, 20.0, 50.0],
            "stat_hi_80": [90.0, 60.0, 150.0],
        }
    )
    level = {"level": [], "family": [], "ds": [], "yhat": [], "yhat_lo_80": [], "yhat_hi_80": []}
    for lev, fam, y, lo, hi in (
        ("total", None, 200.0, 180.0, 220.0),  # the total's own interval: ±10 %
        ("family", "F", 100.0, 85.0, 130.0),  # F: +30 % / −15 %
        ("family", "G", 100.0, 95.0, 110.0),  # G: +10 % / −5 %
    ):
        for key, value in zip(level, (lev, fam, month, y, lo, hi), strict=True):
            level[key].append(value)
    return plan, pd.DataFrame(level)


def test_upside_and_downside_come_from_the_total_interval_spread_by_family_spread(months):
    plan, forecast = _bounds_case(months[0])
    out, method = coherent_bounds(plan, forecast)
    # total +10 % of 200 = +20 units, not the +100 of the SKU bounds
    assert out["consensus_hi_80"].sum() - out["consensus"].sum() == pytest.approx(20.0)
    assert out["consensus"].sum() - out["consensus_lo_80"].sum() == pytest.approx(20.0)
    # F's own spread (100 × 30 %) is three times G's (100 × 10 %): 15 and 5 of the 20 units
    up = out.set_index("sku")["consensus_hi_80"] - out.set_index("sku")["consensus"]
    assert up["C"] == pytest.approx(5.0)
    # within F, in proportion to consensus: A 60 %, B 40 % of 15
    assert (up["A"], up["B"]) == pytest.approx((9.0, 6.0))
    down = out.set_index("sku")["consensus"] - out.set_index("sku")["consensus_lo_80"]
    assert down["C"] == pytest.approx(20.0 * 5 / 20)  # G: 100 × 5 % of 100 × 15 % + 100 × 5 %
    assert "total level" in method


def test_without_total_and_family_levels_sku_bounds_combine_as_independent(months):
    plan, _ = _bounds_case(months[0])
    out, method = coherent_bounds(plan, pd.DataFrame({"level": [], "ds": [], "yhat": []}))
    # √(30² + 20² + 50²) = 61.64 units, not 100
    extra = out["consensus_hi_80"].sum() - out["consensus"].sum()
    assert extra == pytest.approx(np.sqrt(30**2 + 20**2 + 50**2))
    assert "independent" in method


def test_exceptions_after_levelling_carry_owner_due_month_and_status(setting, months):
    consensus, cap, inputs = setting
    base = run_scenario(consensus, {"name": "base"}, cap, **inputs)
    gaps = demand_supply_gaps(base.plan)
    assert gaps["gap_units"].sum() == pytest.approx(base.plan["unmet"].sum())
    plan = base.plan.assign(lead_time_months=1.0)
    exc = supply_exceptions(
        plan,
        base.load,
        first_month=months[0],
        item_owner=pd.Series({"A": "ana", "B": "ben"}),
        resource_owner=pd.Series({"Line-A": "ops"}),
        capacity_lead_months=2,
    )
    # capacity 110 a month against 100 / 200 / 100: A (higher margin) is served first; B gets
    # 40 in November, nothing on time in December (80 short) and its 50 units of January go
    # to the December backlog first, so its January demand of 40 waits too
    served = exc[exc["exception"] == "demand not served"]
    assert served.set_index("month")["size"].to_dict() == {months[1]: 80.0, months[2]: 40.0}
    assert set(served["sku"]) == {"B"} and set(served["owner"]) == {"ben"}
    short = exc[exc["exception"] == "capacity short"]
    assert short["size"].sum() == pytest.approx(120.0)
    assert set(short["resource"]) == {"Line-A"} and set(short["owner"]) == {"ops"}
    # due: the month less two months to add capacity, never before the first plan month
    assert (short["due"] == months[0]).all() and set(exc["status"]) == {"new"}
    assert "resource overloaded" not in set(exc["exception"])  # the load before levelling
    again = supply_exceptions(
        plan,
        base.load,
        first_month=months[0],
        item_owner=pd.Series({"A": "ana", "B": "ben"}),
        resource_owner=pd.Series({"Line-A": "ops"}),
        capacity_lead_months=2,
        previous=pd.concat(
            [exc, exc.iloc[:1].assign(exception="below safety stock", month=months[2])]
        ),
    )
    assert (again["status"] == "open").sum() == len(exc)
    assert again.loc[again["status"] == "resolved", "size"].tolist() == [0.0]


def _recommend(setting, months, **kw):
    consensus, cap, inputs = setting
    base = run_scenario(consensus, {"name": "base"}, cap, **inputs)
    gaps = gap_periods(demand_supply_gaps(base.plan))

    def replan(changes):
        return run_scenario(consensus, {"name": "r", "capacity": changes}, cap, **inputs)

    options = dict(
        max_increase=0.25,
        limit=5,
        earliest=months[0],
        lead_months=0,
        unit_costs=pd.DataFrame({"resource": ["Line-A"], "family": ["F"], "cost_per_unit": [0.5]}),
        holding_rate=0.25,
        resource_owner=pd.Series({"Line-A": "ops"}),
    )
    options.update(kw)
    return base, gaps, rank_recommendations(gaps, base, replan, **options)


def test_capacity_recommendations_are_valued_net_of_their_cost(setting, months):
    base, gaps, (recs, reach) = _recommend(setting, months)
    assert len(recs) >= 1 and reach.empty
    rec = recs.iloc[0]
    assert rec["gap_id"] in set(gaps["gap_id"]) and rec["owner"] == "ops"
    assert rec["net_value"] == pytest.approx(rec["gross_value"] - rec["cost"])
    # the cost is at least the added capacity (in units, from the action) at 0.5 a unit
    added = float(rec["action"].split("(")[1].split(" units")[0].replace(",", ""))
    assert rec["cost"] >= 0.5 * added - 1e-9
    assert recs["net_value"].is_monotonic_decreasing
    assert recs["rank"].tolist() == list(range(1, len(recs) + 1))


def test_no_capacity_action_starts_inside_the_lead_time(setting, months):
    _, _, (recs, reach) = _recommend(setting, months, earliest=months[2], lead_months=2)
    assert (recs["first_month"] >= months[2]).all()
    _, _, (late, reach) = _recommend(
        setting, months, earliest=months[2] + pd.DateOffset(months=1), lead_months=3
    )
    assert late.empty and len(reach) == 1  # the gap ends before capacity can be added


def test_a_capacity_recommendation_never_exceeds_the_largest_increase(setting, months):
    _, _, (recs, _) = _recommend(setting, months, max_increase=0.05)
    assert (recs["capacity_change"] <= 0.05 + 1e-12).all()


def test_base_scenario_rerun_from_the_stored_plan_reproduces_it(setting):
    from compass_nb.sop.supply import inputs_from_plan, plan_settings

    consensus, cap, inputs = setting
    first = run_scenario(consensus, {"name": "base"}, cap, **inputs)
    stored = plan_settings(first.plan, priority="margin", max_cover_months=6.0)
    again = run_scenario(consensus, {"name": "base"}, cap, **inputs_from_plan(stored))
    cols = ["sku", "month", "production", "closing", "met", "unmet"]
    pd.testing.assert_frame_equal(first.plan[cols], again.plan[cols])


def test_excess_fed_by_supply_becomes_a_hold_back_valued_at_carrying_cost(months):
    from compass_nb.sop.recommendations import excess_recommendations

    plan = pd.DataFrame(
        {
            "family": "F",
            "sku": "A",
            "location": "L",
            "month": months,
            "excess": [0.0, 120.0, 60.0],
            "receipts": [200.0, 0.0, 0.0],
            "production": 0.0,
            "unit_cost": 5.0,
            "lead_time_months": 1.0,
        }
    )
    rec = excess_recommendations(
        plan,
        holding_rate=0.24,
        limit=5,
        first_month=months[0],
        item_owner=pd.Series({"A": "ana"}),
        base_fill=1.0,
        base_inventory=1000.0,
    ).iloc[0]
    # at most the smallest excess of the run is held back, so stock stays at the cover
    assert rec["units"] == 60 and rec["gap_value"] == 300 and rec["cash"] == 300
    # 60 units × 5 × 24 % / 12 over the run's 2 months
    assert rec["gross_value"] == pytest.approx(12.0) and rec["net_value"] == rec["gross_value"]
    assert rec["gap_id"] == "excess:A|L|2026-12|2027-01" and rec["owner"] == "ana"
    fed_by_nothing = excess_recommendations(
        plan.assign(receipts=0.0),
        holding_rate=0.24,
        limit=5,
        first_month=months[0],
        item_owner=pd.Series(dtype=object),
        base_fill=1.0,
        base_inventory=1000.0,
    )
    assert fed_by_nothing.empty  # stock nothing feeds cannot be held back
