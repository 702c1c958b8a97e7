"""Period close: locking, adjustment lines in the next open period, the audit trail."""

from decimal import Decimal as D

import pandas as pd
import pytest

from compass_nb import store
from compass_nb.comp import close
from compass_nb.crediting import credited_bookings
from compass_nb.errors import InputError
from compass_nb.steps.compensation import close_period

from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame

PLANS = {"flat": plan_from(FLAT_10)}
REPS = reps_frame(
    ("r1", "flat", "2020-01-01", None, 100000), ("r2", "flat", "2020-01-01", None, 100000)
)
QUOTAS = pd.DataFrame(
    {
        "rep_id": ["r1", "r2"] * 3,
        "period": ["2026-09"] * 2 + ["2026-10"] * 2 + ["2026-11"] * 2,
        "quota": 100000.0,
    }
)


def run_period(
    path, tmp_path, period, opps, splits=NO_SPLITS, by="Ana Ops", reason="", plans=None, quotas=None
):
    """What the notebook does for ``period``: compute, net off closed periods, stage and commit."""
    closes = close.closed_periods(store.read_all_runs(path, "comp_close"))
    prior = store.read(path, "payout_adjustments")
    prior = prior.drop(columns=["period", "run_id"]) if not prior.empty else prior
    result, lines, audit = close.payouts_after_close(
        plans or PLANS,
        REPS,
        QUOTAS if quotas is None else quotas,
        credited_bookings(opps, splits),
        period=period,
        closed=list(closes["period"]) if not closes.empty else [],
        locked=close.locked_payouts(store.read_all_runs(path, "payouts"), closes),
        prior=prior,
        changed_by=by,
        reason=reason,
    )
    run_dir = tmp_path / f"run-{period}"
    sellers = result.sellers.loc[result.sellers["period"] == period]
    records = close.payout_records(result.lines.loc[result.lines["period"] == period], sellers)
    run_id = store.next_run_id(path, period)
    for table, frame in {
        "payouts": records,
        "payout_adjustments": lines,
        "comp_audit": audit,
    }.items():
        if not frame.empty:  # the store cannot type the columns of an empty frame
            store.stage(run_dir, table, frame, period=period, run_id=run_id)
    store.commit(path, run_dir, period=period, run_id=run_id)
    return result, lines, audit


def test_close_locks_the_period_and_a_late_deal_becomes_an_adjustment_next_period(tmp_path):
    path = tmp_path / "compass.duckdb"
    september = opportunities_frame(("O1", "r1", "2026-09-10", 10000))
    run_period(path, tmp_path, "2026-09", september)
    closed = close_period(path, "2026-09", by="Ana Ops", reason="September payroll")
    assert (closed["total"], closed["sellers"], closed["closed_by"]) == (1000.0, 2, "Ana Ops")

    late = pd.concat(
        [september, opportunities_frame(("O2", "r2", "2026-09-28", 5000))], ignore_index=True
    )
    result, lines, audit = run_period(path, tmp_path, "2026-10", late, reason="late CRM entry")
    assert lines[
        ["rep_id", "pay_period", "adjusts_period", "opportunity_id", "amount"]
    ].values.tolist() == [["r2", "2026-10", "2026-09", "O2", 500.0]]
    assert audit[["changed_by", "reason"]].values.tolist() == [["Ana Ops", "late CRM entry"]]
    assert "late deal" in audit["what"].iloc[0]
    october = result.sellers.set_index(["rep_id", "period"])["payout"]
    assert october[("r2", "2026-10")] == D("500.00")

    again, lines_nov, _ = run_period(path, tmp_path, "2026-11", late)
    assert lines_nov.empty  # already paid in October: not paid twice


def test_a_corrected_split_adjusts_both_sellers(tmp_path):
    path = tmp_path / "compass.duckdb"
    deal = opportunities_frame(("O1", "r1", "2026-09-10", 10000))
    run_period(path, tmp_path, "2026-09", deal)
    close_period(path, "2026-09", by="Ana Ops")
    splits = pd.DataFrame(
        {"opportunity_id": ["O1", "O1"], "rep_id": ["r1", "r2"], "split_pct": [60.0, 40.0]}
    )
    _, lines, _ = run_period(path, tmp_path, "2026-10", deal, splits)
    assert sorted(lines[["rep_id", "amount"]].values.tolist()) == [["r1", -400.0], ["r2", 400.0]]


