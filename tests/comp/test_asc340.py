"""ASC 340-40: capitalised commissions amortised over the customer life, impaired on cancellation."""

from decimal import Decimal as D

import pandas as pd

from compass_nb.comp import asc340
from compass_nb.comp.engine import compute_payouts
from compass_nb.crediting import credited_bookings

from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame


def _lines(rows):
    return pd.DataFrame(
        rows, columns=["rep_id", "period", "kind", "opportunity_id", "credit", "amount"]
    )


def test_worked_example_amortised_then_impaired_net_of_the_recovery():
    lines = _lines(
        [
            ("r1", "2026-01", "commission", "O1", D(36000), D("3600.00")),
            ("r1", "2026-04", "clawback_cancel", "O1", None, D("-1800.00")),  # a 50 % recovery
        ]
    )
    credits = pd.DataFrame(
        {"opportunity_id": ["O1"], "type": ["new"], "cancelled_date": [pd.Timestamp("2026-04-10")]}
    )
    table = asc340.schedule(lines, credits, through="2026-06", life_months=36, types=("new",))
    assert table["period"].tolist() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert table["amortisation"].tolist() == [D(100), D(100), D(100), D(0)]
    assert table["balance"].tolist() == [D(3500), D(3400), D(3300), D(0)]
    last = table.iloc[-1]
    assert last["recovered"] == D(1800) and last["impairment"] == D(1500)  # 3,300 − 1,800


def test_amortisation_adds_up_to_the_capitalised_amount_to_the_cent():
    parts = asc340.amortisation(D("1000.00"), 36)
    assert sum(parts) == D("1000.00") and parts[0] == D("27.78") and parts[-1] == D("27.70")


def test_a_true_up_is_a_layer_of_its_own_and_renewals_are_expensed():
    lines = _lines(
        [
            ("r1", "2026-01", "commission", "O1", D(1), D("1200.00")),
            ("r1", "2026-03", "commission", "O1", D(1), D("600.00")),  # the quarter's true-up
            ("r1", "2026-01", "commission", "O2", D(1), D("999.00")),  # a renewal
            ("r1", "2026-01", "draw", None, None, D("500.00")),  # not tied to a deal
        ]
    )
    credits = pd.DataFrame(
        {"opportunity_id": ["O1", "O2"], "type": ["new", "renewal"], "cancelled_date": pd.NaT}
    )
    table = asc340.schedule(lines, credits, through="2026-03", life_months=12, types=("new",))
    assert set(table["opportunity_id"]) == {"O1"}
    assert table["amortisation"].tolist() == [D(100), D(100), D(150)]  # 1,200/12, then + 600/12
    journal = asc340.journal(table)
    assert journal["balance"].iloc[-1] == D(1800) - D(350)


def test_the_engines_full_clawback_derecognises_the_asset_and_reverses_past_amortisation():
    plan = plan_from(FLAT_10, clawback={"cancellation_days": 120})
    reps = reps_frame(("r1", "flat", "2020-01-01", None, 120000))
    quotas = pd.DataFrame(
        {"rep_id": "r1", "period": [f"2026-{m:02d}" for m in range(1, 5)], "quota": 1.0}
    )
    deals = opportunities_frame(("O1", "r1", "2026-01-15", 36000, "new", "2026-04-10"))
    result = compute_payouts(
        {"flat": plan},
        reps,
        quotas,
        credited_bookings(deals, NO_SPLITS),
        start="2026-01",
        end="2026-04",
    )
    table = asc340.schedule(
        result.lines, result.credits, through="2026-04", life_months=36, types=("new",)
    )
    last = table.iloc[-1]
    assert table["capitalised"].iloc[0] == D(3600)
    assert last["recovered"] == D(3600) and last["impairment"] == D(-300)  # 3,300 − 3,600
    summary = asc340.deal_summary(table).iloc[0]
    assert summary["balance"] == 0
    # expense over the deal's life: amortisation + impairment = capitalised − recovered = 0
    assert summary["amortisation"] + summary["impairment"] == D(0)
