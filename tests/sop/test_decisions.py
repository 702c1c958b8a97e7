import numpy as np
import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.sop.decisions import decision_log, decisions_required, pending

SCENARIOS = pd.DataFrame(
    {
        "scenario": ["base"] * 4 + ["upside"] * 4,
        "metric": ["margin", "fill_rate", "inventory_value", "ending_inventory"] * 2,
        "value": [100.0, 0.9, 50.0, 40.0, 130.0, 0.85, 55.0, 45.0],
        "delta": [0.0, 0.0, 0.0, 0.0, 30.0, -0.05, 5.0, 5.0],
    }
)
RECS = pd.DataFrame(
    {
        "rank": [1, 2],
        "kind": ["capacity", "inventory"],
        "action": ["add 10% capacity on Line-C", "hold back 5 units of A"],
        "family": ["F", "F"],
        "gap_id": ["F|2027-05|2027-06", "excess:A|L|2027-01|2027-02"],
        "net_value": [5000.0, 40.0],
        "fill_rate": [0.95, 0.9],
        "inventory_value": [60.0, 49.0],
        "cash": [4000.0, 100.0],
        "owner": ["d.moreau", "r.haddad"],
        "due": pd.to_datetime(["2027-03-01", "2026-11-01"]),
        "first_month": pd.to_datetime(["2027-05-01", "2027-01-01"]),
        "last_month": pd.to_datetime(["2027-06-01", "2027-02-01"]),
    }
)


def _options(threshold=1000.0):
    return decisions_required(
        RECS, SCENARIOS, threshold=threshold, plan_owner="S&OP lead", first_month="2026-11-01"
    )


def test_only_actions_above_the_threshold_go_to_the_meeting_with_their_figures():
    options, below = _options()
    assert options["decision_id"].unique().tolist() == ["PLAN", "A1"]
    assert below["rank"].tolist() == [2]
    approve = options[(options["decision_id"] == "A1") & (options["option"] == "approve")].iloc[0]
    decline = options[(options["decision_id"] == "A1") & (options["option"] == "decline")].iloc[0]
    assert (approve["net_pnl"], approve["fill_rate"], approve["cash"]) == (5000.0, 0.95, 4000.0)
    # declining leaves the base plan: no effect, the base fill rate and inventory
    assert (decline["net_pnl"], decline["fill_rate"], decline["inventory_value"]) == (
        0.0,
        0.9,
        50.0,
    )
    up = options[(options["decision_id"] == "PLAN") & (options["option"] == "upside")].iloc[0]
    # cash = margin change less the stock built by the end of the horizon
    assert up["net_pnl"] == 30.0 and up["cash"] == 25.0 and up["owner"] == "S&OP lead"


def test_nothing_is_decided_until_the_meeting_records_it():
    options, _ = _options()
    log = decision_log("", [], ["base", "upside"], options, RECS)
    assert log["status"].tolist() == ["pending", "pending"]
    assert log["option"].tolist() == ["", ""]
    assert np.isnan(log["expected_value"]).all() and log.loc[1, "at_stake"] == 5000.0
    assert len(pending(log)) == 2
    assert "timestamp" not in log.columns


def test_recorded_decisions_match_by_id_or_title_and_free_text_is_kept():
    options, _ = _options()
    log = decision_log(
        "upside",
        [{"id": "A1", "option": "approve", "owner": "Ops"}, "Hire a planner"],
        ["base", "upside"],
        options,
        RECS,
    )
    assert log["status"].tolist() == ["decided"] * 3 and pending(log).empty
    assert log.loc[0, "expected_value"] == 30.0  # the upside's margin effect
    assert log.loc[1, ["option", "owner", "expected_value"]].tolist() == ["approve", "Ops", 5000.0]
    assert log.loc[2, ["kind", "title"]].tolist() == ["other", "Hire a planner"]
    by_title = decision_log(
        "base",
        [{"title": "Approve: add 10% capacity on Line-C", "option": "decline"}],
        ["base", "upside"],
        options,
        RECS,
    )
    assert by_title.loc[1, ["option", "expected_value"]].tolist() == ["decline", 0.0]


def test_a_scenario_step_04_did_not_run_or_an_unknown_option_is_refused():
    options, _ = _options()
    with pytest.raises(ParameterError, match="choose one of: base, upside"):
        decision_log("moonshot", [], ["base", "upside"], options, RECS)
    with pytest.raises(ParameterError, match="approve or decline"):
        decision_log("base", [{"id": "A1", "option": "maybe"}], ["base", "upside"], options, RECS)
    with pytest.raises(ParameterError, match="needs an id"):
        decision_log("base", [{"owner": "x"}], ["base"], options, RECS)
