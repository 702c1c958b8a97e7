import pandas as pd
import pytest

from compass_nb.sop.bridge import budget_bridge, plan_change


def test_the_budget_to_plan_bridge_adds_up_at_the_budgets_own_price(months):
    plan = pd.DataFrame(
        {
            "family": "F",
            "month": months[0],
            "stat_forecast": [90.0],
            "lifecycle": [-10.0],
            "consensus": [95.0],
            "revenue": [902.5],  # 95 units at a net price of 9.50
        }
    )
    budget = pd.DataFrame(
        {"period": ["2026-11"], "family": ["F"], "revenue": [1000.0], "quantity": [100.0]}
    )
    steps, by_family = budget_bridge(plan, budget)
    s = steps.set_index("step")["value"]
    # at the budget's 10.00 a unit: volume (90 − 100) = −100, life cycle −100, overrides
    # (95 − 80) = +150, price / mix 902.5 − 950 = −47.5
    assert s.to_dict() == {
        "budget": 1000.0,
        "volume": -100.0,
        "life cycle": -100.0,
        "overrides": 150.0,
        "price / mix": -47.5,
        "plan": 902.5,
    }
    assert steps["total"].tolist() == [True, False, False, False, False, True]
    assert by_family.loc[0, "plan"] == 902.5


def test_a_budget_without_units_is_not_split(months):
    plan = pd.DataFrame(
        {
            "family": "F",
            "month": [months[0]],
            "stat_forecast": [1.0],
            "lifecycle": [0.0],
            "consensus": [1.0],
            "revenue": [80.0],
        }
    )
    budget = pd.DataFrame({"period": ["2026-11"], "family": ["F"], "revenue": [100.0]})
    s = budget_bridge(plan, budget)[0].set_index("step")["value"]
    assert s["not split"] == -20.0 and s["volume"] == 0.0
    assert budget_bridge(plan, None)[0].empty


def test_the_plan_change_since_last_cycle_splits_into_its_causes():
    def cycle(month_values):
        rows = [
            {
                "sku": "A",
                "location": "L",
                "month": pd.Timestamp(m),
                "stat_forecast": st,
                "lifecycle": lc,
                "consensus": st + lc + ov,
                "net_price": price,
            }
            for m, st, lc, ov, price in month_values
        ]
        return pd.DataFrame(rows)

    previous = cycle([("2026-10-01", 10, 0, 0, 2.0), ("2026-11-01", 10, 0, 2, 2.0)])
    current = cycle([("2026-11-01", 12, -3, 1, 2.5), ("2026-12-01", 8, 0, 0, 2.5)])
    actuals = pd.DataFrame(
        {
            "sku": ["A"],
            "location": "L",
            "month": [pd.Timestamp("2026-10-01")],
            "actual_revenue": [26.0],
        }
    )
    steps, months = plan_change(current, previous, actuals, pd.Timestamp("2026-10-01"))
    s = steps.set_index("step")["value"]
    assert months == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")]
    assert s["last cycle's plan"] == 10 * 2 + 12 * 2  # October and November as planned
    assert s["actuals"] == 26 - 20
    assert s["statistical re-forecast"] == (12 - 10) * 2.0
    assert s["life cycle"] == -3 * 2.0
    assert s["overrides"] == (1 - 2) * 2.0
    assert s["price"] == 10 * 0.5  # November's 10 units, 0.50 dearer
    assert s["this cycle's plan"] == 26 + 10 * 2.5
    inner = s.drop(["last cycle's plan", "this cycle's plan"]).sum()
    assert inner == pytest.approx(s["this cycle's plan"] - s["last cycle's plan"])
    assert plan_change(current, None, actuals, "2026-10-01")[0].empty  # no previous cycle
