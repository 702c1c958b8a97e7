import pandas as pd
import pytest

from compass_nb.crediting import credited_bookings
from compass_nb.pipeline.performance import (
    attainment,
    attainment_bands,
    attainment_distribution,
    ramp,
    ramp_groups,
    scorecard,
)

Q1 = ("2026-01-01", "2026-03-31")


def test_attainment_is_credited_bookings_over_quota(opportunities, credit_splits, quotas, reps):
    att = attainment(
        opportunities, credit_splits, quotas, reps, *Q1, Q1[1], roles=["AE"]
    ).set_index("rep_id")
    assert att.loc["r1", ["quota", "bookings", "attainment"]].tolist() == [
        300,
        270,
        0.9,
    ]  # A 70 % + B
    assert att.loc["r2", ["bookings", "attainment"]].tolist() == [0, 0]
    assert "s1" not in att.index


def test_attainment_equals_compensations_crediting(opportunities, credit_splits, quotas, reps):
    att = attainment(opportunities, credit_splits, quotas, reps, *Q1, Q1[1]).set_index("rep_id")[
        "bookings"
    ]
    credit = (
        credited_bookings(opportunities, credit_splits, start=Q1[0], end=Q1[1])
        .groupby("rep_id")["credit"]
        .sum()
    )
    pd.testing.assert_series_equal(att.loc[credit.index], credit, check_names=False)
    assert att["s1"] == pytest.approx(30.0)


def test_a_cancelled_deal_is_not_a_booking(opportunities, credit_splits, quotas, reps):
    opps = opportunities.assign(cancelled_date=pd.NaT)
    opps.loc[opps["opportunity_id"] == "B", "cancelled_date"] = pd.Timestamp("2026-03-20")
    att = attainment(opps, credit_splits, quotas, reps, *Q1, Q1[1], roles=["AE"]).set_index(
        "rep_id"
    )
    assert att.loc["r1", "bookings"] == 70


def test_distribution_reports_share_at_quota_and_median_without_small_groups():
    table = pd.DataFrame(
        {"team": ["a"] * 5 + ["b"] * 2, "attainment": [0.5, 0.8, 1.0, 1.2, 0.9, 2.0, 0.1]}
    )
    overall = attainment_distribution(table).iloc[0]
    assert overall["sellers"] == 7
    assert overall["at_or_above_quota"] == pytest.approx(3 / 7)
    assert overall["median"] == 0.9
    by_team = attainment_distribution(table, by=["team"])
    assert by_team["team"].tolist() == ["a"]


def test_ramp_follows_new_hires_by_month_of_tenure(opportunities, credit_splits, quotas, reps):
    out = ramp(
        opportunities,
        credit_splits,
        quotas,
        reps,
        "2026-03-31",
        since="2025-12-01",
        min_group_size=1,
    )
    # only r2 was hired after 1 Dec 2025 (1 Jan 2026); r2 booked nothing in Q1
    assert out["tenure_month"].tolist() == [1, 2, 3]
    assert out["sellers"].tolist() == [1, 1, 1]
    assert out["median_attainment"].tolist() == [0, 0, 0]
    assert ramp(opportunities, credit_splits, quotas, reps, "2026-03-31", since="2025-12-01").empty


def test_scorecard_adds_each_sellers_own_deals(opportunities, credit_splits, quotas, reps):
    att = attainment(opportunities, credit_splits, quotas, reps, *Q1, Q1[1], roles=["AE"])
    card = scorecard(att, opportunities, reps, *Q1).set_index("rep_id")
    assert card.loc["r1", ["name", "deals_closed", "deals_won"]].tolist() == ["Ada Lovelace", 3, 2]
    assert card.loc["r1", "win_rate"] == pytest.approx(2 / 3)
    assert card.loc["r2", "open_pipeline"] == 300 + 500 + 80


def test_ramp_attainment_is_cumulative_bookings_over_cumulative_quota(
    opportunities, credit_splits, quotas, reps
):
    hired = reps.assign(hire_date=pd.to_datetime(["2026-01-01", "2024-01-01", "2025-06-01"]))
    out = ramp(
        opportunities,
        credit_splits,
        quotas,
        hired,
        "2026-03-31",
        since="2025-12-01",
        min_group_size=1,
    )
    # r1 from January: Jan 0, Feb A 70, Mar B 200 against 100 a month
    assert out["median_bookings"].tolist() == [0, 70, 270]
    assert out["median_attainment"].tolist() == pytest.approx([0, 70 / 200, 270 / 300])


def test_sellers_in_their_first_ramp_months_are_flagged(opportunities, credit_splits, quotas, reps):
    att = attainment(
        opportunities, credit_splits, quotas, reps, *Q1, Q1[1], roles=["AE"], ramp_months=3
    ).set_index("rep_id")
    # r1 hired Jan 2024: month 27 at March 2026; r2 hired 1 Jan 2026: month 3
    assert att["tenure_months"].to_dict() == {"r1": 27, "r2": 3}
    assert att["in_ramp"].to_dict() == {"r1": False, "r2": True}
    short = attainment(
        opportunities, credit_splits, quotas, reps, *Q1, Q1[1], roles=["AE"], ramp_months=2
    )
    assert not short["in_ramp"].any()


def test_ramp_groups_show_a_small_group_as_a_head_count_only():
    table = pd.DataFrame(
        {"attainment": [0.5, 1.0, 1.5, 0.2, 0.9, 0.1, 0.0], "in_ramp": [False] * 5 + [True] * 2}
    )
    groups = ramp_groups(table, min_group_size=5).set_index("group")
    assert groups.loc["ramped", ["sellers", "at_or_above_quota", "median"]].tolist() == [
        5,
        0.4,
        0.9,
    ]
    assert (
        groups.loc["in ramp", "sellers"] == 2 and groups.loc["in ramp"].drop("sellers").isna().all()
    )


def test_attainment_bands_show_nothing_for_fewer_sellers_than_the_minimum():
    table = pd.DataFrame({"rep_id": list("abcd"), "attainment": [0.1, 0.5, 1.0, 3.0]})
    assert attainment_bands(table, min_group_size=5).empty  # four sellers in all: nothing shown
    assert attainment_bands(table, min_group_size=4)["sellers"].tolist() == [4]
