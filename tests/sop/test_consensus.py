import numpy as np
import pandas as pd
import pytest

from compass_nb.sop.consensus import (
    apply_overrides,
    budget_gap,
    consensus_plan,
    pipeline_comparison,
    statistical_forecast,
    unmatched_overrides,
    waterfall,
)
from compass_nb.sop.prices import net_prices
from compass_nb.sop.value import cycle_changes, plan_vs_history


def _plan(forecast, overrides, products, months, orders=None, ramp=(0.25, 0.5, 0.75)):
    """The consensus at the prices of ``orders`` (list prices without them)."""
    prices = net_prices(orders, products, months[0] - pd.DateOffset(months=1), window=12)
    return consensus_plan(forecast, overrides, products, months, prices=prices, ramp=ramp)


@pytest.fixture
def forecast(months):
    rows = []
    for sku, fam in (("A", "F"), ("B", "F"), ("C", "G")):
        for loc, base in (("North", 30.0), ("South", 10.0)):
            for m in months:
                rows.append(
                    {
                        "unique_id": f"{sku}|{loc}",
                        "level": "sku_location",
                        "sku": sku,
                        "location": loc,
                        "family": fam,
                        "ds": m,
                        "yhat": base,
                        "yhat_lo_80": base * 0.5,
                        "yhat_hi_80": base * 2,
                    }
                )
    rows.append(
        {
            "unique_id": "F",
            "level": "family",
            "sku": None,
            "location": None,
            "family": "F",
            "ds": months[0],
            "yhat": 999.0,
            "yhat_lo_80": 1.0,
            "yhat_hi_80": 2.0,
        }
    )
    return pd.DataFrame(rows)


def _override(**kw):
    base = {
        "cycle": "2026-10",
        "period": "2026-11",
        "family": None,
        "sku": None,
        "location": None,
        "quantity": 0.0,
        "author": "x",
    }
    base.update(kw)
    return base


def test_statistical_forecast_keeps_sku_location_rows_of_the_plan_months(forecast, months):
    stat = statistical_forecast(forecast, months[:2])
    assert len(stat) == 3 * 2 * 2
    assert stat["stat_forecast"].sum() == pytest.approx((30 + 10) * 3 * 2)


def test_sku_location_override_sets_that_row_only(forecast, months):
    o = pd.DataFrame([_override(sku="A", location="North", quantity=50)])
    plan = apply_overrides(statistical_forecast(forecast, months), o)
    row = plan[(plan["sku"] == "A") & (plan["location"] == "North") & (plan["month"] == months[0])]
    assert row["consensus"].item() == 50
    assert plan["consensus"].sum() - plan["stat_forecast"].sum() == pytest.approx(20)


def test_sku_override_spreads_over_locations_by_the_forecast(forecast, months):
    o = pd.DataFrame([_override(sku="A", quantity=80)])
    plan = apply_overrides(statistical_forecast(forecast, months), o)
    got = plan[(plan["sku"] == "A") & (plan["month"] == months[0])].set_index("location")[
        "consensus"
    ]
    assert got.to_dict() == {"North": 60.0, "South": 20.0}


def test_family_override_scales_the_rows_no_sku_override_fixes(forecast, months):
    o = pd.DataFrame(
        [_override(sku="A", location="North", quantity=50), _override(family="F", quantity=110)]
    )
    plan = apply_overrides(statistical_forecast(forecast, months), o)
    m0 = plan[(plan["family"] == "F") & (plan["month"] == months[0])].set_index(
        ["sku", "location"]
    )["consensus"]
    assert m0.sum() == pytest.approx(110)
    assert m0[("A", "North")] == 50
    # the other three rows (10, 30, 10) share the remaining 60 in proportion
    assert m0[("B", "North")] == pytest.approx(36.0)
    assert m0[("A", "South")] == pytest.approx(12.0)


def test_the_latest_cycle_override_wins(forecast, months):
    o = pd.DataFrame(
        [
            _override(sku="A", location="North", quantity=70, cycle="2026-10"),
            _override(sku="A", location="North", quantity=40, cycle="2026-09"),
        ]
    )
    plan = apply_overrides(statistical_forecast(forecast, months), o)
    assert plan["consensus"].max() == 70


def test_overrides_for_unknown_items_are_reported(forecast, months):
    o = pd.DataFrame([_override(sku="ZZZ", quantity=5), _override(sku="A", quantity=5)])
    bad = unmatched_overrides(statistical_forecast(forecast, months), o)
    assert bad["sku"].tolist() == ["ZZZ"]


