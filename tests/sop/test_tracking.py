import numpy as np
import pandas as pd
import pytest

from compass_nb.sop.tracking import (
    accuracy_by_lag,
    achieved_fill_rate,
    adherence_by_month,
    decision_outcomes,
    fva_by_month,
    override_value_added,
    plan_adherence,
    tracking_signal,
    with_lag,
)

M = pd.Timestamp


@pytest.fixture
def snapshots():
    """Two cycles' consensus for SKU A and B (family F) and the actuals of Nov and Dec 2026."""
    rows = [
        # cycle 2026-10 plans Nov (lag 1), Dec (lag 2), Jan (lag 3)
        ("2026-10", "A", "2026-11", 100, 90),
        ("2026-10", "B", "2026-11", 50, 50),
        ("2026-10", "A", "2027-01", 80, 80),
        ("2026-10", "B", "2027-01", 20, 20),
        # cycle 2026-11 plans Dec at lag 1
        ("2026-11", "A", "2026-12", 120, 100),
        ("2026-11", "B", "2026-12", 40, 40),
        # cycle 2026-09 planned Dec at lag 3
        ("2026-09", "A", "2026-12", 60, 60),
        ("2026-09", "B", "2026-12", 60, 60),
    ]
    df = pd.DataFrame(rows, columns=["period", "sku", "month", "consensus", "stat_forecast"])
    df["month"] = pd.to_datetime(df["month"])
    df["location"] = "L"
    df["family"] = "F"
    df["revenue"] = df["consensus"] * 10
    return df


@pytest.fixture
def actuals():
    return pd.DataFrame(
        {
            "sku": ["A", "B", "A", "B", "A", "B"],
            "location": "L",
            "month": pd.to_datetime(
                ["2026-10-01", "2026-10-01", "2026-11-01", "2026-11-01", "2026-12-01", "2026-12-01"]
            ),
            "actual": [95.0, 45.0, 110.0, 30.0, 100.0, 60.0],
            "actual_revenue": [950.0, 450.0, 1100.0, 300.0, 1000.0, 600.0],
        }
    )


def test_lag_counts_months_from_the_cycle_to_the_target_month(snapshots):
    lags = with_lag(snapshots, (1, 2, 3)).groupby("lag").size().to_dict()
    assert lags == {1: 4, 3: 4}


def test_wape_and_bias_by_lag_match_hand_worked_figures(snapshots, actuals):
    acc = accuracy_by_lag(snapshots, actuals, "2026-12-01").set_index(["lag", "month"])
    # lag 1, Nov: |110-100| + |30-50| = 30 over 140 actual
    assert acc.loc[(1, M("2026-11-01")), "wape"] == pytest.approx(30 / 140)
    assert acc.loc[(1, M("2026-11-01")), "bias"] == pytest.approx((150 - 140) / 140)
    # lag 1, Dec: |100-120| + |60-40| = 40 over 160; lag 3, Dec: 40 + 0 = 40 over 160
    assert acc.loc[(1, M("2026-12-01")), "wape"] == pytest.approx(40 / 160)
    assert acc.loc[(3, M("2026-12-01")), "wape"] == pytest.approx(40 / 160)
    assert acc.loc[(3, M("2026-12-01")), "bias"] == pytest.approx((120 - 160) / 160)
    # January has no actuals yet
    assert M("2027-01-01") not in acc.index.get_level_values("month")


def test_tracking_signal_is_running_error_over_running_mad(snapshots, actuals):
    acc = accuracy_by_lag(snapshots, actuals, "2026-12-01", lags=(1,))
    ts = tracking_signal(acc)["tracking_signal"].tolist()
    # Nov: error (actual - forecast) = -10, |e| = 30 -> -10/30; Dec: -10 + 0 = -10 over mean(30, 40)
    assert ts == pytest.approx([-10 / 30, -10 / 35])


def test_plan_adherence_counts_only_what_the_plan_foresaw():
    assert plan_adherence([110, 30], [100, 50]) == pytest.approx((100 + 30) / 150)
    assert np.isnan(plan_adherence([1], [0]))


def test_adherence_by_month_uses_the_lag_one_plan(snapshots, actuals):
    adh = adherence_by_month(snapshots, actuals, "2026-12-01").set_index("month")["adherence"]
    assert adh[M("2026-11-01")] == pytest.approx(130 / 150)
    assert adh[M("2026-12-01")] == pytest.approx((100 + 40) / 160)


