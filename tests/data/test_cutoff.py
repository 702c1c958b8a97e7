"""The period is a cut-off: a cycle sees only what was known on its last day."""

from __future__ import annotations

import pandas as pd
import pytest

from compass_nb import data
from compass_nb.data.cutoff import complete_period, opportunities_as_of, reps_as_of
from compass_nb.errors import InputError
from tests.data.conftest import ORDERS_HEADER, write

T = pd.Timestamp


def test_period_end_is_the_last_day_of_the_month_leap_years_included():
    assert data.period_end("2024-02") == T("2024-02-29")
    assert data.period_end("2026-10") == T("2026-10-31")
    assert data.next_period("2026-12") == "2027-01"


def test_a_period_that_is_not_a_month_is_refused():
    with pytest.raises(InputError, match="write it as YYYY-MM"):
        data.period_end("2026-13")


def test_latest_complete_month_ends_before_a_partial_month():
    assert complete_period(T("2026-11-15")) == "2026-10"
    assert complete_period(T("2026-10-31")) == "2026-10"
    assert complete_period(T("2026-03-01")) == "2026-02"


def test_orders_after_the_period_are_invisible_but_counted_and_kept_for_the_nowcast(folder):
    rows = "2026-09-30,A,DC,1,2\n2026-10-31,A,DC,2,2\n2026-11-01,A,DC,4,2\n2026-11-30,A,DC,8,2\n2026-12-01,A,DC,16,2\n"
    write(folder, "orders.csv", ORDERS_HEADER + rows)
    loaded = data.load(folder, period="2026-10")
    assert loaded.tables["orders"]["quantity"].tolist() == [1.0, 2.0]
    assert loaded.mtd_orders["quantity"].tolist() == [4.0, 8.0]
    assert (loaded.rows_read["orders"], loaded.rows_accepted["orders"]) == (5, 5)