def test_consensus_plan_values_quantity_at_net_price_and_keeps_list_price(
    forecast, months, products
):
    # A sold 10 units for 90 (net 9.00 against a list price of 10) in the last 12 months; B
    # sold nothing: its family's net-to-list ratio (90 %) applies; C's family sold nothing
    orders = pd.DataFrame(
        {"order_date": ["2026-10-05"], "sku": ["A"], "quantity": [10.0], "net_revenue": [90.0]}
    )
    plan = _plan(forecast, None, products, months, orders=orders)
    rows = plan.drop_duplicates("sku").set_index("sku")
    assert rows.loc["A", ["net_price", "price_source"]].tolist() == [9.0, "sku"]
    assert rows.loc["B", ["net_price", "price_source"]].tolist() == [pytest.approx(10.8), "family"]
    assert rows.loc["C", ["net_price", "price_source"]].tolist() == [5.0, "list"]
    a = plan[(plan["sku"] == "A") & (plan["location"] == "North")].iloc[0]
    # 30 units at 9.00 net; margin against the unit cost of 4
    assert (a["revenue"], a["margin"], a["list_revenue"]) == (270.0, 150.0, 300.0)


def test_nothing_is_planned_outside_an_items_life(forecast, months, products):
    # B is discontinued on 16 December (15 of 31 days left), A launches on 1 December
    life = products.assign(
        discontinue_date=pd.to_datetime([None, "2026-12-16", None]),
        launch_date=pd.to_datetime(["2026-12-01", None, None]),
    )
    o = pd.DataFrame([_override(family="F", period="2027-01", quantity=100)])
    plan = _plan(forecast, o, life, months)
    b = plan[plan["sku"] == "B"].groupby("month")["consensus"].sum()
    assert b[months[0]] == 40 and b[months[1]] == pytest.approx(40 * 15 / 31)
    # the January family override goes to A alone, never to the discontinued B
    assert b[months[2]] == 0
    a = plan[plan["sku"] == "A"].groupby("month")["consensus"].sum()
    assert a[months[0]] == 0 and a[months[2]] == pytest.approx(100)
    w = waterfall(plan).set_index(["family", "month"])
    np.testing.assert_allclose(
        w["stat_forecast"] + w["lifecycle"] + w["adjustment"], w["consensus"]
    )
    assert w.loc[("F", months[0]), "lifecycle"] == -40  # A before its launch


def test_an_override_of_a_discontinued_item_is_not_applied_and_says_why(forecast, months, products):
    life = products.assign(discontinue_date=pd.to_datetime([None, "2026-11-01", None]))
    o = pd.DataFrame([_override(sku="B", location="North", period="2026-12", quantity=50)])
    plan = _plan(forecast, o, life, months)
    assert plan.loc[plan["sku"] == "B", "consensus"].sum() == 0
    from compass_nb.sop.lifecycle import life_shares

    stat = statistical_forecast(forecast, months).merge(
        life_shares(life, months)[["sku", "month", "life_share"]], on=["sku", "month"]
    )
    bad = unmatched_overrides(stat, o)
    assert bad["why"].tolist() == ["the item is not active that month (life cycle)"]


def test_a_new_item_without_a_forecast_starts_from_its_familys_average_item(forecast, months):
    products = pd.DataFrame(
        {
            "sku": ["A", "B", "C", "N"],
            "family": ["F", "F", "G", "F"],
            "unit_price": [10.0, 12.0, 5.0, 20.0],
            "unit_cost": [4.0, 10.0, 3.0, 8.0],
            "lead_time_days": 30.4375,
            "launch_date": pd.to_datetime([None, None, None, "2026-12-01"]),
        }
    )
    plan = _plan(forecast, None, products, months, ramp=(0.5,))
    n = plan[plan["sku"] == "N"].set_index(["location", "month"])["consensus"]
    # F's items forecast 30 a month at North, 10 at South; N sells half of that in its
    # launch month (the ramp's one step), all of it from the next
    assert n[("North", months[0])] == 0
    assert n[("North", months[1])] == pytest.approx(15.0)
    assert n[("South", months[2])] == pytest.approx(10.0)
    assert plan.loc[plan["sku"] == "N", "stat_forecast"].sum() == 0
    assert plan.loc[plan["sku"] == "N", "lifecycle"].sum() == pytest.approx(n.sum())


def test_waterfall_adjustment_is_consensus_minus_statistical(forecast, months, products):
    o = pd.DataFrame([_override(family="F", quantity=100)])
    plan = _plan(forecast, o, products, months)
    w = waterfall(plan).set_index(["family", "month"])
    assert w.loc[("F", months[0]), "adjustment"] == pytest.approx(100 - 80)
    np.testing.assert_allclose(w["stat_forecast"] + w["adjustment"], w["consensus"])
    assert (w["lifecycle"] == 0).all()


def test_budget_gap_is_consensus_minus_budget(forecast, months, products):
    plan = _plan(forecast, None, products, months)
    budget = pd.DataFrame(
        {"period": ["2026-11"], "family": ["F"], "revenue": [1000.0], "quantity": [100.0]}
    )
    gap = budget_gap(plan, budget).set_index(["family", "month"])
    # F in November: A 40 units × 10 + B 40 × 12 = 880
    assert gap.loc[("F", months[0]), "gap_revenue"] == pytest.approx(-120)
    assert gap.loc[("F", months[0]), "gap_units"] == pytest.approx(-20)
    assert np.isnan(gap.loc[("G", months[0]), "gap_revenue"])


