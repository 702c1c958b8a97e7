import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.errors import ParameterError
from compass_nb.sop.capacity import (
    apply_capacity_changes,
    capacity_by_month,
    family_capacity,
    level_family,
    rough_cut_load,
)
from compass_nb.sop.supply import supply_plan

from .conftest import NO_RECEIPTS, no_safety, no_stock


def _demand(months, rows):
    """rows: {sku: [demand per month]} in family F (C in family G)."""
    return pd.DataFrame(
        [
            {
                "family": "G" if sku == "C" else "F",
                "sku": sku,
                "location": "L",
                "month": m,
                "demand": float(q),
            }
            for sku, qs in rows.items()
            for m, q in zip(months, qs, strict=True)
        ]
    )


def _capacity(values, resource="Line", family="F", start="2026-11"):
    periods = pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.DataFrame(
        {"period": periods, "resource": resource, "family": family, "capacity_units": values}
    )


def _plan(months, products, rows, capacity, **kw):
    skus = list(rows)
    return supply_plan(
        _demand(months, rows),
        no_stock(skus),
        no_safety(skus),
        capacity,
        NO_RECEIPTS,
        products,
        months,
        **kw,
    )


def test_level_family_builds_ahead_into_earlier_spare_capacity():
    x = level_family(np.array([50.0, 200, 100]), np.array([100.0, 100, 100]))
    assert x.tolist() == [[50, 50, 0], [0, 100, 0], [0, 0, 100]]


def test_level_family_makes_late_what_no_earlier_month_can_hold():
    x = level_family(np.array([150.0, 50, 100]), np.array([100.0, 100, 100]))
    # month 1 is 50 short and nothing precedes it: month 2 makes it late
    assert x.tolist() == [[100, 0, 0], [50, 50, 0], [0, 0, 100]]


def test_shortage_goes_to_the_highest_unit_margin_first(products):
    months = pd.date_range("2026-11-01", periods=1, freq="MS")
    rows = {"A": [60], "B": [80]}
    by_margin = _plan(months, products, rows, _capacity([100])).plan.set_index("sku")
    assert by_margin.loc["A", "met"] == 60 and by_margin.loc["B", "met"] == 40
    by_price = _plan(months, products, rows, _capacity([100]), priority="revenue").plan.set_index(
        "sku"
    )
    assert by_price.loc["B", "met"] == 80 and by_price.loc["A", "met"] == 20
    fair = _plan(months, products, rows, _capacity([100]), priority="proportional").plan.set_index(
        "sku"
    )
    assert fair.loc["A", "met"] == pytest.approx(60 * 100 / 140)


def test_unknown_priority_rule_is_refused(products, months):
    with pytest.raises(ParameterError, match="priority"):
        _plan(months, products, {"A": [1, 1, 1]}, _capacity([10]), priority="loudest")


def test_build_ahead_avoids_unmet_demand(products):
    months = pd.date_range("2026-11-01", periods=2, freq="MS")
    plan = _plan(months, products, {"A": [50, 200]}, _capacity([150, 100])).plan
    assert plan["production"].tolist() == [150.0, 100.0]
    assert plan["unmet"].sum() == 0
    assert plan["closing"].tolist() == [100.0, 0.0]


def test_backlog_is_made_late_and_reported_unmet_in_its_month(products):
    months = pd.date_range("2026-11-01", periods=2, freq="MS")
    plan = _plan(months, products, {"A": [150, 50]}, _capacity([100, 100])).plan
    assert plan["production"].tolist() == [100.0, 100.0]
    assert plan["met"].tolist() == [100.0, 50.0]
    assert plan["unmet"].tolist() == [50.0, 0.0]
    assert plan["backlog"].tolist() == [50.0, 0.0]
    assert plan["unmet_revenue"].tolist() == [500.0, 0.0]


def test_a_family_without_capacity_rows_is_not_constrained(products, months):
    plan = _plan(months, products, {"C": [500, 500, 500]}, _capacity([10, 10, 10])).plan
    assert plan["unmet"].sum() == 0