def test_default_period_is_the_latest_complete_month_of_the_orders(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-31,A,DC,2,2\n2026-11-14,A,DC,4,2\n")
    assert data.load(folder).period == "2026-10"
    assert data.latest_complete_period(folder) == "2026-10"


def test_monthly_orders_are_summed_up_to_the_cut_off(folder):
    rows = "2026-09-02,A,DC,1,10\n2026-09-20,A,DC,2,20\n2026-10-01,A,DC,4,40\n2026-10-02,B,DC,8,80\n2026-11-01,A,DC,99,9\n"
    write(folder, "orders.csv", ORDERS_HEADER + rows)
    monthly = data.monthly_orders(folder, period="2026-10").monthly
    assert monthly.values.tolist() == [
        ["A", "DC", "2026-09", 3.0, 30.0, 2],
        ["A", "DC", "2026-10", 4.0, 40.0, 1],
        ["B", "DC", "2026-10", 8.0, 80.0, 1],
    ]


def test_overrides_made_in_later_cycles_are_invisible_and_plans_are_whole(folder):
    write(
        folder,
        "overrides.csv",
        "cycle,period,family,quantity,author\n2026-09,2026-12,Outdoor,5,a\n2026-11,2026-12,Outdoor,7,b\n",
    )
    write(folder, "receipts.csv", "period,sku,location,quantity\n2026-10,A,DC,1\n2027-03,A,DC,2\n")
    loaded = data.load(folder, period="2026-10")
    assert loaded.tables["overrides"]["author"].tolist() == ["a"]
    assert loaded.tables["receipts"]["period"].tolist() == ["2026-10", "2027-03"]


def test_survey_answers_and_inventory_snapshots_are_cut_off(folder):
    write(
        folder,
        "inventory.csv",
        "snapshot_date,sku,location,on_hand\n2026-10-31,A,DC,5\n2026-11-30,A,DC,6\n",
    )
    write(folder, "org_units.csv", "team\nCompany\n")
    write(
        folder, "survey_questions.csv", "survey_id,question_id,text,kind\np,enps,Recommend?,enps\n"
    )
    write(
        folder,
        "survey_responses.csv",
        "survey_id,survey_date,respondent_id,team,question_id,score\np,2026-10-15,e1,Company,enps,9\n"
        "p,2026-11-15,e2,Company,enps,3\n",
    )
    loaded = data.load(folder, period="2026-10")
    assert loaded.tables["inventory"]["on_hand"].tolist() == [5.0]
    assert loaded.tables["survey_responses"]["respondent_id"].tolist() == ["e1"]


def _deals() -> tuple[pd.DataFrame, pd.DataFrame]:
    opportunities = pd.DataFrame(
        {
            "opportunity_id": ["o1", "o2", "o3", "o4"],
            "owner_id": "r1",
            "created_date": [T("2026-08-01"), T("2026-09-01"), T("2026-11-05"), T("2026-07-01")],
            "close_date": [T("2026-11-20"), T("2026-10-10"), T("2026-12-01"), T("2026-09-15")],
            "stage": ["Closed Won", "Closed Lost", "Proposal", "Closed Won"],
            "amount": [1200.0, 500.0, 900.0, 300.0],
            "forecast_category": ["Closed", "Omitted", "Best Case", "Closed"],
            "is_closed": [True, True, False, True],
            "is_won": [True, False, False, True],
            "cancelled_date": [pd.NaT, pd.NaT, pd.NaT, T("2026-11-02")],
        }
    )
    history = pd.DataFrame(
        {
            "opportunity_id": ["o1", "o1", "o1", "o2", "o2", "o3", "o4"],
            "changed_at": [
                T("2026-08-01"),
                T("2026-10-31 17:00"),
                T("2026-11-20"),
                T("2026-09-01"),
                T("2026-10-10"),
                T("2026-11-05"),
                T("2026-09-15"),
            ],
            "stage": [
                "Prospecting",
                "Proposal",
                "Closed Won",
                "Qualification",
                "Closed Lost",
                "Proposal",
                "Closed Won",
            ],
            "amount": [1000.0, 1100.0, 1200.0, 500.0, 500.0, 900.0, 300.0],
            "close_date": [T("2026-10-31")] * 2
            + [T("2026-11-20"), T("2026-10-10"), T("2026-10-10"), T("2026-12-01"), T("2026-09-15")],
        }
    )
    return opportunities, history


def test_an_opportunity_shows_its_stage_and_amount_as_of_the_cut_off():
    opportunities, history = _deals()
    then = opportunities_as_of(opportunities, history, T("2026-10-31")).set_index("opportunity_id")
    assert list(then.index) == ["o1", "o2", "o4"]  # o3 was created after the cut-off
    o1 = then.loc["o1"]
    assert (o1["stage"], o1["amount"], o1["close_date"]) == ("Proposal", 1100.0, T("2026-10-31"))
    assert (o1["is_closed"], o1["is_won"]) == (False, False)
    assert o1["forecast_category"] == "Best Case"  # the usual category of a deal at Proposal
    assert (then.loc["o2", "stage"], then.loc["o2", "is_closed"]) == ("Closed Lost", True)


def test_a_cancellation_after_the_cut_off_is_not_yet_known():
    opportunities, history = _deals()
    then = opportunities_as_of(opportunities, history, T("2026-10-31")).set_index("opportunity_id")
    assert pd.isna(then.loc["o4", "cancelled_date"]) and bool(then.loc["o4", "is_won"])
    later = opportunities_as_of(opportunities, history, T("2026-11-30")).set_index("opportunity_id")
    assert later.loc["o4", "cancelled_date"] == T("2026-11-02")


def test_a_deal_earlier_in_its_life_is_open_on_an_earlier_cut_off():
    opportunities, history = _deals()
    then = opportunities_as_of(opportunities, history, T("2026-09-30")).set_index("opportunity_id")
    assert then.loc["o2", ["stage", "is_closed"]].tolist() == ["Qualification", False]
    assert then.loc["o1", "stage"] == "Prospecting" and then.loc["o1", "amount"] == 1000.0


def test_sellers_hired_later_are_absent_and_later_leavers_still_employed():
    reps = pd.DataFrame(
        {
            "rep_id": ["r1", "r2", "r3"],
            "hire_date": [T("2024-01-01"), T("2026-11-01"), T("2023-05-01")],
            "termination_date": [T("2026-12-31"), pd.NaT, T("2026-06-30")],
        }
    )
    then = reps_as_of(reps, T("2026-10-31"))
    assert then["rep_id"].tolist() == ["r1", "r3"]
    assert pd.isna(then.loc[0, "termination_date"]) and then.loc[1, "termination_date"] == T(
        "2026-06-30"
    )


def test_loaded_opportunities_are_rebuilt_from_their_history(folder):
    opportunities, history = _deals()
    write(folder, "org_units.csv", "team\nEast\n")
    write(
        folder,
        "reps.csv",
        "rep_id,name,team,role,hire_date,base_salary,ote,plan_id\nr1,Ana,East,AE,2020-01-01,1,2,ae\n",
    )
    opportunities.assign(
        created_date=opportunities["created_date"].dt.date,
        close_date=opportunities["close_date"].dt.date,
    ).to_csv(folder / "opportunities.csv", index=False)
    history.to_csv(folder / "opportunity_history.csv", index=False)
    loaded = data.load(folder, period="2026-10", tables=["opportunities"])
    assert list(loaded.tables) == ["org_units", "reps", "opportunities", "opportunity_history"]
    frame = loaded.tables["opportunities"].set_index("opportunity_id")
    assert frame.loc["o1", ["stage", "amount"]].tolist() == ["Proposal", 1100.0]
    assert loaded.quarantine.empty


def test_demo_cycle_sees_nothing_after_its_period():
    loaded = data.load("demo:small", tables=["orders", "opportunities", "survey_responses"])
    assert loaded.period == "2026-10"
    cutoff = T("2026-10-31")
    assert loaded.tables["orders"]["order_date"].max() == cutoff
    assert (loaded.tables["opportunities"]["created_date"] <= cutoff).all()
    assert (loaded.tables["survey_responses"]["survey_date"] <= cutoff).all()
    assert loaded.mtd_orders["order_date"].between(T("2026-11-01"), T("2026-11-30")).all()
    assert not loaded.mtd_orders.empty


def test_opportunities_without_a_history_table_are_cut_off_by_creation_date(folder):
    opportunities, _ = _deals()
    write(folder, "org_units.csv", "team\nEast\n")
    write(
        folder,
        "reps.csv",
        "rep_id,name,team,role,hire_date,base_salary,ote,plan_id\nr1,Ana,East,AE,2020-01-01,1,2,ae\n",
    )
    opportunities.to_csv(folder / "opportunities.csv", index=False, date_format="%Y-%m-%d")
    frame = data.load(folder, period="2026-10", tables=["opportunities"]).tables["opportunities"]
    assert frame["opportunity_id"].tolist() == ["o1", "o2", "o4"]
    assert frame["stage"].tolist() == ["Closed Won", "Closed Lost", "Closed Won"]


def test_monthly_orders_from_parquet_leave_out_quarantined_rows(folder):
    frame = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03", "2026-11-01"]),
            "sku": ["A", "ZZ", "A", "A"],
            "location": "DC",
            "quantity": [1.0, 2.0, -4.0, 8.0],
            "net_revenue": [10.0, 20.0, 40.0, 80.0],
        }
    )
    frame.to_parquet(folder / "orders.parquet")
    loaded = data.load(folder, period="2026-10")
    assert loaded.quarantine[["row", "reason"]].values.tolist() == [
        [2, "unknown sku"],
        [3, "negative quantity"],
    ]
    assert data.monthly_orders(loaded).monthly.values.tolist() == [
        ["A", "DC", "2026-10", 1.0, 10.0, 1]
    ]
    assert loaded.mtd_orders["quantity"].tolist() == [8.0]


