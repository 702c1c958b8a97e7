"""Quota proration for hires and leavers, ramps and target incentives (hand-worked)."""

from decimal import Decimal as D

from compass_nb.comp.plans import QuotaRule
from compass_nb.comp.quota import (
    active_fraction,
    months_since_hire,
    period_quota,
    period_target_incentive,
    ramp_factor,
)

RAMP = QuotaRule(prorate=True, ramp=(D("0.25"), D("0.5"), D("0.75")))


def test_hire_in_mid_month_prorates_by_days_employed():
    assert active_fraction("2026-11", "2026-11-16") == D("0.5")  # 15 of 30 days


def test_leaver_prorates_to_the_exit_day_inclusive():
    assert active_fraction("2026-10", "2020-01-01", "2026-10-10") == D(10) / D(31)


def test_months_outside_employment_have_no_share():
    assert active_fraction("2026-09", "2026-10-01") == D(0)
    assert active_fraction("2026-11", "2020-01-01", "2026-10-31") == D(0)


def test_ramp_counts_the_hire_month_as_month_one():
    assert months_since_hire("2026-11", "2026-11-16") == 1
    assert [
        ramp_factor(p, "2026-08-20", RAMP.ramp)
        for p in ("2026-08", "2026-09", "2026-10", "2026-11")
    ] == [D("0.25"), D("0.5"), D("0.75"), D(1)]


def test_a_mid_month_hire_is_prorated_and_ramped():
    # 90k full quota, hired 16 Nov: 90,000 × 15/30 × 25 % = 11,250
    assert period_quota(D(90000), "2026-11", "2026-11-16", None, RAMP) == D(11250)


def test_target_incentive_is_prorated_but_not_ramped():
    # OTE 120k, 50 % variable → 5,000 a month; half the month employed → 2,500
    assert period_target_incentive(120000, D("0.5"), "2026-11", "2026-11-16", None, RAMP) == D(2500)


def test_proration_can_be_switched_off():
    assert period_quota(D(90000), "2026-11", "2026-11-16", None, QuotaRule(prorate=False)) == D(
        90000
    )


def test_worked_example_quarterly_seasonality_spreads_the_annual_quota():
    from compass_nb.comp.quota import seasonal_quota

    annual = {("r1", "2026-01"): D(1200000)}  # one annual row, on the first month of the year
    weights = (D("0.2"), D("0.25"), D("0.25"), D("0.3"))
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    spread = [seasonal_quota(annual, "r1", m, weights) for m in months]
    assert spread[:3] == [D(80000)] * 3 and spread[3:9] == [D(100000)] * 6
    assert spread[9:] == [D(120000)] * 3 and sum(spread) == D(1200000)


def test_monthly_weights_reseason_twelve_monthly_rows_and_follow_the_fiscal_year():
    from compass_nb.comp.quota import fiscal_year_months, season_weight, seasonal_quota

    rows = {("r1", m): D(100000) for m in fiscal_year_months("2026-09", 4)}  # Apr 2026–Mar 2027
    weights = tuple([D("0.05")] * 6 + [D("0.1")] * 4 + [D("0.15")] * 2)
    assert fiscal_year_months("2026-09", 4)[0] == "2026-04"
    assert season_weight("2027-03", weights, 4) == D("0.15")
    assert seasonal_quota(rows, "r1", "2026-04", weights, 4) == D(60000)  # 1.2 M × 5 %
    assert seasonal_quota(rows, "r1", "2027-02", weights, 4) == D(180000)


def test_seasonality_in_a_plan_sets_the_quota_the_engine_pays_on():
    import pandas as pd

    from compass_nb.comp.engine import compute_payouts
    from compass_nb.crediting import credited_bookings

    from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame

    plan = plan_from(
        FLAT_10,
        quota={"prorate": False, "seasonality": [0.2, 0.25, 0.25, 0.3]},
        measures=[{"id": "all", "weight": 1, "rates": {"method": "flat", "multiplier": 1.0}}],
    )
    reps = reps_frame(("r1", "flat", "2020-01-01", None, 240000))  # TI 10,000 a month
    quotas = pd.DataFrame({"rep_id": ["r1"], "period": ["2026-01"], "quota": [1200000.0]})
    deals = opportunities_frame(("O1", "r1", "2026-11-10", 60000))
    result = compute_payouts(
        {"flat": plan},
        reps,
        quotas,
        credited_bookings(deals, NO_SPLITS),
        start="2026-11",
        end="2026-11",
    )
    row = result.sellers.iloc[0]
    # November's quota is 1.2 M × 0.3 ÷ 3 = 120,000; 60,000 is 50 % and pays 50 % of 10,000
    assert row["quota"] == D(120000) and row["payout"] == D(5000)


def test_seasonality_weights_must_be_four_or_twelve_and_sum_to_one():
    import pytest

    from compass_nb.comp.plans import parse_plan
    from compass_nb.errors import PlanError

    from .comp_builders import FLAT_10

    for weights, message in (
        ([0.5, 0.5], "12 monthly or 4 quarterly"),
        ([0.3] * 4, "must sum to 1"),
    ):
        data = {
            **FLAT_10,
            "versions": [{**FLAT_10["versions"][0], "quota": {"seasonality": weights}}],
        }
        with pytest.raises(PlanError, match=message):
            parse_plan(data, "test.yaml")
