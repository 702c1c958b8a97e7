"""The notebook's figures on demo:small: groups of five, totals that add up, a tie to the cent,
a baseline equal to what was paid, and no mark standing for fewer than five sellers."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import yaml

from compass_nb.comp.analysis import (
    analyse,
    attainment_payout_bands,
    budget_table,
    outlier_counts,
    signals,
    summary_lines,
)
from compass_nb.comp.forecast import CostForecast

from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, reps_frame, settings


@pytest.fixture
def a(demo_analysis):
    return demo_analysis


def test_every_month_reconciles_to_credited_bookings_to_the_cent(a):
    assert (a.reconciliation["difference_cents"] == 0).all()


def test_team_groups_have_five_sellers_and_add_up_to_the_company(a):
    assert a.by_team["sellers"].min() >= 5
    by_month = a.by_team.groupby("period")["payout"].sum()
    company = a.by_month.set_index("period")["payout"]
    assert (by_month - company.loc[by_month.index]).abs().max() < 0.01


def test_shared_views_carry_no_identifiers(a):
    shared = (a.by_team, a.by_month, a.bands, a.outliers, a.scenarios, a.percentiles, a.backtest)
    for frame in (*shared, a.pay_curves, a.asc340_journal, a.budget):
        assert not {"rep_id", "name", "opportunity_id", "owner_id"} & set(frame.columns)


def test_the_baseline_is_what_was_paid_in_the_window_to_the_cent(a):
    lines = a.result.lines.loc[a.result.lines["period"].isin(a.months)]
    paid_cents = sum(int(amount * 100) for amount in lines["amount"])
    assert int(a.baseline * 100) == paid_cents
    first = a.scenarios.iloc[0]
    assert first["scenario"] == "Current plan (as paid)" and first["change"] == 0.0
    assert first["total_cost"] == float(a.baseline)
    assert (a.scenarios["total_cost"] - a.scenarios["change"]).round(2).eq(float(a.baseline)).all()


def test_no_attainment_band_stands_for_fewer_than_five_sellers(a):
    assert (a.bands["sellers"] >= 5).all()
    rated = a.sellers.loc[a.sellers["period"].isin(a.months)]
    rated = rated.loc[(rated["target_incentive"] > 0) & rated["attainment"].notna()]
    assert a.bands["seller_months"].sum() == len(rated)


def test_bands_are_merged_until_each_holds_five_sellers():
    window = pd.DataFrame(
        {
            "rep_id": [f"r{i}" for i in range(8)],
            "attainment": [0.1, 0.2, 0.3, 0.4, 0.45, 1.1, 2.5, 3.0],
            "payout": [0, 0, 10, 10, 20, 100, 300, 400.0],
            "target_incentive": 100.0,
        }
    )
    bands = attainment_payout_bands(window, min_sellers=5)
    # under 50 %: five sellers; the three above it hold three, too few for a band of their own,
    # so it is folded into the one before: one band of all eight
    assert bands[["band", "sellers", "seller_months"]].values.tolist() == [
        ["all attainments", 8, 8]
    ]
    assert bands["median"].iloc[0] == pytest.approx(0.15)


def test_an_outlier_band_of_fewer_than_five_sellers_shows_no_figure():
    window = pd.DataFrame(
        {
            "rep_id": [f"r{i}" for i in range(6)],
            "period": "2026-10",
            "attainment": [2.5, 2.1, 2.2, 2.0, 3.0, 0.5],
            "payout": [300.0, 250, 250, 250, 400, -50],
            "target_incentive": 100.0,
            "credit": 1.0,
            "units": 0,
        }
    )
    out = outlier_counts(window, pd.DataFrame(columns=["kind", "rep_id", "period"]), min_sellers=5)
    out = out.set_index("band")
    assert out.loc["attainment of 200 % or more", ["seller_months", "shown"]].tolist() == [5, True]
    negative = out.loc["negative payout (clawbacks, recoveries)"]
    assert not negative["shown"] and np.isnan(negative["seller_months"])  # one seller


def test_signals_worked_by_hand():
    window = pd.DataFrame(
        {
            "rep_id": ["a", "b", "c", "d"],
            "period": "2026-10",
            "attainment": [2.0, 1.0, np.nan, 0.5],
            "payout": [300.0, 100.0, 50.0, 0.0],
            "target_incentive": [100.0, 100.0, 100.0, 0.0],
            "credit": [10.0, 5.0, 0.0, 0.0],
            "units": [0, 0, 0, 0],
        }
    )
    months = pd.DataFrame(
        {
            "period": ["2026-09", "2026-10"],
            "payout": [200.0, 450.0],
            "credited_bookings": [4000.0, 5000.0],
            "cost_of_sales": [0.05, 0.09],
            "sellers": [4, 4],
        }
    )
    out = signals(window, months, "2026-10", 1, min_sellers=1)
    assert out["share_200"] == pytest.approx(1 / 3)  # of the three with an attainment
    assert out["share_2x_ti"] == pytest.approx(1 / 3)  # 300 > 2 × 100; d has no target
    assert out["unbacked_sellers"] == 1  # c: paid 50 with no credit and no activity
    assert out["cost_of_sales"] == 0.09
    assert out["cost_of_sales_ytd"] == pytest.approx(650 / 9000)
    assert signals(window, months, "2026-10", 1, min_sellers=5)["unbacked_sellers"] is None


def test_budget_comparison_adds_next_months_p50_beside_its_budget():
    by_month = pd.DataFrame({"period": ["2026-09", "2026-10"], "payout": [90.0, 120.0]})
    forecast = CostForecast("2026-11", np.arange(1.0, 102.0), {}, pd.DataFrame())
    table = budget_table(by_month, {"2026-10": 100, "2026-11": 80}, forecast)
    assert table[["period", "payout", "budget", "kind"]].values.tolist() == [
        ["2026-10", 120.0, 100.0, "actual"],
        ["2026-11", 51.0, 80.0, "forecast P50"],
    ]
    assert table["vs_budget_pct"].tolist() == pytest.approx([0.2, 51 / 80 - 1])
    assert budget_table(by_month, {}, forecast).empty


def test_the_cost_backtest_covers_at_least_seven_months_in_ten(a):
    assert len(a.backtest) == 12 and a.headlines["backtest_coverage"] >= 0.7


def test_a_company_of_fewer_than_five_sellers_shows_no_totals(tmp_path):
    reps = reps_frame(*[(f"r{i}", "flat", "2020-01-01", None, 100000) for i in range(4)])
    quotas = pd.DataFrame({"rep_id": reps["rep_id"], "period": "2026-10", "quota": 100000.0})
    opportunities = opportunities_frame(("O1", "r1", "2026-10-03", 1000))
    tables = {
        "reps": reps,
        "quotas": quotas,
        "credit_splits": NO_SPLITS,
        "opportunities": opportunities,
    }
    (tmp_path / "flat.yaml").write_text(yaml.safe_dump(FLAT_10))
    a = analyse(tables, "2026-10", plans_dir=tmp_path, settings=settings(simulations=50))
    assert a.by_month.empty and a.by_team.empty and a.forecast.draws.size == 0
    assert a.scenarios.empty and a.asc340_journal.empty
    assert summary_lines(a) == [
        "Fewer than 5 sellers were on a plan in 2026-10: no totals are shown, to keep pay private."
    ]
    assert a.baseline == Decimal("100.00")  # computed, but shown nowhere


def test_without_credit_splits_each_deal_pays_its_owner_in_full_and_it_is_stated(tmp_path):
    reps = reps_frame(*[(f"r{i}", "flat", "2020-01-01", None, 100000) for i in range(6)])
    quotas = pd.DataFrame({"rep_id": reps["rep_id"], "period": "2026-10", "quota": 100000.0})
    opportunities = opportunities_frame(
        ("O1", "r1", "2026-10-03", 1000),
        ("O2", "r1", "2026-10-09", 500),
        ("O3", "r2", "2026-10-20", 2000),
    )
    tables = {"reps": reps, "quotas": quotas, "opportunities": opportunities}  # no credit_splits
    (tmp_path / "flat.yaml").write_text(yaml.safe_dump(FLAT_10))
    a = analyse(tables, "2026-10", plans_dir=tmp_path, settings=settings(simulations=50))
    # a flat 10 %: r1 (1,000 + 500) → 150, r2 2,000 → 200; 350 in all
    paid = a.sellers.loc[a.sellers["period"] == "2026-10"].set_index("rep_id")["payout"]
    assert float(paid["r1"]) == 150.0 and float(paid["r2"]) == 200.0
    assert a.headlines["payout"] == pytest.approx(350.0)
    assert (a.reconciliation["difference_cents"] == 0).all()
    assert summary_lines(a)[-1] == (
        "Assumed: no credit splits: each won deal is credited 100 % to its owner."
    )


def test_a_period_before_every_plan_version_is_not_applicable_with_what_to_add(tmp_path):
    from compass_nb.errors import NotApplicable

    # a CRM export from 2017 with the shipped flat plan, whose only version starts in 2024
    reps = reps_frame(*[(f"r{i}", "flat", "2015-01-01", None, 100000) for i in range(6)])
    reps.loc[5, "termination_date"] = pd.Timestamp("2016-12-31")  # gone before: not counted
    quotas = pd.DataFrame({"rep_id": reps["rep_id"], "period": "2017-03", "quota": 100000.0})
    opportunities = opportunities_frame(("O1", "r1", "2017-03-03", 1000))
    tables = {"reps": reps, "quotas": quotas, "opportunities": opportunities}
    (tmp_path / "flat.yaml").write_text(yaml.safe_dump(FLAT_10))
    with pytest.raises(NotApplicable) as raised:
        analyse(tables, "2017-03", plans_dir=tmp_path, settings=settings(simulations=50))
    assert str(raised.value) == (
        "compensation: no plan version in effect on 2017-03-01 for plan 'flat' (flat.yaml, "
        "versions from 2024-01-01), so 2017-03 cannot be paid. Add a version effective on or "
        "before 2017-03-01 (effective_from) to each of these files in parameters/comp_plans, "
        "or set compensation.plans to a folder of your own plans."
    )
