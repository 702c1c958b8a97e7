"""Draws against commission: the four standard kinds.

In each period of the draw window (the first ``periods`` months from hire, or always),
a seller whose earnings are below the draw amount is paid the difference (a ``draw``
line). Two switches make the four kinds:

* ``recoverable``: the draw paid becomes a balance the seller owes, recovered from later
  earnings above the draw (above zero once the window has ended) until the balance is
  zero (``draw_recovery`` lines); a non-recoverable draw is never recovered.
* ``guarantee``: a guaranteed draw is owed unconditionally: it is paid in the exit period
  too and any balance left when the seller leaves is forgiven (``draw_forgiven``, 0.00);
  a non-guaranteed draw is not paid in the exit period and a balance left at exit is
  recovered in full (``draw_exit``).

So at every point: draws paid − recovered − forgiven = balance.
"""

from __future__ import annotations

from decimal import Decimal

from compass_nb.comp.plans import Draw

ZERO = Decimal(0)


def _line(kind: str, amount: Decimal, rule: str, balance: Decimal) -> dict:
    return {
        "kind": kind,
        "opportunity_id": None,
        "credit": None,
        "band": "",
        "rate": None,
        "rule": f"{rule}; balance after {balance:,.2f}",
        "amount": amount,
        "draw_balance": balance,
    }


def draw_lines(earned: Decimal, draw: Draw, *, in_window: bool, exiting: bool, balance: Decimal):
    """The draw lines of one period and the balance after them.

    Parameters
    ----------
    earned
        The seller's net earnings of the period before draws (commission, SPIFs,
        clawbacks, adjustments).
    draw
        The plan's draw.
    in_window
        Whether the period is inside the draw window.
    exiting
        Whether the seller leaves in this period.
    balance
        The recoverable balance owed before this period.

    Returns
    -------
    tuple
        ``(lines, balance_after)``.
    """
    lines: list[dict] = []
    floor = draw.amount if in_window else ZERO
    top_up = max(ZERO, floor - earned) if in_window and (draw.guarantee or not exiting) else ZERO
    if top_up > 0:
        if draw.recoverable:
            balance += top_up
        kind = "recoverable" if draw.recoverable else "non-recoverable"
        lines.append(
            _line(
                "draw",
                top_up,
                f"{kind} draw tops earnings {earned:,.2f} up to {floor:,.2f}",
                balance,
            )
        )
    elif balance > 0:
        recovered = min(balance, max(ZERO, earned - floor))
        if recovered > 0:
            balance -= recovered
            lines.append(
                _line(
                    "draw_recovery",
                    -recovered,
                    f"recovered from earnings above {floor:,.2f}",
                    balance,
                )
            )
    if exiting and balance > 0:
        if draw.guarantee:
            lines.append(
                _line(
                    "draw_forgiven",
                    ZERO,
                    f"guaranteed draw: balance {balance:,.2f} forgiven at exit",
                    ZERO,
                )
            )
        else:
            lines.append(_line("draw_exit", -balance, "draw balance recovered at exit", ZERO))
        balance = ZERO
    return lines, balance


def in_draw_window(draw: Draw, month_number: int) -> bool:
    """Whether the seller's ``month_number`` (1 = hire month) is inside the draw window."""
    return draw.periods is None or 1 <= month_number <= draw.periods