def test_pipeline_commit_sits_beside_the_quarter_consensus(forecast, products):
    months = pd.date_range("2027-01-01", periods=3, freq="MS")
    f = forecast.assign(ds=forecast["ds"].map(lambda d: d + pd.DateOffset(months=2)))
    plan = _plan(f, None, products, months)
    pc = pd.DataFrame(
        {
            "product_family": ["F"],
            "quarter": ["FY2027-Q1"],
            "commit": [1000.0],
            "best_case": [2000.0],
            "weighted": [3000.0],
        }
    )
    cmp = pipeline_comparison(plan, pc, "FY2027-Q1").set_index("family")
    assert cmp.loc["F", "consensus_revenue"] == pytest.approx(880 * 3)
    assert cmp.loc["F", "weighted_vs_consensus"] == pytest.approx(3000 - 2640)


def test_cycle_changes_split_into_statistical_and_override_moves(forecast, months, products):
    previous = _plan(forecast, None, products, months)
    o = pd.DataFrame([_override(sku="A", location="North", quantity=50)])
    current = _plan(forecast.assign(yhat=forecast["yhat"] + 1), o, products, months)
    moves = cycle_changes(current, previous).set_index("sku")
    # A: stat +1 on 6 rows; override takes A|North Nov from 31 to 50 (+19)
    assert moves.loc["A", "delta_stat"] == pytest.approx(6)
    assert moves.loc["A", "delta_override"] == pytest.approx(19)
    assert moves.loc["A", "driver"] == "override"
    assert moves.index[0] == "A"


def test_adjusting_a_family_month_spreads_it_and_revalues(forecast, months, products):
    from compass_nb.sop.consensus import adjust_total, override_record

    plan = _plan(forecast, None, products, months)
    out = adjust_total(plan, "F", "North", months[0], 120)
    rows = out[(out["family"] == "F") & (out["location"] == "North") & (out["month"] == months[0])]
    assert rows.set_index("sku")["consensus"].to_dict() == {"A": 60.0, "B": 60.0}
    assert rows.set_index("sku")["revenue"].to_dict() == {"A": 600.0, "B": 720.0}
    record = override_record("2026-10", "F", "North", months[0], 120, "me", "promo")
    assert record.iloc[0].to_dict() == {
        "cycle": "2026-10",
        "period": "2026-11",
        "family": "F",
        "sku": None,
        "location": "North",
        "quantity": 120.0,
        "author": "me",
        "reason": "promo",
        "target_period": "2026-11",
    }
    # fed back as an override, the kept row gives the same consensus
    again = _plan(forecast, record, products, months)
    assert again.loc[rows.index, "consensus"].tolist() == [60.0, 60.0]
    # as read back from the store: period is the cycle, target_period the month
    stored = record.assign(period="2026-10")
    assert _plan(forecast, stored, products, months).loc[rows.index, "consensus"].tolist() == [
        60.0,
        60.0,
    ]


def test_forecast_rows_without_family_take_it_from_products(forecast, months, products):
    plan = _plan(forecast.assign(family=None), None, products, months)
    assert set(plan["family"]) == {"F", "G"}
    assert len(plan) == 3 * 2 * 3


def test_the_plan_is_compared_with_the_last_twelve_months_and_bold_items_flagged(months):
    months12 = pd.date_range("2026-11-01", periods=12, freq="MS")
    plan = pd.DataFrame(
        {
            "family": "F",
            "sku": np.repeat(["A", "B"], 12),
            "location": "L",
            "month": np.tile(months12, 2),
            "consensus": [10.0] * 12 + [5.5] * 12,
            "revenue": [100.0] * 12 + [55.0] * 12,
            "net_price": [10.0] * 12 + [10.0] * 12,
        }
    )
    # A sold 120 in the last year; B was sold once (1 unit) and is planned 66
    actuals = pd.DataFrame(
        {
            "sku": ["A"] * 12 + ["B"],
            "location": "L",
            "month": list(pd.date_range("2025-11-01", periods=12, freq="MS"))
            + [pd.Timestamp("2026-03-01")],
            "actual": [10.0] * 12 + [1.0],
            "actual_revenue": [95.0] * 12 + [9.0],
        }
    )
    products = pd.DataFrame({"sku": ["A", "B"], "family": "F"})
    by_family, above = plan_vs_history(
        plan, actuals, products, pd.Timestamp("2026-10-01"), months=12, multiple=1.5
    )
    total = by_family.set_index("family").loc["Total"]
    assert total["history_units"] == 121 and total["plan_units"] == 186
    assert total["growth_units"] == pytest.approx(186 / 121 - 1)
    assert bool(total["above_multiple"]) is True
    assert above["sku"].tolist() == ["B"]
    assert above["excess_units"].iloc[0] == pytest.approx(66 - 1.5)
    assert above["excess_revenue"].iloc[0] == pytest.approx(645.0)