def test_fva_stairstep_compares_naive_statistical_and_consensus(snapshots, actuals):
    fva = fva_by_month(snapshots, actuals, "2026-12-01").set_index("month")
    nov = fva.loc[M("2026-11-01")]
    # naive = October actuals 95, 45: |110-95| + |30-45| = 30; stat 90, 50: 20 + 20 = 40; consensus 30
    assert nov["naive"] == pytest.approx(30 / 140)
    assert nov["statistical"] == pytest.approx(40 / 140)
    assert nov["consensus"] == pytest.approx(30 / 140)
    assert nov["fva_override"] == pytest.approx(10 / 140)


def test_override_value_added_looks_only_at_overridden_rows(snapshots, actuals):
    out = override_value_added(snapshots, actuals, "2026-12-01").set_index("family")
    # overridden lag-1 rows: A Nov (stat 90, cons 100, actual 110) and A Dec (stat 100, cons 120, actual 100)
    assert out.loc["F", "rows"] == 2
    assert out.loc["F", "wape_statistical"] == pytest.approx(20 / 210)
    assert out.loc["F", "wape_consensus"] == pytest.approx(30 / 210)
    assert out.loc["F", "fva"] == pytest.approx(-10 / 210)


def test_achieved_fill_rate_caps_each_month_at_planned_availability(actuals):
    supply = pd.DataFrame(
        {
            "period": "2026-10",
            "sku": ["A", "B"],
            "location": "L",
            "family": "F",
            "month": M("2026-11-01"),
            "opening": [20.0, -5.0],
            "receipts": [50.0, 10.0],
            "production": [30.0, 10.0],
        }
    )
    fill = achieved_fill_rate(supply, actuals, "2026-12-01")
    # A: available 100 vs actual 110 -> 100; B: available 20 (backlog is not stock) vs 30 -> 20
    assert fill["fill_rate"].item() == pytest.approx(120 / 140)


def test_decision_outcomes_set_plan_beside_what_followed(snapshots, actuals):
    decisions = pd.DataFrame(
        {
            "period": ["2026-10", "2026-10"],
            "kind": ["scenario", "decision"],
            "title": ["Approved scenario", "Add a shift"],
            "option": ["upside", "approve"],
        }
    )
    out = decision_outcomes(decisions, snapshots, actuals, "2026-12-01", months=3).iloc[0]
    assert out["approved_scenario"] == "upside" and out["decisions"] == "Add a shift"
    assert out["months_observed"] == 2
    # planned Nov only (Dec not in cycle 2026-10's plan): 150 units, 1500 revenue
    assert out["planned_revenue"] == pytest.approx(1500)
    assert out["actual_revenue"] == pytest.approx(1100 + 300 + 1000 + 600)


def test_each_past_decision_is_scored_at_its_meeting_and_two_and_three_cycles_later():
    from compass_nb.sop.tracking import decision_ledger

    def plan(period, unmet):
        return pd.DataFrame(
            {
                "period": period,
                "family": "F",
                "month": pd.to_datetime(["2027-01-01", "2027-02-01"]),
                "unmet_revenue": unmet,
            }
        )

    supply = pd.concat(
        [plan("2026-09", [100.0, 50.0]), plan("2026-11", [40.0, 10.0]), plan("2026-12", [0.0, 5.0])]
    )
    consensus = pd.DataFrame(
        {"period": ["2026-09", "2026-11", "2026-12"], "month": pd.NaT, "revenue": 0.0}
    )
    decisions = pd.DataFrame(
        {
            "period": ["2026-09"],
            "decision_id": ["A1"],
            "kind": ["action"],
            "title": ["Approve: add capacity"],
            "status": ["decided"],
            "option": ["approve"],
            "at_stake": [70.0],
            "family": ["F"],
            "first_month": pd.to_datetime(["2027-01-01"]),
            "last_month": pd.to_datetime(["2027-02-01"]),
        }
    )
    ledger = decision_ledger(decisions, consensus, supply, pd.DataFrame(), "2026-12-01").iloc[0]
    # revenue at risk in its months: 150 at the meeting, 50 two cycles on, 5 three cycles on
    assert (ledger["at_decision"], ledger["two_cycles_later"], ledger["three_cycles_later"]) == (
        150.0,
        50.0,
        5.0,
    )
    assert ledger["measure"] == "revenue at risk, F 2027-01 to 2027-02"
