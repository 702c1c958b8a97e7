"""Measures (weighted components of variable pay) and SPIFs.

A measure counts the seller's credited deals of its ``types`` (all types when omitted);
its quota is ``quota × quota_share`` (default: its weight) and its target incentive is
``target incentive × weight``. A SPIF pays ``per_deal`` and/or ``rate × credit`` on each
credited deal closed within its dates (both inclusive) that matches its types and
segments; SPIFs sit outside gates and caps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from compass_nb.comp.plans import Measure, Rounding, Spif


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


def spif_lines(deals: list[Deal], spifs: tuple[Spif, ...], rounding: Rounding) -> list[dict]:
    """One line per SPIF and qualifying deal."""
    lines = []
    for spif in spifs:
        for deal in deals:
            if not _in_spif(spif, deal):
                continue
            amount = rounding.apply(spif.per_deal + spif.rate * deal.credit)
            rule = f"SPIF {spif.id}: {spif.start} to {spif.end}"
            lines.append(
                {
                    "kind": "spif",
                    "opportunity_id": deal.opportunity_id,
                    "credit": deal.credit,
                    "band": spif.id,
                    "rate": spif.rate,
                    "rule": rule,
                    "amount": amount,
                }
            )
    return lines
