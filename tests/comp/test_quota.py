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