# -- issue 17 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stray", "reason"),
    [
        ("9999-12-31", "out of range (dates 1900-01-01 to 2199-12-31)"),
        ("2300-01-01", "out of range (dates 1900-01-01 to 2199-12-31)"),
        ("2062-10-15", "dated in the future (after today, 2026-12-01)"),
    ],
)
def test_a_stray_far_date_is_quarantined_and_never_chooses_the_period(folder, stray, reason):
    """Defect 6: one order dated 2062-10-15 built a "complete" pack for 2062-09."""
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + f"2026-10-31,A,DC,2,2\n{stray},A,DC,4,2\n2026-11-14,A,DC,1,2\n",
    )
    loaded = data.load(folder, today="2026-12-01")
    assert loaded.period == "2026-10"
    assert loaded.quarantine[["row", "value", "reason"]].values.tolist() == [[3, stray, reason]]
    assert data.latest_complete_period(folder, today="2026-12-01") == "2026-10"
    assert data.monthly_orders(folder, today="2026-12-01").period == "2026-10"


def test_events_are_future_against_the_sources_today_with_a_day_of_grace(folder):
    write(
        folder,
        "orders.csv",
        ORDERS_HEADER + "2026-11-28,A,DC,1,2\n2026-11-29,A,DC,1,2\n2026-11-30,A,DC,1,2\n",
    )
    loaded = data.load(folder, period="2026-10", today="2026-11-28")
    assert loaded.quarantine["row"].tolist() == [4]
    assert loaded.quarantine["reason"].tolist() == ["dated in the future (after today, 2026-11-28)"]


