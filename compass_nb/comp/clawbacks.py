"""Clawbacks: a negative line in the period the clawback applies.

* **Cancellation**: a paid deal cancelled within ``cancellation_days`` of its close date
  (``opportunities.cancelled_date``) takes back everything that deal paid (its
  commission, per-deal cap and SPIF lines) in the period of the cancellation.
* **Early exit**: when a seller leaves, ``pct`` of what the deals closed in the ``days``
  before the exit date paid is taken back in the exit period (deals already clawed back
  on cancellation are not counted twice).

Gate and hard-cap lines are period-level and are not re-allocated to deals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from compass_nb.comp.measures import Deal
from compass_nb.comp.plans import Clawback, Rounding

ZERO = Decimal(0)


def _line(kind, amount, deal, rule):
    return {
        "kind": kind,
        "opportunity_id": deal,
        "credit": None,
        "band": "",
        "rate": None,
        "rule": rule,
        "amount": amount,
    }


def cancellation_lines(
    deals: list[Deal], paid: dict[str, Decimal], rule: Clawback, period: str
) -> list[dict]:
    """Clawback lines for the seller's deals cancelled in ``period``.

    Parameters
    ----------
    deals
        The seller's credited deals (:func:`compass_nb.comp.measures.deals_from`).
    paid
        What each deal has paid the seller so far, by opportunity id.
    rule
        The plan's clawback rule.
    period
        The period being computed (``YYYY-MM``).
    """
    if rule.cancellation_days is None:
        return []
    lines = []
    for deal in deals:
        when = deal.cancelled_date
        if when is None or f"{when.year:04d}-{when.month:02d}" != period:
            continue
        days = (when - deal.close_date).days
        amount = paid.get(deal.opportunity_id, ZERO)
        if days <= rule.cancellation_days and amount != 0:
            lines.append(
                _line(
                    "clawback_cancel",
                    -amount,
                    deal.opportunity_id,
                    f"cancelled {days} days after close (window {rule.cancellation_days} days)",
                )
            )
    return lines


def early_exit_line(
    deals: list[Deal],
    paid: dict[str, Decimal],
    rule: Clawback,
    termination_date,
    rounding: Rounding,
    clawed: set[str] = frozenset(),
) -> list[dict]:
    """The early-exit clawback line of a leaver, in the exit period (empty when none applies).

    Examples
    --------
    Earned 10,000 on deals closed within the window and a 50 % clawback → −5,000.00.
    """
    exit_rule = rule.early_exit
    if exit_rule is None or pd.isna(termination_date):
        return []
    end = pd.Timestamp(termination_date).date()
    start = end - dt.timedelta(days=exit_rule.days)
    recent = {d.opportunity_id for d in deals if start < d.close_date <= end}
    earned = sum((paid.get(deal, ZERO) for deal in recent - set(clawed)), ZERO)
    if earned <= 0:
        return []
    amount = rounding.apply(-earned * exit_rule.pct)
    rule_text = (
        f"early exit: {exit_rule.pct * 100:g} % of {earned:,.2f} paid on deals closed in the "
        f"{exit_rule.days} days before exit"
    )
    return [_line("clawback_exit", amount, None, rule_text)]
