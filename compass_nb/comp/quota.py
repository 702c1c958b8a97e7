"""Quotas and target incentives per seller and period: proration and ramps.

* **Proration**: a seller hired or leaving within a month carries the quota and target
  incentive of the days employed: ``days employed ÷ days in the month`` (hire and exit
  days both count as employed).
* **Ramp**: a new hire's quota in their n-th month (the hire month is month 1) is
  ``ramp[n-1]`` × quota; after the ramp, the full quota. The target incentive is not
  ramped, so a ramping seller reaches 100 % of target on a lower quota. Use it when the
  ``quotas`` table holds full (unramped) quotas.
* **Seasonality**: with 12 monthly or 4 quarterly ``seasonality`` weights (from the first
  month of the fiscal year), the seller's annual quota — the sum of their ``quotas`` rows in
  the fiscal year, whether one annual row or twelve monthly ones — is spread over the months
  by the weights (a quarter's weight split evenly over its three months), before proration
  and ramp. Annual 1,200,000 with ``[0.2, 0.25, 0.25, 0.3]``: 80,000 a month in Q1,
  100,000 in Q2 and Q3, 120,000 in Q4.
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


def fiscal_year_months(period: str, fiscal_year_start: int = 1) -> list[str]:
    """The twelve months of the fiscal year holding ``period``, in order."""
    month = pd.Period(period, "M")
    first = month - (month.month - fiscal_year_start) % 12
    return [str(first + i) for i in range(12)]


def season_weight(period: str, weights: tuple[Decimal, ...], fiscal_year_start: int = 1) -> Decimal:
    """The share of the annual quota that falls in ``period`` (12 monthly weights, or 4
    quarterly ones split evenly over each quarter's months)."""
    index = fiscal_year_months(period, fiscal_year_start).index(period)
    if len(weights) == 12:
        return weights[index]
    return weights[index // 3] / 3


def seasonal_quota(
    lookup: dict[tuple[str, str], Decimal],
    rep_id: str,
    period: str,
    weights: tuple[Decimal, ...],
    fiscal_year_start: int = 1,
) -> Decimal:
    """A seller's full quota for ``period``: their annual quota × the period's weight.

    Examples
    --------
    >>> q = {("r1", "2026-01"): Decimal(1200000)}
    >>> seasonal_quota(q, "r1", "2026-11", (Decimal("0.2"), Decimal("0.25"), Decimal("0.25"), Decimal("0.3")))
    Decimal('120000.0')
    """
    months = fiscal_year_months(period, fiscal_year_start)
    annual = sum((lookup.get((rep_id, m), Decimal(0)) for m in months), Decimal(0))
    return annual * season_weight(period, weights, fiscal_year_start)
