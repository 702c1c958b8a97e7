"""The quarter's bookings as a distribution: in-quarter rates, the common shock, the
simulation and its backtest."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from compass_nb.pipeline import calibration, outcome

END = pd.Timestamp("2026-03-31")


def _rows(stage, outcomes):
    """Deal-months due in the quarter ending END, seen on 31 Jan (h = 2), and their outcomes."""
    samples, known = [], []
    for i, (won, closed, close) in enumerate(outcomes):
        oid = f"{stage}{i}"
        samples.append(
            {"as_of": pd.Timestamp("2026-01-31"), "opportunity_id": oid, "stage": stage,
             "segment": "SMB", "due_end": END, "h": 2}
        )  # fmt: skip
        known.append(
            {"opportunity_id": oid, "closed": closed, "won": won,
             "final_close": pd.Timestamp(close), "final_amount": 10.0}
        )  # fmt: skip
    return samples, known


def test_in_quarter_rates_count_wins_slips_and_losses_worked_by_hand():
    a, ka = _rows(
        "Proposal",
        [(True, True, "2026-03-10"), (True, True, "2026-04-15"), (False, True, "2026-02-01"),
         (False, False, "2026-05-01")],
    )  # fmt: skip
    b, kb = _rows("Negotiation", [(True, True, "2026-02-20"), (True, True, "2026-03-30")])
    rates = outcome.in_quarter_rates(
        pd.DataFrame(a + b), pd.DataFrame(ka + kb), "2026-06-30", 2, months=12, prior=2
    )
    stages = rates.stages.set_index("stage")
    assert rates.overall == pytest.approx(3 / 6)
    # Proposal: 1 won in the quarter of 4; won at all 2 of 3 closed; 1 of the 2 wins slipped
    assert stages.loc["Proposal", ["won_in", "won_later", "lost", "still_open"]].tolist() == [
        1,
        1,
        1,
        1,
    ]
    assert stages.loc["Proposal", "q"] == pytest.approx((1 + 2 * 0.5) / (4 + 2))
    assert stages.loc["Proposal", ["win", "slip"]].tolist() == pytest.approx([2 / 3, 1 / 2])
    assert stages.loc["Negotiation", "q"] == pytest.approx((2 + 2 * 0.5) / (2 + 2))
    # a quarter not over at as_of tells nothing yet
    early = outcome.in_quarter_rates(pd.DataFrame(a), pd.DataFrame(ka), "2026-03-30", 2, 12, 2)
    assert early.stages.empty


def test_the_common_shift_makes_the_deals_add_up_to_what_closed():
    amounts, q = np.array([100.0, 100.0]), np.array([0.5, 0.5])
    assert outcome._shift_for(amounts, q, 100.0) == pytest.approx(0.0, abs=1e-9)
    assert outcome._shift_for(amounts, q, 150.0) == pytest.approx(np.log(3))  # expit = 0.75
    assert outcome._shift_for(amounts, q, 0.0) == -6.0  # clipped


def _simulated(q, *, sigma=0.0, new=0.0, sigma_new=0.0, n=4000):
    deals = pd.DataFrame({"amount": [100.0] * len(q), "q": q, "product_family": ["Tents"] * len(q)})
    result = outcome.QuarterOutcome(
        "FY2026-Q1", END - pd.Timedelta(days=89), END, pd.Timestamp("2026-01-31"), 2, 0.0, 50.0,
        deals=deals, expected_new=new, sigma_pipeline=sigma, sigma_new=sigma_new,
        new_share=pd.Series({"Tents": 1.0}),
    )  # fmt: skip
    outcome._simulate(result, n, seed=1)
    return result


def test_certain_deals_give_one_total_closed_plus_the_sure_wins():
    r = _simulated([1.0, 0.0, 1.0])
    assert set(np.round(r.draws, 6)) == {250.0}  # 50 closed + 2 × 100
    assert r.percentile(10) == r.percentile(90) == 250.0


def test_the_simulation_keeps_each_deals_probability_on_average():
    r = _simulated([0.3, 0.6], sigma=0.0)
    expected = 50 + 100 * 0.3 + 100 * 0.6
    se = 100 * np.sqrt(0.3 * 0.7 + 0.6 * 0.4) / np.sqrt(4000)
    assert abs(r.draws.mean() - expected) < 4 * se


def test_a_common_shock_makes_deals_win_and_lose_together():
    alone = _simulated([0.5] * 20, sigma=0.0)
    shared = _simulated([0.5] * 20, sigma=1.5)
    assert shared.draws.std() > 1.5 * alone.draws.std()
    # the shock is symmetric in log-odds: a 50 % deal stays 50 % on average
    assert abs(shared.draws.mean() - (50 + 1000)) < 4 * shared.draws.std() / np.sqrt(4000)
    assert expit(0.0) == 0.5


def test_new_business_keeps_its_run_rate_as_its_mean():
    r = _simulated([0.0], new=1000.0, sigma_new=0.4, n=20000)
    assert r.draws.mean() == pytest.approx(50 + 1000, rel=0.02)
    assert r.family_draws["Tents"].mean() == pytest.approx(1000, rel=0.02)


def test_months_to_go_is_zero_once_the_quarter_is_over():
    assert outcome.months_to_go("2026-01-31", END) == 2
    assert outcome.months_to_go("2025-10-31", END) == 5
    assert outcome.months_to_go("2026-03-31", END) == 0
    assert outcome.months_to_go("2026-04-30", END) == 0


def test_backtest_makes_each_forecast_from_its_month_end_and_compares_with_what_closed(
    opportunities, states
):
    samples = calibration.snapshots(
        states, opportunities.loc[:, ["opportunity_id", "segment", "product_family"]],
        calibration.month_ends("2025-12-01", "2026-03-31"), [30, 90],
    )  # fmt: skip
    history = outcome.build_history(samples, states, opportunities, 1)
    table = outcome.backtest(
        history,
        [("FY2026-Q1", pd.Timestamp("2026-01-01"), END)],
        [2, 1],
        {"FY2026-Q1": 300.0},
        calibration.outcomes(states, END),
        outcome.OutcomeSettings(24, 10.0, 4, 8, 500, 0),
    )
    assert table["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-31", "2026-02-28"]
    assert (table["actual"] == 300).all()  # A 100 + B 200
    assert (table["inside"] == table["actual"].between(table["p10"], table["p90"])).all()
    assert (table["error"] == table["p50"] - table["actual"]).all()
    # by 28 Feb, A (100) had been won: no draw can fall below it
    assert table.loc[table["horizon"] == 1, "p10"].iloc[0] >= 100


def test_backtest_summary_counts_coverage_and_p50_error_per_horizon():
    table = pd.DataFrame(
        {"horizon": [3, 3, 1, 1], "inside": [True, False, True, True],
         "pct_error": [0.1, -0.3, 0.05, 0.15]}
    )  # fmt: skip
    summary = outcome.backtest_summary(table).set_index("horizon")
    assert summary.index.tolist() == [3, 1, "all"]
    assert summary.loc[
        3, ["forecasts", "coverage", "p50_mape", "p50_bias"]
    ].tolist() == pytest.approx([2, 0.5, 0.2, -0.1])
    assert summary.loc["all", "coverage"] == 0.75
