"""Measures (weighted components of variable pay) and SPIFs.

A measure counts the seller's credited deals of its ``types`` (all types when omitted);
its quota is ``quota × quota_share`` (default: its weight) and its target incentive is
``target incentive × weight``.

A SPIF pays, within its dates (both inclusive), a fixed amount per qualifying unit: with
``per: deal`` (the default) ``per_deal`` and/or ``rate × credit`` on each credited deal
closed that matches its types and segments; with ``per: activity`` ``per_unit`` on each
logged activity of its kinds (only qualified ones with ``qualified: true``). ``cap`` is the
most one seller earns from the SPIF over its whole window: the line that crosses it is paid
what is left, later ones 0, each saying so. SPIFs sit outside gates and measure caps.
A SPIF awarded outside the plan files (a sales contest's payout) is paid by
:func:`award_lines` as a SPIF line naming its source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from compass_nb.comp.activities import Activity, qualifies
from compass_nb.comp.plans import Measure, Rounding, Spif

ZERO = Decimal(0)


def credit_amount(value) -> Decimal:
    """A credit as an exact Decimal, half-up to the cent (the unit payouts are computed on)."""
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclasses.dataclass(frozen=True)
class Deal:
    """One credited deal of one seller, as the engine reads it."""

    opportunity_id: str
    close_date: dt.date
    period: str
    credit: Decimal
    type: str
    segment: str | None
    cancelled_date: dt.date | None


def _day(value) -> dt.date | None:
    return pd.Timestamp(value).date() if pd.notna(value) else None


def deals_from(credits: pd.DataFrame) -> list[Deal]:
    """Credit rows (:func:`compass_nb.crediting.credited_bookings`) as deals in crediting order:
    close date, then opportunity id. A missing type counts as ``new``."""
    rows = credits.sort_values(["close_date", "opportunity_id"], kind="stable")
    return [
        Deal(
            str(r.opportunity_id),
            _day(r.close_date),
            str(r.period),
            credit_amount(r.credit),
            r.type if isinstance(r.type, str) else "new",
            r.segment if isinstance(r.segment, str) else None,
            _day(r.cancelled_date),
        )
        for r in rows.itertuples()
    ]


def counts(measure: Measure | Spif, deal_type: str) -> bool:
    """Whether a deal of ``deal_type`` counts for ``measure`` (or SPIF)."""
    return measure.types is None or deal_type in measure.types


def measure_deals(deals: list[Deal], measure: Measure) -> list[tuple[str, Decimal]]:
    """``(opportunity_id, credit)`` of the deals ``measure`` counts, in crediting order."""
    return [(d.opportunity_id, d.credit) for d in deals if counts(measure, d.type)]


def measure_targets(
    quota: Decimal, target_incentive: Decimal, measure: Measure
) -> tuple[Decimal, Decimal]:
    """The measure's quota and target incentive from the seller's period totals."""
    return quota * measure.share, target_incentive * measure.weight


def _in_spif(spif: Spif, deal: Deal) -> bool:
    segment_ok = spif.segments is None or deal.segment in spif.segments
    return spif.start <= deal.close_date <= spif.end and counts(spif, deal.type) and segment_ok


def _units(spif: Spif, deals: list[Deal], activities: list[Activity]) -> list[tuple]:
    """``(opportunity_id, credit, earned, what)`` of each unit the SPIF pays this month."""
    if spif.per == "deal":
        return [
            (d.opportunity_id, d.credit, spif.per_deal + spif.rate * d.credit, "deal")
            for d in deals
            if _in_spif(spif, d)
        ]
    return [
        (a.opportunity_id, None, spif.per_unit, f"{a.kind} {a.activity_id} on {a.day}")
        for a in activities
        if spif.start <= a.day <= spif.end and qualifies(spif, a)
    ]


def spif_lines(
    deals: list[Deal],
    spifs: tuple[Spif, ...],
    rounding: Rounding,
    *,
    activities: list[Activity] | None = None,
    paid: dict[str, Decimal] | None = None,
) -> list[dict]:
    """One line per SPIF and qualifying deal or activity of the month.

    ``paid`` holds what each SPIF already paid the seller in its window (updated here), so
    that ``cap`` holds across months.
    """
    paid = paid if paid is not None else {}
    lines = []
    for spif in spifs:
        for deal, credit, earned, what in _units(spif, deals, activities or []):
            amount = rounding.apply(earned)
            rule = f"SPIF {spif.id}: {spif.start} to {spif.end}"
            rule += "" if spif.per == "deal" else f", {what}"
            if spif.cap is not None:
                left = max(spif.cap - paid.get(spif.id, ZERO), ZERO)
                if amount > left:
                    rule += f"; cap {spif.cap:,} per seller reached (earned {amount:,})"
                    amount = left
            paid[spif.id] = paid.get(spif.id, ZERO) + amount
            lines.append(
                {
                    "kind": "spif",
                    "opportunity_id": deal,
                    "credit": credit,
                    "band": spif.id,
                    "rate": spif.rate if spif.per == "deal" else spif.per_unit,
                    "rule": rule,
                    "amount": amount,
                }
            )
    return lines


def award_lines(
    awards: pd.DataFrame | None, rep_id: str, period: str, rounding: Rounding
) -> list[dict]:
    """SPIF lines of the awards (``spif_awards``: a sales contest's payouts) paid to ``rep_id``
    in ``period``; each names its SPIF, its source and its rule."""
    if awards is None or awards.empty:
        return []
    rows = awards.loc[(awards["rep_id"].astype(str) == rep_id) & (awards["pay_period"] == period)]
    return [
        {
            "kind": "spif",
            "opportunity_id": None,
            "credit": None,
            "band": str(row.spif_id),
            "rate": None,
            "rule": f"{row.source}: {row.rule}",
            "amount": rounding.apply(Decimal(str(row.amount))),
        }
        for row in rows.itertuples()
    ]
