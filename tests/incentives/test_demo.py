"""The demo's past contests: the measurement recovers the injected ground truth, and the
contest payouts are SPIF lines of compensation, in its cost and its Monte-Carlo."""

import pandas as pd
import pytest

from compass_nb import params
from compass_nb.comp.analysis import CompensationSettings
from compass_nb.comp.analysis import analyse as comp_analyse
from compass_nb.data import demo
from compass_nb.incentives import IncentivesSettings, analyse

PERIOD = "2026-10"


def _cut(tables, period):
    end = pd.Period(period, "M").end_time
    out = dict(tables)
    o = tables["opportunities"]
    out["opportunities"] = o.loc[o["created_date"] <= end]
    a = tables["activities"]
    out["activities"] = a.loc[a["activity_date"] <= end]
    return out


@pytest.fixture(scope="module")
def full():
    s = params.section_settings(IncentivesSettings, "incentives")
    tables = _cut(demo.generate("full"), PERIOD)
    return analyse(tables, PERIOD, settings=s, contests_dir="parameters/contests", currency="EUR")


def test_the_injected_lift_lies_inside_the_reported_interval(full):
    truth = demo.contest_truth("full")["2025-q2-new-logo"]
    m = full.review("2025-q2-new-logo").lift
    assert truth == 14.0
    assert m.low <= truth <= m.high
    assert m.low > 0  # and the lift is detected
    assert m.post < 0  # the pull-forward shows after the window


def test_the_no_effect_contest_interval_contains_zero_and_says_so(full):
    r = full.review("2026-06-am-bookings")
    assert demo.contest_truth("full")["2026-06-am-bookings"] == 0.0
    assert r.lift.low <= 0 <= r.lift.high
    assert r.verdict == "no measurable lift"


def test_the_injected_gaming_shows_as_a_splitting_signal(full):
    signals = full.review("2025-q2-new-logo").signals.set_index("signal")
    assert signals.loc["deal splitting", "flag"]
    assert signals.loc["deal splitting", "cases"] >= 3


def test_no_shareable_cost_stands_for_fewer_than_five_paid_sellers(full):
    lifts = full.lifts.set_index("contest_id")
    paid = lifts["sellers_paid"]
    assert lifts.loc[paid < 5, "cost"].isna().all()
    assert lifts.loc[paid >= 5, "cost"].notna().all()


@pytest.fixture(scope="module")
def small():
    tables = _cut(demo.generate("small"), PERIOD)
    s = params.section_settings(IncentivesSettings, "incentives")
    review = analyse(tables, PERIOD, settings=s, contests_dir="parameters/contests", currency="EUR")
    return tables, review


def test_contest_payouts_are_spif_lines_of_compensation_with_their_trace(small):
    tables, review = small
    comp_s = params.section_settings(CompensationSettings, "compensation", simulations=200)
    a = comp_analyse(
        tables, PERIOD, settings=comp_s, plans_dir="parameters/comp_plans", awards=review.awards
    )
    lines = a.result.lines
    contest_lines = lines.loc[
        (lines["kind"] == "spif") & lines["band"].isin(review.awards["spif_id"])
    ]
    got = contest_lines.groupby(["rep_id", "period", "band"])["amount"].sum().map(float)
    want = review.awards.groupby(["rep_id", "pay_period", "spif_id"])["amount"].sum()
    assert got.sort_index().to_dict() == pytest.approx(want.sort_index().to_dict())
    assert contest_lines["rule"].str.startswith("contest ").all()
    # the period's cost includes the October contest's awards
    oct_awards = review.awards.loc[review.awards["pay_period"] == PERIOD, "amount"].sum()
    without = comp_analyse(tables, PERIOD, settings=comp_s, plans_dir="parameters/comp_plans")
    assert oct_awards > 0
    assert a.headlines["payout"] - without.headlines["payout"] == pytest.approx(oct_awards)


def test_awards_due_next_month_are_in_the_cost_monte_carlo(small):
    tables, review = small
    comp_s = params.section_settings(CompensationSettings, "compensation", simulations=200)
    due = review.awards.loc[review.awards["pay_period"] == PERIOD]
    earlier = _cut(tables, "2026-09")
    a = comp_analyse(
        earlier, "2026-09", settings=comp_s, plans_dir="parameters/comp_plans", awards=due
    )
    assert a.forecast.month == PERIOD
    assert a.forecast.parts["awards"] == pytest.approx(due["amount"].sum())
