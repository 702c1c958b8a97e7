"""SPIFs: a fixed amount per qualifying deal or activity within a window, capped per seller,
and SPIF awards from outside the plans (a sales contest's payouts) with their trace."""

from decimal import Decimal as D

import pandas as pd
import pytest

from compass_nb.comp.engine import compute_payouts
from compass_nb.comp.plans import parse_plan
from compass_nb.crediting import credited_bookings
from compass_nb.errors import PlanError

from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame

WINDOW = {"id": "q4-new", "from": "2026-10-01", "to": "2026-12-31", "types": ["new"]}
REPS = reps_frame(("r1", "flat", "2020-01-01", None, 120000))
QUOTAS = pd.DataFrame(
    {"rep_id": "r1", "period": ["2026-10", "2026-11", "2026-12"], "quota": 100000.0}
)


def _spif_lines(result):
    return result.lines.loc[result.lines["kind"] == "spif"]


def test_worked_example_a_deal_spif_pays_per_deal_until_its_cap_over_the_window():
    plan = plan_from(FLAT_10, spifs=[{**WINDOW, "per_deal": 500, "cap": 1200}])
    deals = opportunities_frame(
        ("O1", "r1", "2026-10-05", 1000),
        ("O2", "r1", "2026-10-20", 1000),
        ("O3", "r1", "2026-11-10", 1000),
        ("O4", "r1", "2026-12-01", 1000),
        ("O5", "r1", "2026-12-02", 1000, "renewal"),  # not a new deal
        ("O6", "r1", "2027-01-02", 1000),  # after the window
    )
    result = compute_payouts(
        {"flat": plan},
        REPS,
        QUOTAS,
        credited_bookings(deals, NO_SPLITS),
        start="2026-10",
        end="2026-12",
    )
    spif = _spif_lines(result).set_index("opportunity_id")
    # 500 + 500 in October, the 200 left of the 1,200 cap in November, nothing in December
    assert spif["amount"].to_dict() == {"O1": D(500), "O2": D(500), "O3": D(200), "O4": D(0)}
    assert "cap 1,200 per seller reached" in spif.loc["O3", "rule"]
    assert result.sellers.set_index("period")["spif"].to_dict() == {
        "2026-10": D(1000),
        "2026-11": D(200),
        "2026-12": D(0),
    }


def test_an_activity_spif_pays_per_qualified_meeting_in_its_window():
    plan = plan_from(
        FLAT_10,
        spifs=[
            {
                "id": "meetings",
                "per": "activity",
                "from": "2026-10-10",
                "to": "2026-10-31",
                "kinds": ["meeting"],
                "qualified": True,
                "per_unit": 50,
            }
        ],
    )
    logged = pd.DataFrame(
        {
            "activity_id": ["A1", "A2", "A3", "A4"],
            "rep_id": "r1",
            "activity_date": pd.to_datetime(
                ["2026-10-05", "2026-10-12", "2026-10-13", "2026-10-14"]
            ),
            "kind": ["meeting", "meeting", "meeting", "call"],
            "opportunity_id": None,
            "qualified": pd.array([True, True, False, None], dtype="boolean"),
        }
    )
    result = compute_payouts(
        {"flat": plan},
        REPS,
        QUOTAS,
        credited_bookings(opportunities_frame(("O1", "r1", "2026-10-01", 1)), NO_SPLITS),
        start="2026-10",
        end="2026-10",
        activities=logged,
    )
    spif = _spif_lines(result)
    assert spif["amount"].tolist() == [D(50)]  # A2 only: A1 before the window, A3 unqualified
    assert "meeting A2 on 2026-10-12" in spif["rule"].iloc[0]


def test_awards_are_paid_as_spif_lines_that_name_their_source():
    awards = pd.DataFrame(
        {
            "rep_id": ["r1", "r1"],
            "pay_period": ["2026-11", "2027-01"],
            "spif_id": ["contest-q4", "contest-q4"],
            "amount": [750.0, 250.0],
            "rule": ["top 5 in new-logo deals", "milestone 2"],
            "source": ["contest q4", "contest q4"],
        }
    )
    result = compute_payouts(
        {"flat": plan_from(FLAT_10)},
        REPS,
        QUOTAS,
        credited_bookings(opportunities_frame(("O1", "r1", "2026-10-01", 1000)), NO_SPLITS),
        start="2026-10",
        end="2026-12",
        awards=awards,
    )
    spif = _spif_lines(result)
    assert spif[["period", "band", "amount"]].values.tolist() == [["2026-11", "contest-q4", D(750)]]
    assert spif["rule"].iloc[0] == "contest q4: top 5 in new-logo deals"
    assert result.sellers.set_index("period").loc["2026-11", "payout"] == D(750)


def test_a_cancelled_deal_claws_back_its_spif_line_as_paid():
    plan = plan_from(
        FLAT_10, spifs=[{**WINDOW, "per_deal": 500}], clawback={"cancellation_days": 90}
    )
    deals = opportunities_frame(("O1", "r1", "2026-10-05", 1000, "new", "2026-11-20"))
    result = compute_payouts(
        {"flat": plan},
        REPS,
        QUOTAS,
        credited_bookings(deals, NO_SPLITS),
        start="2026-10",
        end="2026-11",
    )
    claw = result.lines.loc[result.lines["kind"] == "clawback_cancel", "amount"].tolist()
    assert claw == [D(-600)]  # 100 commission + 500 SPIF


@pytest.mark.parametrize(
    ("spif", "message"),
    [
        (
            {"id": "m", "from": "2026-10-01", "to": "2026-10-31", "per": "activity", "per_unit": 5},
            r"give the activity `kinds`",
        ),
        (
            {**WINDOW, "per": "activity", "per_unit": 5, "kinds": ["call"]},
            r"`types` is for per: deal",
        ),
        ({**WINDOW, "per_unit": 5, "per_deal": 1}, r"`per_unit` is for per: activity"),
        ({**WINDOW, "per": "unit", "per_deal": 1}, r"must be one of deal, activity"),
        ({**WINDOW, "per_deal": 1, "cap": -1}, r"cap: must be at least 0"),
    ],
)
def test_spif_mistakes_are_named(spif, message):
    data = {**FLAT_10, "versions": [{**FLAT_10["versions"][0], "spifs": [spif]}]}
    with pytest.raises(PlanError, match=message):
        parse_plan(data, "test.yaml")
