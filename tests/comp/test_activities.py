"""Pay per activity (the worked example of docs/compensation.md) and the activities contract."""

from decimal import Decimal as D

import pandas as pd
import pytest

from compass_nb.comp.activities import activities_from, activity_lines, activity_payout_vector
from compass_nb.comp.engine import compute_payouts
from compass_nb.comp.plans import Rounding, parse_plan
from compass_nb.crediting import credited_bookings
from compass_nb.data.contracts import CONTRACTS
from compass_nb.errors import PlanError

from .comp_builders import NO_SPLITS, opportunities_frame, reps_frame

SDR = {
    "plan_id": "sdr",
    "versions": [
        {
            "effective_from": "2024-01-01",
            "pay_mix": {"base": 0.7, "variable": 0.3},
            "activities": [
                {
                    "id": "qualified_meetings",
                    "kinds": ["meeting"],
                    "qualified": True,
                    "bands": [{"to": 8, "per_unit": 100}, {"per_unit": 175}],
                    "target": 10,
                    "cap": 1200,
                }
            ],
        }
    ],
}


def _log(rep="s1", month="2026-10", qualified=11, unqualified=2, calls=5, linked=()):
    rows = []
    for i in range(qualified):
        opp = linked[i] if i < len(linked) else None
        rows.append(("meeting", True, opp))
    rows += [("meeting", False, None)] * unqualified + [("call", None, None)] * calls
    return pd.DataFrame(
        {
            "activity_id": [f"A{i:03d}" for i in range(len(rows))],
            "rep_id": rep,
            "activity_date": pd.Timestamp(f"{month}-01")
            + pd.to_timedelta(range(len(rows)), "D") // 2,
            "kind": [r[0] for r in rows],
            "opportunity_id": [r[2] for r in rows],
            "qualified": pd.array([r[1] for r in rows], dtype="boolean"),
        }
    )


def test_worked_example_eleven_qualified_meetings_pay_the_bands_then_the_cap():
    rule = parse_plan(SDR, "sdr.yaml").versions[0].activities[0]
    logged = activities_from(_log())["s1"]
    lines, units = activity_lines(logged, rule, Rounding())
    assert units == 11  # the 2 unqualified meetings and the 5 calls do not count
    pay = [line["amount"] for line in lines if line["kind"] == "activity"]
    assert pay == [D(100)] * 8 + [D(175)] * 3  # 800 + 525 = 1,325
    cap = [line for line in lines if line["kind"] == "activity_cap"]
    assert [c["amount"] for c in cap] == [D(-125)]  # capped at 1,200
    assert lines[8]["band"] == "9+" and lines[0]["band"] == "1–8"
    assert "qualified meeting A000" in lines[0]["rule"]


def test_the_vector_form_pays_the_same_as_the_lines():
    rule = parse_plan(SDR, "sdr.yaml").versions[0].activities[0]
    assert activity_payout_vector([0, 8, 11, 20], rule).tolist() == [0, 800, 1200, 1200]


def test_the_engine_pays_sdrs_per_activity_with_attainment_on_target_units():
    plan = parse_plan(SDR, "sdr.yaml")
    reps = reps_frame(("s1", "sdr", "2020-01-01", None, 80000, "SDR team", None, "SDR"))
    result = compute_payouts(
        {"sdr": plan},
        reps,
        pd.DataFrame(columns=["rep_id", "period", "quota"]),
        credited_bookings(opportunities_frame(("O1", "x", "2026-10-01", 1)).iloc[:0], NO_SPLITS),
        start="2026-10",
        end="2026-10",
        activities=_log(linked=("O7",)),
    )
    row = result.sellers.iloc[0]
    assert row["payout"] == D(1200) and row["activity"] == D(1325) and row["caps"] == D(-125)
    assert row["units"] == 11 and row["attainment"] == pytest.approx(1.1)  # 11 of 10 a month
    first = result.lines.loc[result.lines["kind"] == "activity"].iloc[0]
    assert first["opportunity_id"] == "O7" and first["measure"] == "qualified_meetings"


def test_a_component_can_count_only_activities_linked_to_an_opportunity():
    data = {**SDR, "versions": [dict(SDR["versions"][0])]}
    data["versions"][0]["activities"] = [
        {**SDR["versions"][0]["activities"][0], "with_opportunity": True, "cap": None}
    ]
    data["versions"][0]["activities"][0].pop("cap")
    rule = parse_plan(data, "sdr.yaml").versions[0].activities[0]
    _, units = activity_lines(activities_from(_log(linked=("O1", "O2")))["s1"], rule, Rounding())
    assert units == 2


def test_an_activity_component_needs_kinds_and_one_way_to_price_units():
    bad = {**SDR, "versions": [dict(SDR["versions"][0])]}
    bad["versions"][0]["activities"] = [{"id": "x", "kinds": ["meeting"]}]
    with pytest.raises(PlanError, match="give exactly one of `per_unit`"):
        parse_plan(bad, "sdr.yaml")


def test_the_activities_contract_is_optional_and_cut_off_by_its_date():
    contract = CONTRACTS["activities"]
    assert [(c.name, c.required) for c in contract.columns] == [
        ("activity_id", True),
        ("rep_id", True),
        ("activity_date", True),
        ("kind", True),
        ("opportunity_id", False),
        ("qualified", False),
    ]
    assert contract.cutoff == "activity_date" and contract.key == ("activity_id",)
    assert not CONTRACTS["opportunities"].column("loss_reason").required
