import numpy as np
import pandas as pd
import pytest

from compass_nb.pipeline.velocity import monthly_velocity, sales_velocity, velocity_drivers


def test_velocity_is_opportunities_times_win_rate_times_deal_size_over_cycle():
    assert sales_velocity(40, 0.25, 12_000, 60) == pytest.approx(2_000.0)
    assert np.isnan(sales_velocity(40, 0.25, 12_000, 0))


def test_monthly_velocity_worked_by_hand(opportunities, states):
    v = monthly_velocity(
        opportunities, states, ["2026-02", "2026-03"], by=None, window=1
    ).set_index("month")
    # February: A, B, C, D, E open on 31 Jan; only A closed (won 100 after 36 days)
    assert v.loc[
        "2026-02", ["opportunities", "win_rate", "avg_deal_size", "cycle_days"]
    ].tolist() == [5, 1.0, 100, 36]
    # March: B, C, D, E, F open on 28 Feb; B won (200, 59 days), E lost
    assert v.loc[
        "2026-03", ["opportunities", "win_rate", "avg_deal_size", "cycle_days"]
    ].tolist() == [5, 0.5, 200, 59]
    assert v.loc["2026-03", "velocity"] == pytest.approx(5 * 0.5 * 200 / 59)


def test_monthly_velocity_per_team_uses_each_teams_deals(opportunities, states):
    opps = opportunities.assign(team=opportunities["owner_id"].map({"r1": "East", "r2": "West"}))
    v = monthly_velocity(opps, states, ["2026-03"], window=1).set_index("team")
    assert v.loc["East", ["opportunities", "win_rate"]].tolist() == [
        2,
        0.5,
    ]  # B, E open; B won, E lost
    assert v.loc["West", "opportunities"] == 3 and np.isnan(v.loc["West", "velocity"])


def test_drivers_add_up_to_the_change_and_name_the_factor_that_moved_it():
    v = pd.DataFrame(
        {
            "month": ["2026-01", "2026-02"],
            "opportunities": [10, 10],
            "win_rate": [0.2, 0.2],
            "avg_deal_size": [1000.0, 1000.0],
            "cycle_days": [50.0, 40.0],
        }
    )
    v["velocity"] = v["opportunities"] * v["win_rate"] * v["avg_deal_size"] / v["cycle_days"]
    d = velocity_drivers(v, by=None).iloc[1]
    assert d["change"] == pytest.approx(50 - 40)
    assert d["from_cycle_days"] == pytest.approx(10.0)
    assert d[["from_opportunities", "from_win_rate", "from_avg_deal_size"]].tolist() == [0, 0, 0]
    assert d["driver"] == "cycle_days"


def test_drivers_split_a_change_of_two_factors_exactly():
    v = pd.DataFrame(
        {
            "month": ["2026-01", "2026-02"],
            "opportunities": [10, 20],
            "win_rate": [0.2, 0.3],
            "avg_deal_size": [1000.0, 1000.0],
            "cycle_days": [50.0, 50.0],
        }
    )
    v["velocity"] = v["opportunities"] * v["win_rate"] * v["avg_deal_size"] / v["cycle_days"]
    d = velocity_drivers(v, by=None).iloc[1]
    parts = d[["from_opportunities", "from_win_rate", "from_avg_deal_size", "from_cycle_days"]]
    assert parts.sum() == pytest.approx(120 - 40)
    weight = 80 / np.log(3)  # logarithmic mean of 40 and 120
    assert d["from_opportunities"] == pytest.approx(weight * np.log(2))
    assert d["driver"] == "opportunities"
