"""Cross-report invariants of the S&OP chain on the backfilled small demo.

Every figure is read back from what the pack leaves behind — ``metrics.json``, the cycle
store, the exports and the HTML — and checked against what it must be, worked out here
from the clean inputs: nothing planned outside an item's life, the planned level adding
up to the upper ones, one horizon for every "plan" figure, the same figure wherever it is
shown, scenarios inside the coherent interval, whole units in the exports, the plan at net
price, and nothing approved before the meeting records it.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest

from compass_nb import params, store

from .conftest import PERIOD

pytestmark = pytest.mark.slow

HORIZON = params.defaults()["horizon"]
FIRST = pd.Timestamp("2026-11-01")
MONTHS = pd.date_range(FIRST, periods=HORIZON, freq="MS")


@pytest.fixture(scope="module")
def metrics(pack):
    assert pack.returncode == 0, pack.output
    return json.loads((pack.period / "metrics.json").read_text())


@pytest.fixture(scope="module")
def figures(pack):
    return json.loads((pack.root / "private" / PERIOD / "figures.json").read_text())


def _read(pack, table):
    frame = store.read(pack.store, table, periods=[PERIOD])
    assert not frame.empty, table
    return frame


def _page(pack, name):
    return html.unescape((pack.period / f"{name}.html").read_text())


def test_nothing_is_planned_or_made_outside_an_items_life(pack):
    products = _read(pack, "clean_products").drop_duplicates("sku").set_index("sku")
    consensus = _read(pack, "consensus")
    plan = _read(pack, "supply_plan")
    stop = pd.to_datetime(products["discontinue_date"])
    start = pd.to_datetime(products["launch_date"])
    for frame, column in ((consensus, "consensus"), (plan, "production"), (plan, "requirement")):
        month_end = frame["month"] + pd.offsets.MonthEnd(0)
        after = frame["month"] >= frame["sku"].map(stop)  # the whole month after the date
        before = month_end < frame["sku"].map(start)  # the whole month before the launch
        assert frame.loc[after | before, column].abs().max() == 0, column
    # the demo launches and phases out an item inside the horizon: both are in the plan
    events = _page(pack, "02_demand_planning")
    assert "launch" in events and "phase-out" in events
    assert stop.between(MONTHS[0], MONTHS[-1]).any() and start.between(MONTHS[0], MONTHS[-1]).any()


def test_no_receipt_or_production_suggestion_outside_an_items_life_in_the_exports(pack):
    products = _read(pack, "clean_products").drop_duplicates("sku").set_index("sku")
    orders = pd.read_csv(pack.period / "exports" / "planned_production.csv")
    month = pd.to_datetime(orders["month"] + "-01")
    stop = orders["sku"].map(pd.to_datetime(products["discontinue_date"]))
    start = orders["sku"].map(pd.to_datetime(products["launch_date"]))
    assert not (month >= stop).any()
    assert not ((month + pd.offsets.MonthEnd(0)) < start).any()


def test_the_planned_level_adds_up_to_every_upper_level(pack):
    fc = _read(pack, "forecast")
    bottom = fc[fc["level"] == "sku_location"]
    by_month = bottom.groupby("ds")["yhat"].sum()
    for level, key in (("family", "family"), ("location", "location"), ("total", None)):
        upper = fc[fc["level"] == level]
        if key:
            got = upper.set_index(["ds", key])["yhat"]
            want = bottom.groupby(["ds", key])["yhat"].sum().reindex(got.index)
        else:
            got, want = upper.set_index("ds")["yhat"], by_month.reindex(upper["ds"])
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-6)


def test_every_plan_figure_covers_one_horizon(pack, figures):
    for table in ("consensus", "supply_plan"):
        months = pd.DatetimeIndex(sorted(_read(pack, table)["month"].unique()))
        assert months.equals(MONTHS), table
    horizon = f"{HORIZON} months, {MONTHS[0]:%Y-%m} to {MONTHS[-1]:%Y-%m}"
    for notebook, key in (
        ("02_demand_planning", "consensus_revenue"),
        ("03_supply_planning", "fill_rate"),
        ("03_supply_planning", "inventory_value"),
        ("05_executive_sop", "revenue_plan"),
        ("05_executive_sop", "inventory_value"),
    ):
        assert horizon in figures[notebook][key]["label"], (notebook, key)
    budget = figures["02_demand_planning"]["budget_gap_revenue"]["label"]
    assert "14 months, 2026-11 to 2027-12" in budget  # another window names its months


def test_the_same_figure_is_identical_in_every_report(pack, metrics, figures):
    consensus, plan = _read(pack, "consensus"), _read(pack, "supply_plan")
    m02, m03, m05 = (
        metrics[n] for n in ("02_demand_planning", "03_supply_planning", "05_executive_sop")
    )
    revenue = consensus["revenue"].sum()
    assert m02["consensus_revenue"] == pytest.approx(revenue, rel=1e-9)
    assert m05["revenue_plan"] == m02["consensus_revenue"]
    assert m05["budget_gap_revenue"] == m02["budget_gap_revenue"]
    fill = plan["met"].sum() / plan["demand"].sum()
    assert (
        m03["fill_rate"] == pytest.approx(fill, abs=1e-6)
        and m05["fill_rate_plan"] == m03["fill_rate"]
    )
    inventory = plan.groupby("month")["inventory_value"].sum().mean()
    assert m03["inventory_value"] == pytest.approx(inventory, rel=1e-9)
    assert m05["inventory_value"] == m03["inventory_value"]
    assert m05["days_of_supply"] == m03["days_of_supply"]
    index = html.unescape((pack.period / "index.html").read_text())
    shown = f"{m02['consensus_revenue']:,.0f}"
    assert index.count(shown) >= 2  # the 02 and 05 tiles
    assert (
        figures["02_demand_planning"]["consensus_revenue"]["label"]
        == figures["05_executive_sop"]["revenue_plan"]["label"]
    )


def test_the_plan_is_valued_at_the_trailing_net_price(pack):
    orders = _read(pack, "clean_orders")
    products = _read(pack, "clean_products").drop_duplicates("sku").set_index("sku")
    consensus = _read(pack, "consensus")
    month = pd.to_datetime(orders["order_date"]).dt.to_period("M")
    window = orders[(month > pd.Period(PERIOD, "M") - 12) & (month <= pd.Period(PERIOD, "M"))]
    sold = window.groupby("sku")[["quantity", "net_revenue"]].sum()
    sold = sold[sold["quantity"] > 0]
    own = sold["net_revenue"] / sold["quantity"]
    list_value = (
        (sold["quantity"] * products["unit_price"].reindex(sold.index))
        .groupby(products["family"].reindex(sold.index))
        .sum()
    )
    ratio = sold["net_revenue"].groupby(products["family"].reindex(sold.index)).sum() / list_value
    price = products["unit_price"] * products["family"].map(ratio)
    price = own.reindex(products.index).fillna(price).fillna(products["unit_price"])
    units = consensus.groupby("sku")["consensus"].sum()
    expected = (units * price.reindex(units.index)).sum()
    assert consensus["revenue"].sum() == pytest.approx(expected, rel=0.01)
    # and it is not the list price: orders book net revenue, below list
    list_revenue = (units * products["unit_price"].reindex(units.index)).sum()
    assert consensus["revenue"].sum() < 0.99 * list_revenue


def test_upside_and_downside_stay_inside_the_total_levels_own_interval(pack):
    consensus = _read(pack, "consensus")
    total = _read(pack, "forecast")
    total = total[total["level"] == "total"].set_index("ds")
    up = (consensus["consensus_hi_80"] - consensus["consensus"]).groupby(consensus["month"]).sum()
    down = (consensus["consensus"] - consensus["consensus_lo_80"]).groupby(consensus["month"]).sum()
    half_up = (total["yhat_hi_80"] - total["yhat"]).reindex(up.index)
    half_down = (total["yhat"] - total["yhat_lo_80"]).reindex(down.index)
    assert (half_up > 0).all() and (half_down > 0).all()  # the total has an interval at all
    assert (up <= 1.1 * half_up + 1e-6).all() and up.sum() <= 1.1 * half_up.sum()
    assert (down <= 1.1 * half_down + 1e-6).all()
    # far from the sum of every SKU's bound
    sku_sum = (consensus["stat_hi_80"] - consensus["stat_forecast"]).sum()
    assert up.sum() < 0.8 * sku_sum


def test_exports_are_whole_units_with_their_unit(pack):
    folder = pack.period / "exports"
    quantities = {
        "planned_production": ["quantity"],
        "consensus": ["consensus"],
        "supply_plan": ["demand", "receipts", "production", "on_hand", "safety_stock"],
        "exceptions": ["size"],
    }
    for name, columns in quantities.items():
        frame = pd.read_csv(folder / f"{name}.csv")
        assert "unit" in frame.columns, name
        for column in columns:
            values = frame[column].dropna().to_numpy(dtype=float)
            assert np.array_equal(values, np.round(values)), (name, column)
    orders = pd.read_csv(folder / "planned_production.csv")
    lots = orders["lot_size"].fillna(1)
    assert ((orders["quantity"] % lots == 0) | (orders["quantity"] == orders["moq"])).all()


def test_nothing_is_approved_before_the_meeting_records_it(pack, metrics):
    decisions = _read(pack, "decisions")
    assert (decisions["status"] == "pending").all() and (decisions["option"] == "").all()
    assert metrics["05_executive_sop"]["approved_scenario"] == "decisions pending"
    assert metrics["05_executive_sop"]["decisions_pending"] == len(decisions)
    page = _page(pack, "05_executive_sop")
    assert "Decisions pending" in page and "Approved scenario: base" not in page
    index = html.unescape((pack.period / "index.html").read_text())
    assert "decisions pending" in index
    assert index.index("Needs attention") < index.index("Reports")


def test_the_base_plan_binds_and_its_gap_has_an_owner_and_a_valued_recommendation(pack):
    exceptions = _read(pack, "exceptions")
    short = exceptions[
        (exceptions["exception"] == "capacity short") & (exceptions["status"] != "resolved")
    ]
    assert short["month"].nunique() >= 2 and (short["owner"] != "unassigned").all()
    recs = _read(pack, "recommendations")
    assert np.allclose(recs["net_value"], recs["gross_value"] - recs["cost"])
    assert (recs["owner"] != "").all() and recs["due"].notna().all()
    assert (recs.loc[recs["kind"] == "capacity", "family"].isin(short["family"])).all()


def test_no_chart_shows_axes_text_or_an_empty_frame(pack):
    for name in (
        "03_supply_planning",
        "04_pre_sop_review",
        "05_executive_sop",
        "06_implementation_tracking",
    ):
        page = _page(pack, name)
        assert "<Axes" not in page and "Traceback" not in page, name
