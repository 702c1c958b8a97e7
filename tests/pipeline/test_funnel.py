import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.params import defaults
from compass_nb.pipeline._history import timeline
from compass_nb.pipeline.funnel import (
    closed_between,
    loss_reasons,
    stage_conversion,
    stage_reach,
    win_rates,
)
from compass_nb.pipeline.stages import stage_table

DEFAULT_STAGES = defaults()["pipeline"]["stages"]  # the schema's stage mapping


def _conversion(reach, stages, **kw):
    return stage_conversion(reach, stages, **kw).set_index("stage")


def test_a_deal_that_skips_stages_counts_as_passing_through_them(states, stages):
    reach = stage_reach(states, stages).set_index("opportunity_id")
    assert reach.loc["A", "reached"] == 5  # won: every open stage
    conv = _conversion(stage_reach(states, stages), stages)
    # six deals reach Prospecting; A, B, C, D, E reach Qualification (A skipped it)
    assert conv.loc["Prospecting", ["reached", "advanced"]].tolist() == [6, 5]
    assert conv.loc["Qualification", ["reached", "advanced"]].tolist() == [5, 4]
    assert conv.loc["Discovery", ["reached", "advanced"]].tolist() == [4, 3]
    assert conv.loc["Proposal", ["reached", "advanced"]].tolist() == [3, 2]
    assert conv.loc["Negotiation", ["reached", "advanced", "conversion"]].tolist() == [2, 2, 1.0]
    assert conv.loc["Prospecting", "conversion"] == pytest.approx(5 / 6)


def test_a_reopened_deal_counts_once_at_its_furthest_stage_and_final_outcome(states, stages):
    reach = stage_reach(states, stages).set_index("opportunity_id")
    assert reach.loc["B", ["reached", "is_won", "is_closed"]].tolist() == [5, True, True]
    assert reach.loc["E", ["reached", "is_won"]].tolist() == [2, False]


def test_conversion_by_creation_cohort_uses_each_cohorts_deals(states, stages):
    conv = stage_conversion(stage_reach(states, stages), stages, by=["cohort"])
    jan = conv.loc[conv["cohort"] == "2026-01"].set_index("stage")
    assert jan["reached"].tolist() == [3, 3, 2, 2, 2]
    assert jan.loc["Qualification", "conversion"] == pytest.approx(2 / 3)
    assert jan.loc["Negotiation", "cumulative"] == pytest.approx(2 / 3)


def test_conversion_never_exceeds_one(states, stages):
    conv = stage_conversion(stage_reach(states, stages), stages, by=["cohort"])
    assert (conv["advanced"] <= conv["reached"]).all()
    assert (conv["conversion"].dropna() <= 1).all()


def test_win_rate_by_count_and_amount_counts_closed_deals_only(opportunities):
    closed = closed_between(opportunities, "2026-01-01", "2026-03-31")
    rates = win_rates(closed).iloc[0]
    assert rates["closed"] == 3 and rates["won"] == 2
    assert rates["win_rate"] == pytest.approx(2 / 3)
    assert rates["win_rate_amount"] == pytest.approx(300 / 350)


def test_win_rate_by_group_splits_the_deals(opportunities):
    closed = closed_between(opportunities, "2026-01-01", "2026-03-31")
    rates = win_rates(closed, by=["product_family"]).set_index("product_family")
    assert rates.index.tolist() == ["Tents"]
    assert rates.loc["Tents", "won_amount"] == 300


def test_closed_between_keeps_deals_closed_inside_the_window(opportunities):
    feb = closed_between(opportunities, pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-28"))
    assert feb["opportunity_id"].tolist() == ["A"]


_stage = st.sampled_from(["Prospecting", "Qualification", "Proposal", "Closed Won", "Closed Lost"])
_row = st.tuples(st.integers(0, 5), st.integers(0, 90), _stage)


@settings(max_examples=25, deadline=None)
@given(st.lists(_row, min_size=1, max_size=20))
def test_conversion_never_exceeds_one_for_any_history(rows):
    base = pd.Timestamp("2026-01-01")
    hist = pd.DataFrame(
        [(f"o{o}", base + pd.Timedelta(days=d), s, 10.0, base) for o, d, s in rows],
        columns=["opportunity_id", "changed_at", "stage", "amount", "close_date"],
    ).sort_values("changed_at", kind="stable")
    opps = (
        hist.groupby("opportunity_id")
        .agg(
            created_date=("changed_at", "min"),
            stage=("stage", "last"),
            amount=("amount", "last"),
            close_date=("close_date", "last"),
        )
        .reset_index()
    )
    stages = stage_table(DEFAULT_STAGES)
    conv = stage_conversion(stage_reach(timeline(opps, hist, stages), stages), stages)
    assert (conv["advanced"] <= conv["reached"]).all()
    assert conv["reached"].is_monotonic_decreasing


def test_an_on_hold_stage_is_not_a_step_of_the_funnel(build, base_rows):

    mapping = [dict(s, order=10 * s["order"]) for s in DEFAULT_STAGES]
    mapping.append(
        {"name": "On Hold", "order": 45, "category": "Omitted", "is_closed": False, "is_won": False}
    )
    stages = stage_table(mapping)
    opps, _ = build(base_rows + [("Z", "2026-01-03", "Qualification", 10, "2026-03-31")])
    rows = base_rows + [
        ("Z", "2026-01-03", "Qualification", 10, "2026-03-31"),
        ("Z", "2026-02-03", "On Hold", 10, "2026-03-31"),
    ]
    hist = pd.DataFrame(
        rows, columns=["opportunity_id", "changed_at", "stage", "amount", "close_date"]
    )
    hist["changed_at"] = pd.to_datetime(hist["changed_at"])
    reach = stage_reach(timeline(opps, hist, stages), stages).set_index("opportunity_id")
    assert reach.loc["Z", "reached"] == 20  # Qualification, not On Hold's 45
    assert "On Hold" not in stage_conversion(reach.reset_index(), stages)["stage"].tolist()


def test_the_funnel_in_money_counts_each_deal_at_its_largest_amount(states, stages):
    conv = stage_conversion(stage_reach(states, stages), stages).set_index("stage")
    # reached Prospecting: all six, A 100 + B 200 (won) + C 300 + D 500 (raised from 400) + E 50 + F 80
    assert conv.loc["Prospecting", "reached_amount"] == 1230
    assert conv.loc["Prospecting", "advanced_amount"] == 1230 - 80  # F stayed
    assert conv.loc["Prospecting", "conversion_amount"] == pytest.approx(1150 / 1230)
    assert conv.loc["Negotiation", ["reached_amount", "advanced_amount"]].tolist() == [300, 300]


def test_loss_reasons_share_the_lost_deals_and_their_amount():
    closed = pd.DataFrame(
        {
            "is_closed": [True] * 5,
            "is_won": [False, False, False, False, True],
            "amount": [10.0, 30.0, 60.0, 100.0, 999.0],
            "loss_reason": ["Price", "Price", "Timing", None, None],
        }
    )
    out = loss_reasons(closed).set_index("loss_reason")
    assert out["deals"].to_dict() == {"Price": 2, "Timing": 1, "not given": 1}
    assert out.loc["Price", ["share_of_lost", "share_of_lost_amount"]].tolist() == pytest.approx(
        [0.5, 40 / 200]
    )
    assert loss_reasons(closed.drop(columns="loss_reason")).empty