def test_family_capacity_is_the_smallest_along_its_resources():
    cap = pd.concat([_capacity([100, 100]), _capacity([80, 120], resource="Packing")])
    months = pd.date_range("2026-11-01", periods=2, freq="MS")
    fam = family_capacity(capacity_by_month(cap, months))
    assert fam["capacity"].tolist() == [80.0, 100.0]
    assert fam["bottleneck"].tolist() == ["Packing", "Line"]


def test_capacity_carries_the_last_known_period_forward():
    months = pd.date_range("2026-11-01", periods=3, freq="MS")
    cap = capacity_by_month(_capacity([100, 90], start="2026-10"), months)
    assert cap["capacity_units"].tolist() == [90.0, 90.0, 90.0]


def test_capacity_change_applies_from_its_month_on_its_resource():
    months = pd.date_range("2026-11-01", periods=3, freq="MS")
    cap = capacity_by_month(
        pd.concat([_capacity([100, 100, 100]), _capacity([100, 100, 100], resource="Pack")]), months
    )
    out = apply_capacity_changes(cap, [{"resource": "Line", "change": 0.15, "from": "2026-12"}])
    line = out[out["resource"] == "Line"].sort_values("month")["capacity_units"].tolist()
    assert line == pytest.approx([100.0, 115.0, 115.0])
    assert out[out["resource"] == "Pack"]["capacity_units"].tolist() == [100.0] * 3
    with pytest.raises(ParameterError, match="Line"):
        apply_capacity_changes(cap, [{"resource": "Line-Z", "change": 0.1}])


def test_rough_cut_load_loads_every_resource_of_the_family():
    months = pd.date_range("2026-11-01", periods=1, freq="MS")
    cap = capacity_by_month(
        pd.concat([_capacity([100]), _capacity([200], resource="Pack")]), months
    )
    load = rough_cut_load(cap, pd.DataFrame({"family": ["F"], "month": months, "load": [150.0]}))
    assert load.set_index("resource")["utilisation"].to_dict() == {"Line": 1.5, "Pack": 0.75}


@given(
    st.lists(
        st.tuples(st.integers(0, 120), st.integers(0, 120), st.integers(20, 150)),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["margin", "revenue", "proportional"]),
)
@settings(max_examples=15, deadline=None)
def test_constrained_plan_never_exceeds_capacity_nor_loses_demand(rows, rule):
    products = pd.DataFrame(
        {"sku": ["A", "B"], "family": "F", "unit_price": [10.0, 12.0], "unit_cost": [4.0, 10.0]}
    )
    months = pd.date_range("2027-01-01", periods=len(rows), freq="MS")
    a, b, cap = zip(*rows, strict=True)
    sp = supply_plan(
        _demand(months, {"A": a, "B": b}),
        no_stock(["A", "B"]),
        no_safety(["A", "B"]),
        _capacity(list(cap), start="2027-01"),
        NO_RECEIPTS,
        products,
        months,
        priority=rule,
    )
    made = sp.plan.groupby("month")["production"].sum().to_numpy()
    assert (made <= np.array(cap, dtype=float) + 1e-6).all()
    assert (sp.load["planned_utilisation"].fillna(0) <= 1 + 1e-9).all()
    np.testing.assert_allclose(sp.plan["met"] + sp.plan["unmet"], sp.plan["demand"])
    # whatever is never made within the horizon is still owed at the end
    last = sp.plan[sp.plan["month"] == months[-1]]
    owed = sp.plan["demand"].sum() - sp.plan["production"].sum()
    assert last["backlog"].sum() == pytest.approx(max(owed, 0.0), abs=1e-6)


def test_without_any_capacity_rows_every_family_is_unconstrained(products, months):
    empty = pd.DataFrame({"period": [], "resource": [], "family": [], "capacity_units": []})
    sp = _plan(months, products, {"A": [10, 20, 30], "C": [5, 5, 5]}, empty)
    assert sp.plan["unmet"].sum() == 0
    assert sp.plan["production"].sum() == 75
    assert sp.load.empty