def test_a_period_in_which_nobody_earned_can_be_closed_and_adjusted(tmp_path):
    path = tmp_path / "compass.duckdb"
    run_period(path, tmp_path, "2026-09", opportunities_frame(("O1", "r1", "2026-10-10", 10000)))
    assert close_period(path, "2026-09", by="ops")["total"] == 0.0
    late = opportunities_frame(("O1", "r1", "2026-10-10", 10000), ("O0", "r1", "2026-09-30", 2000))
    _, lines, _ = run_period(path, tmp_path, "2026-10", late)
    assert lines[["adjusts_period", "opportunity_id", "amount"]].values.tolist() == [
        ["2026-09", "O0", 200.0]
    ]


def test_closing_twice_or_without_payouts_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "compass.duckdb"
    with pytest.raises(InputError, match="run the compensation notebook for 2026-09"):
        close_period(path, "2026-09", by="x")
    run_period(path, tmp_path, "2026-09", opportunities_frame(("O1", "r1", "2026-09-10", 10000)))
    close_period(path, "2026-09", by="x")
    with pytest.raises(InputError, match="already closed .* by x; later changes"):
        close_period(path, "2026-09", by="y")


def test_a_cancellation_after_close_is_clawed_back_through_the_next_period():
    locked = pd.DataFrame(
        {
            "rep_id": ["r1"],
            "pay_period": ["2026-09"],
            "measure": ["all"],
            "kind": ["commission"],
            "opportunity_id": ["O1"],
            "amount_cents": [100000],
        }
    )
    recomputed = pd.concat(
        [locked, locked.assign(kind="clawback_cancel", measure="clawback", amount_cents=-100000)]
    )
    lines, audit = close.adjustments(
        locked,
        recomputed,
        pd.DataFrame(),
        pay_period="2026-10",
        changed_by="ops",
        changed_at="2026-11-02T09:00:00Z",
    )
    assert lines[["kind", "amount"]].values.tolist() == [["clawback_cancel", -1000.0]]
    assert audit[["changed_at", "what"]].values.tolist() == [
        ["2026-11-02T09:00:00Z", "deal O1 cancelled after the period closed"]
    ]


def test_a_leaver_is_still_paid_an_adjustment_after_leaving():
    from compass_nb.comp.engine import compute_payouts

    reps = reps_frame(("r1", "flat", "2020-01-01", "2026-09-30", 100000))
    adjustment = pd.DataFrame(
        {
            "rep_id": ["r1"],
            "pay_period": ["2026-10"],
            "adjusts_period": ["2026-09"],
            "opportunity_id": ["O9"],
            "what": ["late deal"],
            "amount": [D("250.00")],
        }
    )
    opps = opportunities_frame(("O1", "r1", "2026-09-10", 1000))
    result = compute_payouts(
        PLANS,
        reps,
        QUOTAS,
        credited_bookings(opps, NO_SPLITS),
        start="2026-09",
        end="2026-10",
        adjustments=adjustment,
    )
    october = result.sellers.loc[result.sellers["period"] == "2026-10"]
    assert october["payout"].tolist() == [D("250.00")]


def test_a_late_deal_in_a_closed_month_of_a_quarterly_plan_is_paid_once(tmp_path):
    bands = [{"to": 0.5, "rate": 0.05}, {"rate": 0.10}]
    plans = {
        "flat": plan_from(
            FLAT_10,
            quota={"prorate": False, "basis": "quarter"},
            measures=[
                {"id": "all", "weight": 1, "rates": {"method": "retroactive", "bands": bands}}
            ],
        )
    }
    quotas = pd.DataFrame(
        {
            "rep_id": ["r1", "r2"] * 3,
            "period": ["2026-07"] * 2 + ["2026-08"] * 2 + ["2026-09"] * 2,
            "quota": 100000.0,
        }
    )
    path = tmp_path / "compass.duckdb"
    july = opportunities_frame(("O1", "r1", "2026-07-10", 100000))
    run_period(path, tmp_path, "2026-07", july, plans=plans, quotas=quotas)
    close_period(path, "2026-07", by="ops")
    late = pd.concat(
        [
            july,
            opportunities_frame(
                ("O0", "r1", "2026-07-30", 60000), ("O2", "r1", "2026-08-10", 10000)
            ),
        ],
        ignore_index=True,
    )
    result, lines, _ = run_period(path, tmp_path, "2026-08", late, plans=plans, quotas=quotas)
    # July re-priced: 160k of a 300k quarter is 53 % → 10 % on all: 16,000 due, 5,000 paid → +11,000
    assert lines["amount"].sum() == 11000.0
    august = result.sellers.set_index(["rep_id", "period"])["payout"]
    assert august[("r1", "2026-08")] == D("12000.00")  # the 11,000 adjustment plus O2 at 10 %
