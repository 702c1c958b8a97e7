"""The cost forecast: a shared market factor by place in the quarter, quarter-to-date pricing,
pay per activity, and the backtest."""

from decimal import Decimal as D

import numpy as np
import pandas as pd
import pytest

from compass_nb.comp import forecast
from compass_nb.comp.engine import compute_payouts
from compass_nb.crediting import credited_bookings

from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame

SETTINGS = forecast.ForecastSettings(simulations=400, seed=3, history_months=24, other_months=6)
MONTHS = [str(p) for p in pd.period_range("2025-01", "2026-09", freq="M")]


def _company(plan, credit_of, n=5):
    """``n`` sellers on ``plan`` with quota 100,000 a month; seller i closes ``credit_of(month, i)``."""
    reps = reps_frame(*[(f"r{i}", "flat", "2020-01-01", None, 120000) for i in range(n)])
    quotas = pd.DataFrame(
        [(f"r{i}", m, 100000.0) for i in range(n) for m in [*MONTHS, "2026-10"]],
        columns=["rep_id", "period", "quota"],
    )
    rows = [
        (f"O{i}-{m}", f"r{i}", f"{m}-10", credit_of(m, i))
        for i in range(n)
        for m in MONTHS
        if credit_of(m, i) > 0
    ]
    credits = credited_bookings(opportunities_frame(*rows), NO_SPLITS)
    result = compute_payouts({"flat": plan}, reps, quotas, credits, start=MONTHS[0], end=MONTHS[-1])
    return result, {"flat": plan}, reps, quotas


def test_quarter_position_follows_the_fiscal_year():
    assert [forecast.quarter_position(m) for m in ("2026-10", "2026-11", "2026-12")] == [1, 2, 3]
    assert forecast.quarter_position("2026-10", 2) == 3  # fiscal Q3 is Aug–Oct


def test_a_steady_company_is_forecast_to_the_cent_of_its_steady_cost():
    result, plans, reps, quotas = _company(plan_from(FLAT_10), lambda m, i: 100000)
    made = forecast.cost_forecast(result, plans, reps, quotas, "2026-10", settings=SETTINGS)
    # every month, every seller at 100 %: 5 × 10 % × 100,000, with no spread at all
    assert made.percentile(10) == made.percentile(90) == pytest.approx(50000)


def test_the_market_factor_comes_from_months_at_the_same_place_in_the_quarter():
    third = {"03", "06", "09", "12"}
    result, plans, reps, quotas = _company(
        plan_from(FLAT_10), lambda m, i: 200000 if m[5:] in third else 100000
    )
    factors = forecast.market_factors(
        __import__("compass_nb.comp.modelling", fromlist=["x"]).measure_frame(result, plans),
        result.sellers,
    )
    assert factors["2026-09"] == 2.0 and factors["2026-08"] == 1.0
    # October is month 1: it draws only month-1 factors (all 1.0), never a quarter end
    made = forecast.cost_forecast(result, plans, reps, quotas, "2026-10", settings=SETTINGS)
    assert set(made.market["period"].str[5:]) == {"01", "04", "07", "10"}
    assert made.percentile(90) == pytest.approx(50000)


def test_a_quarterly_plan_pays_in_the_month_what_the_quarter_to_date_adds():
    plan = plan_from(
        FLAT_10,
        quota={"prorate": False, "basis": "quarter"},
        measures=[
            {
                "id": "all",
                "weight": 1,
                "rates": {
                    "method": "marginal",
                    "bands": [{"to": 1.0, "rate": 0.05}, {"rate": 0.10}],
                },
            }
        ],
    )
    result, plans, reps, quotas = _company(plan, lambda m, i: 120000, n=5)
    extra = pd.DataFrame(
        [(f"r{i}", "2026-11", 100000.0) for i in range(5)]
        + [(f"r{i}", "2026-12", 100000.0) for i in range(5)],
        columns=["rep_id", "period", "quota"],
    )
    quotas = pd.concat([quotas, extra], ignore_index=True)
    # September (month 3): the quarter to date is 360k on a 300k quota: 300k × 5 % + 60k × 10 %
    # = 21,000, of which July and August paid 12,000: 9,000 per seller in September
    paid = result.sellers.loc[result.sellers["period"] == "2026-09", "payout"]
    assert set(paid) == {D(9000)}
    # October starts a new quarter: 120k × 5 % = 6,000 per seller, 30,000 in all
    made = forecast.cost_forecast(result, plans, reps, quotas, "2026-10", settings=SETTINGS)
    assert made.percentile(50) == pytest.approx(30000)


def test_a_common_shock_moves_every_seller_together():
    rng = np.random.default_rng(0)
    level = {m: rng.uniform(0.5, 1.5) for m in MONTHS}  # a market that moves month by month
    result, plans, reps, quotas = _company(
        plan_from(FLAT_10), lambda m, i: 100 * round(1000 * level[m]), n=10
    )
    made = forecast.cost_forecast(result, plans, reps, quotas, "2026-10", settings=SETTINGS)
    # each simulation is one market month for everyone: every draw is the cost of one of the
    # month-1 months, and the spread is the market's (drawn independently, sellers would
    # spread 1/√10 as much)
    month_costs = {round(10 * 0.1 * 100 * round(1000 * level[m])) for m in made.market["period"]}
    assert set(np.round(made.draws)) <= month_costs and len(month_costs) == 7  # Jan, Apr, Jul…
    assert made.draws.std() == pytest.approx(np.std(sorted(month_costs)), rel=0.2)


def test_the_backtest_compares_each_month_with_its_actual():
    result, plans, reps, quotas = _company(plan_from(FLAT_10), lambda m, i: 100000)
    actual = pd.Series({"2026-08": 50000.0, "2026-09": 70000.0})
    table = forecast.cost_backtest(
        result, plans, reps, quotas, ["2026-08", "2026-09"], actual, settings=SETTINGS
    )
    assert table["inside"].tolist() == [True, False]
    assert forecast.backtest_coverage(table) == 0.5
