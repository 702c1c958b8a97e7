"""Pay per activity: SDRs paid per qualified meeting, per demo held, per qualified opportunity.

The optional ``activities`` table logs what sellers did (``activity_id, rep_id,
activity_date, kind, opportunity_id?, qualified?``). A plan's ``activities`` component pays
each qualifying activity of the month (its ``kinds``; only ``qualified`` ones when it says
``qualified: true``; only those naming an opportunity with ``with_opportunity: true``) the
rate of the band its count falls in, in date order (units 1 … ``to`` at the first band's
rate, the next ones at the next band's), then takes back what the month paid above ``cap``.
``target`` units a month is 100 % attainment of the component.

Example: bands 1–8 at 100, then 175; 11 qualified meetings in a month pay
8 × 100 + 3 × 175 = 1,325; with a cap of 1,200 a ``activity_cap`` line of −125 follows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from compass_nb.comp.plans import ActivityPay, Rounding, Spif, UnitBand

ZERO = Decimal(0)


@dataclasses.dataclass(frozen=True)
class Activity:
    """One logged activity, as the engine reads it."""

    activity_id: str
    day: dt.date
    period: str
    kind: str
    opportunity_id: str | None
    qualified: bool | None


def activities_from(frame: pd.DataFrame | None) -> dict[str, list[Activity]]:
    """The ``activities`` table as records per seller, in date then id order."""
    if frame is None or frame.empty:
        return {}
    rows = frame.sort_values(["activity_date", "activity_id"], kind="stable")
    qualified = rows["qualified"] if "qualified" in rows else pd.Series(pd.NA, index=rows.index)
    deal = rows["opportunity_id"] if "opportunity_id" in rows else pd.Series(None, index=rows.index)
    out: dict[str, list[Activity]] = {}
    for r, q, o in zip(rows.itertuples(), qualified, deal, strict=True):
        day = pd.Timestamp(r.activity_date).date()
        out.setdefault(str(r.rep_id), []).append(
            Activity(
                str(r.activity_id),
                day,
                f"{day.year:04d}-{day.month:02d}",
                str(r.kind),
                str(o) if isinstance(o, str) and o else None,
                None if pd.isna(q) else bool(q),
            )
        )
    return out


def qualifies(rule: ActivityPay | Spif, activity: Activity) -> bool:
    """Whether ``activity`` counts for a plan component or an activity SPIF."""
    if rule.kinds is not None and activity.kind not in rule.kinds:
        return False
    if rule.qualified is not None and activity.qualified is not rule.qualified:
        return False
    return not getattr(rule, "with_opportunity", False) or activity.opportunity_id is not None


def unit_rate(n: int, bands: tuple[UnitBand, ...]) -> tuple[Decimal, str]:
    """The rate of the ``n``-th unit of the month (1-based) and its band's label."""
    lower = 1
    for band in bands:
        if band.upper is None or n <= band.upper:
            label = f"{lower}+" if band.upper is None else f"{lower}–{band.upper}"
            return band.per_unit, label
        lower = band.upper + 1
    raise AssertionError("the last band is open-ended")


def _rule_text(activity: Activity) -> str:
    state = {True: "qualified ", False: "unqualified ", None: ""}[activity.qualified]
    return f"{state}{activity.kind} {activity.activity_id} on {activity.day}"


def activity_lines(
    activities: list[Activity], rule: ActivityPay, rounding: Rounding
) -> tuple[list[dict], int]:
    """Lines of one component for one seller and month, and the units it counted.

    Returns one ``activity`` line per qualifying activity (``opportunity_id`` is the deal it
    names, if any; ``band`` the count band; ``rate`` the amount per unit) and, when the month
    pays more than ``cap``, one ``activity_cap`` line taking back the excess.
    """
    counted = [a for a in activities if qualifies(rule, a)]
    lines = []
    for n, activity in enumerate(counted, start=1):
        rate, band = unit_rate(n, rule.bands)
        lines.append(
            {
                "kind": "activity",
                "opportunity_id": activity.opportunity_id,
                "credit": None,
                "band": band,
                "rate": rate,
                "rule": f"{rule.id}: {_rule_text(activity)}, unit {n} at {rate:,} per unit",
                "amount": rounding.apply(rate),
            }
        )
    total = sum((line["amount"] for line in lines), ZERO)
    if rule.cap is not None and total > rule.cap:
        lines.append(
            {
                "kind": "activity_cap",
                "opportunity_id": None,
                "credit": None,
                "band": "",
                "rate": None,
                "rule": f"{rule.id}: cap {rule.cap:,} per month (earned {total:,})",
                "amount": rounding.apply(rule.cap - total),
            }
        )
    return lines, len(counted)


def activity_payout_vector(units: np.ndarray, rule: ActivityPay) -> np.ndarray:
    """A month's pay of the component for arrays of unit counts (floats; the forecast's form)."""
    units = np.asarray(units, dtype=float)
    pay = np.zeros_like(units)
    lower = 0.0
    for band in rule.bands:
        upper = np.inf if band.upper is None else float(band.upper)
        pay += np.clip(units - lower, 0.0, upper - lower) * float(band.per_unit)
        lower = upper
    if rule.cap is not None:
        pay = np.minimum(pay, float(rule.cap))
    return pay
