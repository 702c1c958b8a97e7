import pandas as pd
import pytest

from compass_nb.pipeline._history import opportunities_at
from compass_nb.pipeline.cycle import (
    cycle_days,
    cycle_summary,
    stage_duration_summary,
    stalled_deals,
    time_in_stage,
)


def test_cycle_runs_from_creation_to_close_of_won_deals(opportunities):
    cycles = cycle_days(opportunities).set_index("opportunity_id")["cycle_days"]
    assert cycles.to_dict() == {"A": 36, "B": 59}  # 5 Jan → 10 Feb, 10 Jan → 10 Mar
    assert cycle_summary(cycle_days(opportunities)).iloc[0]["median"] == pytest.approx(47.5)


def test_time_in_stage_ends_at_a_change_of_stage_not_of_close_date(states, cutoff):
    visits = time_in_stage(states, cutoff).set_index(["opportunity_id", "stage"])
    assert visits.loc[("A", "Prospecting"), "days"] == 15
    assert visits.loc[("A", "Proposal"), "days"] == 21
    assert visits.loc[("B", "Qualification"), "days"] == 22
    assert visits.loc[("B", "Negotiation"), "days"] == 23
    # C's close-date push does not end its Discovery visit: 1 Dec → cut-off 31 Mar
    assert visits.loc[("C", "Discovery"), ["days", "ongoing"]].tolist() == [120, True]
    assert ("B", "Closed Lost") not in visits.index


def test_stage_duration_summary_uses_completed_visits(states, cutoff):
    summary = stage_duration_summary(time_in_stage(states, cutoff)).set_index("stage")
    # Prospecting: A 15 days, E 21 days completed; F still there
    assert summary.loc["Prospecting", ["visits", "median_days", "ongoing"]].tolist() == [2, 18.0, 1]
    assert summary.loc["Discovery", "visits"] == 0


def test_stalled_deals_are_open_deals_unchanged_for_longer_than_the_threshold(
    opportunities, states, cutoff
):
    snapshot = opportunities_at(opportunities, states, cutoff)
    stalled = stalled_deals(snapshot, cutoff, 30)
    assert stalled[["opportunity_id", "days_since_change"]].values.tolist() == [
        ["C", 49],
        ["F", 47],
        ["D", 39],
    ]
    assert stalled_deals(snapshot, cutoff, 45)["opportunity_id"].tolist() == ["C", "F"]


def test_opportunities_at_rebuilds_each_deal_as_it_stood(opportunities, states):
    then = opportunities_at(opportunities, states, pd.Timestamp("2026-02-05")).set_index(
        "opportunity_id"
    )
    assert "F" not in then.index
    assert then.loc["B", ["stage", "is_closed", "is_won"]].tolist() == ["Closed Lost", True, False]
    assert then.loc["D", "amount"] == 400