def test_the_demo_lives_on_its_own_today_whatever_the_clock():
    loaded = data.load("demo:small", tables=["orders"])
    assert loaded.today == T("2026-11-15") and loaded.quarantine.empty


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2300-01", "outside the months the data can hold"),
        ("2026-13", "month from 01 to 12"),
        ("2062-09", "has not begun"),
        ("Oct 2026", "write it as YYYY-MM"),
    ],
)
def test_a_period_the_data_cannot_hold_is_one_clear_error(folder, period, message):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-31,A,DC,2,2\n")
    with pytest.raises(InputError, match=message):
        data.load(folder, period=period, today="2026-12-01")


def test_a_cycle_without_data_names_its_empty_tables_in_one_message(folder):
    """Defect 10: a cycle before the data passed 01 silently."""
    write(folder, "orders.csv", ORDERS_HEADER + "2026-09-02,A,DC,2,2\n2026-10-05,A,DC,1,2\n")
    write(folder, "inventory.csv", "snapshot_date,sku,location,on_hand\n2026-09-30,A,DC,5\n")
    early = data.load(folder, period="2026-08")
    assert early.empty_tables() == ["orders", "inventory"]
    assert early.rows_at_cutoff() == {"products": 3, "orders": 0, "inventory": 0}
    with pytest.raises(InputError) as err:
        early.require_rows()
    assert str(err.value) == (
        "The cycle 2026-08 has no data in orders, inventory: nothing is dated on or before "
        "2026-08-31 (orders run from 2026-09-02 to 2026-10-05; inventory run from 2026-09-30 "
        "to 2026-09-30). Choose a period the data covers, e.g. --period YYYY-MM, or leave the "
        "period out for the latest complete month."
    )
    september = early.at("2026-09")
    assert september.empty_tables() == []
    september.require_rows()
    with pytest.raises(InputError, match="no data in inventory"):
        september.at("2026-08").require_rows(["products", "inventory"])


