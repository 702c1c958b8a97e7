import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.params import defaults
from compass_nb.pipeline._history import timeline
from compass_nb.pipeline.flow import (
    MOVES,
    close_date_changes,
    close_date_moves,
    flow_movements,
    pipeline_flow,
    slippage,
)
from compass_nb.pipeline.stages import stage_table

DEFAULT_STAGES = defaults()["pipeline"]["stages"]  # the schema's stage mapping

Q1 = (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"))
COLUMNS = ["opportunity_id", "changed_at", "stage", "amount", "close_date"]


def _states(rows):
    hist = pd.DataFrame(rows, columns=COLUMNS)
    opps = hist.groupby("opportunity_id").agg(
        created_date=("changed_at", "min"),
        stage=("stage", "last"),
        amount=("amount", "last"),
        close_date=("close_date", "last"),
    )
    return timeline(opps.reset_index(), hist, stage_table(DEFAULT_STAGES))


def _flow(states, t0, t1):
    return pipeline_flow(flow_movements(states, t0, t1, *Q1)).set_index("step")["value"]


def test_february_flow_of_the_q1_pipeline_worked_by_hand(states):
    flow = _flow(states, "2026-01-31", "2026-02-28")
    assert flow.to_dict() == {
        "start": 1050.0,  # A 100 + B 200 + C 300 + D 400 + E 50
        "created": 80.0,  # F
        "pulled_in": 200.0,  # B re-opened
        "amount_change": 100.0,  # D 400 → 500
        "won": -100.0,  # A
        "lost": -200.0,  # B's first loss
        "pushed_out": -300.0,  # C pushed to April
        "end": 830.0,  # B 200 + D 500 + E 50 + F 80
    }


def _pushes():
    """Five open deals whose close dates move in February 2026 (Q1 is the window)."""
    day = pd.Timestamp
    return _states(
        [
            ("P", day("2026-01-05"), "Proposal", 100, day("2026-02-20")),
            ("P", day("2026-02-10"), "Proposal", 100, day("2026-03-15")),  # later, still in Q1
            ("Q", day("2026-01-06"), "Negotiation", 200, day("2026-03-20")),
            ("Q", day("2026-02-12"), "Negotiation", 200, day("2026-04-10")),  # out of Q1
            ("R", day("2026-01-07"), "Discovery", 400, day("2026-04-15")),
            ("R", day("2026-02-14"), "Discovery", 400, day("2026-03-30")),  # into Q1
            ("S", day("2026-01-08"), "Proposal", 800, day("2026-03-25")),
            ("S", day("2026-02-16"), "Proposal", 800, day("2026-03-05")),  # earlier, in Q1
            ("T", day("2026-01-09"), "Qualification", 1600, day("2026-05-01")),
            ("T", day("2026-02-18"), "Qualification", 1600, day("2026-06-01")),  # Q2 → Q2
        ]
    )


def test_pushes_in_the_flow_and_the_moves_match_a_count_by_hand():
    states = _pushes()
    flow = pipeline_flow(flow_movements(states, "2026-01-31", "2026-02-28", *Q1)).set_index("step")
    assert flow.loc["pushed_out", ["value", "deals"]].tolist() == [-200.0, 1]  # Q
    assert flow.loc["pulled_in", ["value", "deals"]].tolist() == [400.0, 1]  # R
    assert flow.loc["start", "value"] == 100 + 200 + 800 and flow.loc["end", "value"] == 1300
    moves = close_date_moves(states, "2026-01-31", "2026-02-28", *Q1).set_index("move")
    assert moves["deals"].to_dict() == dict.fromkeys(MOVES, 1)
    assert moves["amount"].tolist() == [200.0, 100.0, 400.0, 800.0, 1600.0]
    # P +23 days, Q +21, R −16, S −20, T +31
    assert moves["median_days"].tolist() == [21.0, 23.0, -16.0, -20.0, 31.0]
    # every push (a later date) is seen somewhere: 3 deals pushed, 1 of them out of the quarter
    later = close_date_changes(states).query("pushed")
    assert sorted(later["opportunity_id"]) == ["P", "Q", "T"]


def test_a_month_without_any_move_reads_zero_not_minus_zero():
    flow = pipeline_flow(flow_movements(_pushes(), "2026-02-28", "2026-03-31", *Q1))
    pushed = flow.set_index("step").loc["pushed_out", "value"]
    assert pushed == 0 and str(pushed) == "0.0"


def test_flow_identity_balances(states):
    flow = _flow(states, "2025-11-30", "2026-03-31")
    assert flow.drop("end").sum() == pytest.approx(flow["end"])


def test_a_deal_created_and_won_inside_the_period_counts_on_both_sides():
    states = _states(
        [("X", pd.Timestamp("2026-02-03"), "Closed Won", 70, pd.Timestamp("2026-02-03"))]
    )
    flow = _flow(states, "2026-01-31", "2026-02-28")
    assert flow[["created", "won", "end"]].tolist() == [70.0, -70.0, 0.0]


def test_close_date_changes_mark_pushes_and_their_days(states):
    changes = close_date_changes(states)
    pushes = changes.loc[changes["pushed"]]
    assert pushes[["opportunity_id", "days"]].values.tolist() == [["C", 74]]
    # a close date set when a deal closes is a pull-in, not a push; a re-open from a closed state is not a change
    assert changes.loc[changes["opportunity_id"] == "B", "days"].tolist() == [-42, -10]


def test_slippage_counts_how_often_and_how_far_deals_are_pushed(states, opportunities):
    summary = slippage(close_date_changes(states), opportunities)
    assert summary["deals"] == 6 and summary["pushed_deals"] == 1
    assert summary["share_pushed"] == pytest.approx(1 / 6)
    assert summary["median_push_days"] == 74


_stage = st.sampled_from(["Prospecting", "Discovery", "Negotiation", "Closed Won", "Closed Lost"])
_row = st.tuples(
    st.integers(0, 5), st.integers(0, 150), _stage, st.integers(0, 9), st.integers(0, 200)
)


@settings(max_examples=25, deadline=None)
@given(st.lists(_row, min_size=1, max_size=25))
def test_flow_identity_holds_for_any_history(rows):
    base = pd.Timestamp("2025-12-01")
    states = _states(
        [
            (f"o{o}", base + pd.Timedelta(days=d), s, 10 * a, base + pd.Timedelta(days=c))
            for o, d, s, a, c in rows
        ]
    )
    flow = pipeline_flow(flow_movements(states, "2026-01-10", "2026-03-20", *Q1)).set_index("step")[
        "value"
    ]
    assert flow.drop("end").sum() == pytest.approx(flow["end"])


def test_the_flow_sentence_names_every_step_that_moved_money_so_that_it_adds_up():
    from compass_nb.pipeline.analysis import flow_terms

    # the demo's FY2026-Q4 in 2026-10: 31.90 M → 33.88 M, the 0.19 M left is amount changes
    flow = pd.Series(
        {
            "start": 31_900_000.0,
            "created": 9_670_000.0,
            "pulled_in": 0.0,
            "amount_change": 190_000.0,
            "won": -3_520_000.0,
            "lost": -4_360_000.0,
            "pushed_out": 0.0,
            "end": 33_880_000.0,
        }
    )
    assert flow.drop("end").sum() == pytest.approx(flow["end"])
    assert flow_terms(flow) == (
        "9.67 M EUR created, +190 k EUR in amount changes, 3.52 M EUR won, 4.36 M EUR lost"
    )
    moved = flow.copy()
    moved[["amount_change", "pulled_in", "pushed_out"]] = [-50_000.0, 20_000.0, -30_000.0]
    assert flow_terms(moved, "USD") == (
        "9.67 M USD created, 20 k USD pulled in, −50 k USD in amount changes, "
        "3.52 M USD won, 4.36 M USD lost, 30 k USD pushed out"
    )
