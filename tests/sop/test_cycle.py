"""The S&OP steps chained through the package on demo:small, over several cycles."""

import pandas as pd
import pytest

from compass_nb import formatting
from compass_nb.calendar import period_month
from compass_nb.errors import InputError, ParameterError
from compass_nb.sop import cycle

from .cycles import DEMAND, EXECUTIVE, PRE_SOP, SUPPLY, TRACKING, seasonal_naive_forecast


@pytest.fixture(scope="module")
def demo_tables():
    from compass_nb.data import demo

    return demo.generate("small")


def _as_of(tables, period):
    cut = period_month(period) + pd.offsets.MonthEnd(0)
    orders = tables["orders"][pd.to_datetime(tables["orders"]["order_date"]) <= cut]
    inventory = tables["inventory"][pd.to_datetime(tables["inventory"]["snapshot_date"]) <= cut]
    return orders, inventory, tables["overrides"][tables["overrides"]["cycle"] <= period]


@pytest.fixture(scope="module")
def cycles(demo_tables):
    """Seven monthly cycles, 2026-04 to 2026-10, planned as 02 and 03 would."""
    t = demo_tables
    out = {"consensus": [], "forecast": [], "supply_plan": [], "decisions": []}
    for p in [str(x) for x in pd.period_range("2026-04", "2026-10", freq="M")]:
        orders, inventory, overrides = _as_of(t, p)
        fc = seasonal_naive_forecast(orders, t["products"], p)
        past = pd.concat(out["consensus"]) if out["consensus"] else None
        d = cycle.demand_review(
            fc,
            overrides,
            t["products"],
            t["budget"],
            orders,
            period=p,
            past_consensus=past,
            **DEMAND,
        )
        s = cycle.supply_review(
            d.consensus,
            t["products"],
            inventory,
            t["capacity"],
            t["receipts"],
            orders,
            period=p,
            **SUPPLY,
        )
        if past is not None:  # a change since last cycle reads with its sign
            (line,) = [x for x in d.summary if x.startswith("Biggest change since last cycle")]
            top = d.movers.iloc[0]
            moved = formatting.money(top["delta_revenue"], "EUR", signed=True)
            assert f"revenue {moved}, driven by" in line and moved[0] in "+−0"
        out["consensus"].append(d.consensus.assign(period=p))
        out["forecast"].append(fc.assign(period=p))
        out["supply_plan"].append(s.stored.assign(period=p))
        out["decisions"].append(
            pd.DataFrame(
                {
                    "kind": ["scenario"],
                    "title": ["plan"],
                    "option": ["base"],
                    "decision_id": ["PLAN"],
                }
            ).assign(period=p, status="decided", at_stake=float("nan"))
        )
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def test_supply_plan_of_every_cycle_balances_for_every_row(cycles):
    p = cycles["supply_plan"]
    balance = p["opening"] + p["receipts"] + p["production"] - p["demand"] - p["closing"]
    assert balance.abs().max() < 1e-6
    assert ((p["met"] + p["unmet"] - p["demand"]).abs() < 1e-6).all()


def test_tracking_covers_six_cycles_at_lag_one_and_four_at_lag_three(cycles, demo_tables):
    orders, inventory, _ = _as_of(demo_tables, "2026-10")
    r = cycle.tracking_review(
        cycles["consensus"],
        cycles["forecast"],
        cycles["supply_plan"],
        cycles["decisions"],
        orders,
        inventory,
        demo_tables["products"],
        period="2026-10",
        **TRACKING,
    )
    months = r.accuracy_trend.groupby("lag")["month"].nunique().to_dict()
    assert months == {1: 6, 3: 4}
    assert r.accuracy["wape"].between(0, 2).all()
    # every past cycle's plan decision, scored at its meeting and two and three cycles later
    assert len(r.ledger) == 6 and r.ledger["at_decision"].notna().all()
    later = r.ledger.set_index("cycle")
    assert later.loc["2026-07", "three_cycles_later"] > 0
    assert pd.isna(later.loc["2026-08", "three_cycles_later"])  # 2026-11 is not in the store
    assert len(r.fva) == 6 and r.fill["fill_rate"].between(0, 1).all()
    # the bridge from last cycle's plan to this one's adds up
    steps = r.change.set_index("step")["value"]
    assert steps.drop(["last cycle's plan", "this cycle's plan"]).sum() == pytest.approx(
        steps["this cycle's plan"] - steps["last cycle's plan"]
    )
    moved = formatting.money(
        steps["this cycle's plan"] - steps["last cycle's plan"], "EUR", signed=True
    )
    (line,) = [x for x in r.summary if x.startswith("Since last cycle the plan moved by")]
    assert line.startswith(f"Since last cycle the plan moved by {moved} over the")