def test_a_source_whose_dated_rows_are_all_quarantined_has_no_cycle(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-09-02,A,DC,-2,2\n")
    loaded = data.load(folder, period="2026-09")
    with pytest.raises(
        InputError, match=r"no data in orders: .*\(every orders row was quarantined\)"
    ):
        loaded.require_rows()


def test_another_period_of_a_loaded_source_equals_loading_that_period(folder):
    """Issue 11: validate and fingerprint the source once per run."""
    rows = "2026-08-30,A,DC,1,2\n2026-09-15,B,DC,2,2\n2026-10-01,A,DC,-4,2\n2026-10-20,C,DC,8,2\n"
    write(folder, "orders.csv", ORDERS_HEADER + rows)
    write(
        folder,
        "overrides.csv",
        "cycle,period,sku,quantity,author\n2026-08,2026-10,A,5,a\n2026-10,2026-11,B,7,b\n",
    )
    first = data.load(folder, period="2026-10")
    again = first.at("2026-09")
    direct = data.load(folder, period="2026-09")
    assert (again.period, again.cutoff) == ("2026-09", T("2026-09-30"))
    for table in direct.tables:
        pd.testing.assert_frame_equal(again.tables[table], direct.tables[table])
    pd.testing.assert_frame_equal(again.mtd_orders, direct.mtd_orders)
    pd.testing.assert_frame_equal(again.quarantine, direct.quarantine)
    assert again.rows_read == direct.rows_read and again.fingerprints == direct.fingerprints
    assert first.tables["orders"]["quantity"].tolist() == [1.0, 2.0, 8.0]  # untouched by at()
    assert again.tables["orders"]["quantity"].tolist() == [1.0, 2.0]


def test_the_fingerprint_of_a_whole_load_is_the_source_fingerprint(folder):
    write(folder, "orders.csv", ORDERS_HEADER + "2026-10-01,A,DC,1,2\n")
    assert data.load(folder, period="2026-10").fingerprint == data.source_fingerprint(folder)
    assert data.load("demo:small", period="2026-10").fingerprint == data.source_fingerprint(
        "demo:small"
    )


# -- the default period (issue 16) ------------------------------------------------------------
@pytest.mark.parametrize(
    ("last", "period"),
    [
        ("2017-12-30", "2017-12"),  # Saturday; the 31st is a Sunday
        ("2017-12-29", "2017-12"),  # Friday, the month's last business day
        ("2026-12-30", "2026-11"),  # Wednesday; Thursday the 31st is a business day
        ("2026-10-30", "2026-10"),  # Friday; the 31st is a Saturday
        ("2026-02-27", "2026-02"),  # Friday; the 28th is a Saturday
        ("2026-02-26", "2026-01"),
    ],
)
def test_a_month_is_complete_once_its_last_business_day_has_data(last, period):
    from compass_nb.data.cutoff import complete_period

    assert complete_period(pd.Timestamp(last)) == period


def test_the_period_says_why_a_month_is_not_complete():
    from compass_nb.data.cutoff import period_of

    period, why = period_of("orders", pd.Timestamp("2026-12-30"))
    assert period == "2026-11"
    assert "2026-12-31 (Thursday) is a business day" in why


def test_a_survey_only_source_takes_the_month_of_its_latest_survey(tmp_path):
    frames = {
        "org_units": pd.DataFrame({"team": ["Company", "Sales"], "parent_team": [None, "Company"]}),
        "survey_questions": pd.DataFrame(
            {"survey_id": ["s1"], "question_id": ["q1"], "text": ["Recommend?"], "kind": ["enps"]}
        ),
        "survey_responses": pd.DataFrame(
            {
                "survey_id": "s1",
                "survey_date": "2026-10-14",  # a one-day survey, mid-month
                "respondent_id": [f"p{i}" for i in range(6)],
                "team": "Sales",
                "question_id": "q1",
                "score": [9, 10, 7, 3, 9, 8],
            }
        ),
        "survey_invites": pd.DataFrame({"survey_id": ["s1"], "team": ["Sales"], "invited": [8]}),
    }
    loaded = data.load(frames, today="2026-12-01")
    assert loaded.period == "2026-10"
    assert len(loaded.tables["survey_responses"]) == 6  # the survey is in its own cycle
    assert data.latest_complete_period(frames, today="2026-12-01") == "2026-10"
