"""The demo company's SDR team, its activities and its SPIFs (demo:small)."""

import pandas as pd

from compass_nb.comp.plans import load_plans
from compass_nb.data.demo import generate


def test_the_sdr_team_is_paid_per_qualified_meeting_and_a_spif_runs(demo_analysis):
    sellers = demo_analysis.sellers
    sdr = sellers.loc[(sellers["plan_id"] == "sdr") & (sellers["period"] == "2026-10")]
    assert len(sdr) == 5 and (sdr["activity"] > 0).all() and (sdr["credit"] == 0).all()
    lines = demo_analysis.result.lines
    fall = lines.loc[(lines["kind"] == "spif") & (lines["band"] == "fall-meetings")]
    assert len(fall) and set(fall["period"]) <= {"2026-09", "2026-10"}
    # no SDR earns more than the SPIF's cap of 600 over its window
    assert fall.groupby("rep_id")["amount"].apply(lambda s: sum(s)).max() <= 600
    plans = load_plans("parameters/comp_plans")
    assert plans["sdr"].versions[0].activities[0].qualified is True
    q4 = plans["ae"].version_for("2026-10").spifs[0]
    assert (q4.id, q4.per_deal, q4.cap) == ("q4-enterprise-new", 1000, 3000)


def test_activities_are_deterministic_and_name_deals_created_before_them():
    first, again = generate("small"), generate("small")
    pd.testing.assert_frame_equal(first["activities"], again["activities"])
    acts = first["activities"]
    sdrs = set(first["reps"].loc[first["reps"]["role"] == "SDR", "rep_id"])
    assert set(acts["rep_id"]) == sdrs and acts["activity_id"].is_unique
    linked = acts.dropna(subset=["opportunity_id"]).merge(
        first["opportunities"][["opportunity_id", "created_date", "type"]], on="opportunity_id"
    )
    assert len(linked) and (linked["created_date"] <= linked["activity_date"]).all()
    assert (linked["type"] == "new").all() and linked["qualified"].all()
    assert acts.loc[acts["kind"] == "call", "qualified"].isna().all()


def test_sdrs_are_in_the_org_tree_carry_no_quota_and_report_to_the_head_of_sales():
    t = generate("small")
    reps = t["reps"].set_index("rep_id")
    sdrs = reps.loc[reps["role"] == "SDR"]
    assert set(sdrs["team"]) == {"Sales Development"}
    assert "Sales Development" in set(t["org_units"]["team"])
    assert not set(sdrs.index) & set(t["quotas"]["rep_id"])
    assert set(sdrs["manager_id"]) == {"R-0001"} and (sdrs["plan_id"] == "sdr").all()


def test_lost_deals_carry_a_loss_reason_and_others_none():
    deals = generate("small")["opportunities"]
    lost = deals["is_closed"] & ~deals["is_won"]
    assert deals.loc[lost, "loss_reason"].notna().all()
    assert deals.loc[~lost, "loss_reason"].isna().all()
