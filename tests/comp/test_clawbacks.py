"""Clawbacks: early exit and cancellation within the window."""

from decimal import Decimal as D

import pandas as pd

from compass_nb.comp.clawbacks import cancellation_lines, early_exit_line
from compass_nb.comp.measures import deals_from
from compass_nb.comp.plans import Clawback, EarlyExit, Rounding

DEALS = deals_from(
    pd.DataFrame(
        {
            "opportunity_id": ["A", "B", "C"],
            "close_date": pd.to_datetime(["2026-08-10", "2026-09-20", "2026-03-01"]),
            "period": ["2026-08", "2026-09", "2026-03"],
            "credit": [60000.0, 40000.0, 25000.0],
            "type": "new",
            "segment": "SMB",
            "cancelled_date": pd.to_datetime(["2026-10-05", None, "2026-10-06"]),
        }
    )
)
PAID = {"A": D("6000.00"), "B": D("4000.00"), "C": D("2500.00")}


def test_early_exit_claws_back_half_of_recent_earnings_in_the_exit_period():
    rule = Clawback(early_exit=EarlyExit(days=90, pct=D("0.5")))
    (line,) = early_exit_line(DEALS, PAID, rule, "2026-10-15", Rounding())
    assert line["kind"] == "clawback_exit"
    assert line["amount"] == D("-5000.00")  # A and B (10,000) closed within 90 days; C did not


def test_early_exit_does_not_count_a_deal_already_clawed_back():
    rule = Clawback(early_exit=EarlyExit(days=90, pct=D("0.5")))
    (line,) = early_exit_line(DEALS, PAID, rule, "2026-10-15", Rounding(), clawed={"A"})
    assert line["amount"] == D("-2000.00")


def test_cancellation_inside_the_window_claws_back_what_the_deal_paid():
    lines = cancellation_lines(DEALS, PAID, Clawback(cancellation_days=90), "2026-10")
    assert [(x["opportunity_id"], x["amount"]) for x in lines] == [
        ("A", D("-6000.00"))
    ]  # C: 219 days, outside


def test_cancellation_in_another_period_is_not_clawed_back_now():
    assert cancellation_lines(DEALS, PAID, Clawback(cancellation_days=90), "2026-09") == []