def test_pre_sop_and_executive_steps_on_the_latest_cycle(cycles, demo_tables):
    t = demo_tables
    latest = cycles["supply_plan"][cycles["supply_plan"]["period"] == "2026-10"]
    consensus = cycles["consensus"][cycles["consensus"]["period"] == "2026-10"]
    r = cycle.pre_sop_review(
        consensus,
        latest,
        t["capacity"],
        t["products"],
        period="2026-10",
        **dict(
            PRE_SOP,
            scenarios=[
                {"name": "more", "capacity": [{"resource": "Line-A", "change": 0.15}]},
                {"name": "demo-only", "demo_only": True, "capacity": [{"resource": "Nope"}]},
            ],
            demo=False,
        ),
    )
    # the scenario marked demo_only is left out of a user's run (its resource is the demo's)
    assert set(r.scenarios["scenario"]) == {"base", "upside", "downside", "more"}
    assert (r.scenarios.loc[r.scenarios["scenario"] == "base", "delta"] == 0).all()
    # each scenario's revenue against base reads as a signed change, like its unmet units
    upside = next(line for line in r.summary if line.startswith("upside: revenue "))
    downside = next(line for line in r.summary if line.startswith("downside: revenue "))
    assert upside.startswith("upside: revenue +") and downside.startswith("downside: revenue −")
    orders, _, _ = _as_of(t, "2026-10")
    e = cycle.executive_review(
        cycles["consensus"],
        cycles["supply_plan"],
        r.scenarios,
        r.recommendations,
        t["budget"],
        orders,
        period="2026-10",
        **EXECUTIVE,
    )
    k = e.kpis.set_index("kpi")
    assert not pd.isna(k.loc["revenue_plan", "change"]) and e.budget["months"]
    # the change on last cycle's plan reads with its direction, not as a bare amount
    change = k.loc["revenue_plan", "change"]
    (line,) = [x for x in e.summary if x.startswith("Revenue plan for the")]
    moved = f"{'up' if change > 0 else 'down'} {formatting.money(abs(change), 'EUR')}"
    assert f"; {moved} on last cycle's plan for the" in line
    assert 0 < k.loc["forecast_accuracy", "value"] < 1
    assert e.status == "decisions pending" and (e.log["status"] == "pending").all()
    # one horizon: the plan revenue is the consensus revenue over every plan month
    assert k.loc["revenue_plan", "value"] == pytest.approx(consensus["revenue"].sum())
    with pytest.raises(ParameterError, match="unknown key"):
        cycle.executive_review(
            cycles["consensus"],
            cycles["supply_plan"],
            r.scenarios,
            r.recommendations,
            t["budget"],
            orders,
            period="2026-10",
            **dict(EXECUTIVE, targets={"happiness": {"floor": 1}}),
        )


def test_demand_review_without_a_forecast_says_to_run_forecasting(demo_tables):
    orders, _, overrides = _as_of(demo_tables, "2026-10")
    with pytest.raises(InputError, match="run the forecasting notebook"):
        cycle.demand_review(
            pd.DataFrame(),
            overrides,
            demo_tables["products"],
            demo_tables["budget"],
            orders,
            period="2026-10",
            **DEMAND,
        )


def test_without_budget_stock_capacity_or_receipts_every_page_states_its_assumption(
    demo_tables, cycles
):
    t = demo_tables
    orders, _, _ = _as_of(t, "2026-10")
    fc = cycles["forecast"][cycles["forecast"]["period"] == "2026-10"]
    d = cycle.demand_review(fc, None, t["products"], None, orders, period="2026-10", **DEMAND)
    assert "Assumed: no budget: no budget comparison." in d.summary
    assert not any("Against budget" in line for line in d.summary)
    s = cycle.supply_review(
        d.consensus, t["products"], None, None, None, orders, period="2026-10", **SUPPLY
    )
    assert {
        "Assumed: no inventory data: opening stock assumed to be zero.",
        "Assumed: no capacity data: unlimited capacity assumed.",
        "Assumed: no scheduled receipts: none assumed.",
    } <= set(s.summary)
    assert not any("serves" in line and "of consensus demand" in line for line in s.summary)
    stored = s.stored.assign(period="2026-10")
    r = cycle.pre_sop_review(
        d.consensus, stored, None, t["products"], period="2026-10", **dict(PRE_SOP, demo=False)
    )
    assert set(r.scenarios["scenario"]) == {"base", "upside", "downside"}
    assert (r.recommendations["kind"] != "capacity").all()
    assert any("unlimited capacity" in line for line in r.summary)
    e = cycle.executive_review(
        d.consensus.assign(period="2026-10"),
        stored,
        r.scenarios,
        r.recommendations,
        None,
        orders,
        period="2026-10",
        inventory_known=False,
        capacity_known=False,
        **EXECUTIVE,
    )
    status = e.kpis.set_index("kpi")["status"]
    assert status["fill_rate"] == "not assessed: unlimited capacity assumed"
    assert status["days_of_supply"] == "not assessed: no stock data"
    assert (
        status[["fill_rate", "inventory_value", "days_of_supply"]]
        .str.startswith("not assessed")
        .all()
    )
    assert not any("Fill rate" in line for line in e.summary)
    assert "Assumed: no budget: no budget comparison." in e.summary
