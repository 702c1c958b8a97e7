import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.sop.decisions import decision_log, decisions_required


def test_decision_log_records_the_scenario_then_each_decision():
    log = decision_log(
        "upside",
        ["Hire a planner", {"title": "Add a shift on Line-A", "owner": "Ops"}],
        ["base", "upside", "downside"],
    )
    assert log["kind"].tolist() == ["scenario", "decision", "decision"]
    assert log["option"].iloc[0] == "upside"
    assert log["decision_id"].tolist() == [1, 2, 3]
    assert log.loc[2, "owner"] == "Ops"
    assert "timestamp" not in log.columns


def test_decision_log_refuses_a_scenario_step_04_did_not_run():
    with pytest.raises(ParameterError, match="choose one of: base, upside"):
        decision_log("moonshot", [], ["base", "upside"])


def test_decision_without_title_is_refused():
    with pytest.raises(ParameterError, match="needs a title"):
        decision_log("base", [{"owner": "x"}], ["base"])


def test_decisions_required_lists_scenarios_and_recommendations():
    deltas = pd.DataFrame(
        {
            "scenario": ["base", "base", "upside", "upside"],
            "metric": ["revenue", "fill_rate"] * 2,
            "delta": [0.0, 0.0, 500.0, -0.02],
        }
    )
    recs = pd.DataFrame(
        {
            "action": ["add 10% capacity on Line-A 2027-01 to 2027-02"],
            "gap_id": ["F|2027-01|2027-02"],
            "value": [1234.0],
        }
    )
    out = decisions_required(recs, deltas)
    assert "upside: revenue +500, fill rate -2.0 pts" in out["options"].iloc[0]
    assert out["value"].iloc[1] == 1234.0
