"""Draws: the four kinds, recovery from later earnings, and the balance identity."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.comp.draws import draw_lines
from compass_nb.comp.plans import Draw


def run(draw, earnings, exit_at=None, window=None):
    balance, out = D(0), []
    for i, earned in enumerate(earnings):
        in_window = window is None or i < window
        lines, balance = draw_lines(
            D(earned), draw, in_window=in_window, exiting=i == exit_at, balance=balance
        )
        out.append(lines)
    return out, balance


def amounts(periods):
    return [[(line["kind"], line["amount"]) for line in lines] for lines in periods]


def test_recoverable_draw_is_recovered_from_earnings_above_the_draw():
    # Draw 1,000: earn 400, 600, 1,200, 1,500 → top up 600, 400; recover 200, then 500 of the 1,000 owed.
    lines, balance = run(Draw(D(1000), recoverable=True, guarantee=False), [400, 600, 1200, 1500])
    assert amounts(lines) == [
        [("draw", D(600))],
        [("draw", D(400))],
        [("draw_recovery", D(-200))],
        [("draw_recovery", D(-500))],
    ]
    assert balance == D(300)


def test_non_recoverable_draw_tops_up_and_is_never_recovered():
    lines, balance = run(Draw(D(1000), recoverable=False, guarantee=True), [400, 1500])
    assert amounts(lines) == [[("draw", D(600))], []]
    assert balance == 0


def test_after_the_window_all_earnings_recover_the_balance():
    lines, balance = run(
        Draw(D(1000), recoverable=True, guarantee=False, periods=1), [0, 300, 900], window=1
    )
    assert amounts(lines) == [
        [("draw", D(1000))],
        [("draw_recovery", D(-300))],
        [("draw_recovery", D(-700))],
    ]
    assert balance == 0


def test_non_guaranteed_draw_is_not_paid_in_the_exit_period_and_its_balance_is_due():
    lines, balance = run(Draw(D(1000), recoverable=True, guarantee=False), [200, 100], exit_at=1)
    assert amounts(lines) == [[("draw", D(800))], [("draw_exit", D(-800))]]
    assert balance == 0


def test_guaranteed_recoverable_draw_is_forgiven_at_exit():
    lines, balance = run(Draw(D(1000), recoverable=True, guarantee=True), [200, 100], exit_at=1)
    assert amounts(lines) == [[("draw", D(800))], [("draw", D(900)), ("draw_forgiven", D(0))]]
    assert balance == 0


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.decimals(min_value=-500, max_value=5000, places=2), min_size=1, max_size=12),
    st.decimals(min_value=0, max_value=3000, places=2),
    st.integers(min_value=1, max_value=12),
)
def test_draws_paid_minus_recovered_equals_the_balance(earnings, amount, window):
    lines, balance = run(
        Draw(amount, recoverable=True, guarantee=False, periods=window), earnings, window=window
    )
    flat = [line for period in lines for line in period]
    paid = sum((x["amount"] for x in flat if x["kind"] == "draw"), D(0))
    recovered = -sum((x["amount"] for x in flat if x["kind"] == "draw_recovery"), D(0))
    assert paid - recovered == balance
    assert balance >= 0
