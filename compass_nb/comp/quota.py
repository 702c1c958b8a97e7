"""Quotas and target incentives per seller and period: proration and ramps.

* **Proration**: a seller hired or leaving within a month carries the quota and target
  incentive of the days employed: ``days employed ÷ days in the month`` (hire and exit
  days both count as employed).
* **Ramp**: a new hire's quota in their n-th month (the hire month is month 1) is
  ``ramp[n-1]`` × quota; after the ramp, the full quota. The target incentive is not
  ramped, so a ramping seller reaches 100 % of target on a lower quota. Use it when the
  ``quotas`` table holds full (unramped) quotas.
* **Target incentive** per month is ``ote × variable share ÷ 12``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import pandas as pd

from compass_nb.comp.plans import QuotaRule


def _to_decimal(value) -> Decimal:
    return Decimal(str(value)) if pd.notna(value) else Decimal(0)


def active_fraction(period: str, hire_date, termination_date=None) -> Decimal:
    """Share of ``period``'s days on which the seller was employed (0 to 1).

    Examples
    --------
    Hired on 16 November (30 days): 15 days employed → 0.5.

    >>> active_fraction("2026-11", "2026-11-16")
    Decimal('0.5')
    """
    start, end = month_bounds(period)
    first = max(start, pd.Timestamp(hire_date).date()) if pd.notna(hire_date) else start
    last = min(end, pd.Timestamp(termination_date).date()) if pd.notna(termination_date) else end
    days = (last - first).days + 1
    if days <= 0:
        return Decimal(0)
    return Decimal(days) / Decimal(end.day)


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``period`` (``YYYY-MM``)."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def months_since_hire(period: str, hire_date) -> int:
    """The seller's month number in ``period``: 1 in the hire month, 2 the month after, …"""
    if pd.isna(hire_date):
        return 10**6
    hired = pd.Timestamp(hire_date)
    return (int(period[:4]) - hired.year) * 12 + int(period[5:7]) - hired.month + 1


def ramp_factor(period: str, hire_date, ramp: tuple[Decimal, ...]) -> Decimal:
    """The ramp's share of full quota in ``period`` (1 after the ramp or without one)."""
    n = months_since_hire(period, hire_date)
    return ramp[n - 1] if 1 <= n <= len(ramp) else Decimal(1)


def period_quota(
    full_quota: Decimal, period: str, hire_date, termination_date, rule: QuotaRule
) -> Decimal:
    """A seller's quota for ``period`` after proration (if the plan prorates) and ramp."""
    share = active_fraction(period, hire_date, termination_date) if rule.prorate else Decimal(1)
    return full_quota * share * ramp_factor(period, hire_date, rule.ramp)


def period_target_incentive(
    ote, variable_share: Decimal, period: str, hire_date, termination_date, rule: QuotaRule
) -> Decimal:
    """Target incentive for ``period``: OTE × variable share ÷ 12, prorated like the quota."""
    share = active_fraction(period, hire_date, termination_date) if rule.prorate else Decimal(1)
    return _to_decimal(ote) * variable_share / 12 * share


def quota_lookup(quotas: pd.DataFrame) -> dict[tuple[str, str], Decimal]:
    """``(rep_id, period) → quota`` from the ``quotas`` table (summed if listed twice)."""
    if quotas.empty:
        return {}
    grouped = quotas.groupby(["rep_id", "period"])["quota"].sum()
    return {(str(rep), str(period)): _to_decimal(q) for (rep, period), q in grouped.items()}
