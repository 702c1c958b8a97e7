"""Measures (weighted components of variable pay) and SPIFs.

A measure counts the seller's credited deals of its ``types`` (all types when omitted);
its quota is ``quota × quota_share`` (default: its weight) and its target incentive is
``target incentive × weight``. A SPIF pays ``per_deal`` and/or ``rate × credit`` on each
credited deal closed within its dates (both inclusive) that matches its types and
segments; SPIFs sit outside gates and caps.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from compass_nb.comp.plans import Measure, Rounding, Spif


def credit_amount(value) -> Decimal:
    """A credit as an exact Decimal, half-up to the cent (the unit payouts are computed on)."""
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def counts(measure: Measure | Spif, deal_type) -> bool:
    """Whether a deal of ``deal_type`` counts for ``measure`` (a missing type counts as ``new``)."""
    kind = deal_type if isinstance(deal_type, str) else "new"
    return measure.types is None or kind in measure.types


def measure_deals(credits: pd.DataFrame, measure: Measure) -> list[tuple[str, Decimal]]:
    """``(opportunity_id, credit)`` of the deals ``measure`` counts, in close-date order."""
    rows = credits.loc[[counts(measure, t) for t in credits["type"]]]
    rows = rows.sort_values(["close_date", "opportunity_id"], kind="stable")
    return [(str(o), credit_amount(c)) for o, c in zip(rows["opportunity_id"], rows["credit"], strict=True)]


def measure_targets(quota: Decimal, target_incentive: Decimal, measure: Measure) -> tuple[Decimal, Decimal]:
    """The measure's quota and target incentive from the seller's period totals."""
    return quota * measure.share, target_incentive * measure.weight


def _in_spif(spif: Spif, row) -> bool:
    day = pd.Timestamp(row.close_date).date()
    segment_ok = spif.segments is None or row.segment in spif.segments
    return spif.start <= day <= spif.end and counts(spif, row.type) and segment_ok


def spif_lines(credits: pd.DataFrame, spifs: tuple[Spif, ...], rounding: Rounding) -> list[dict]:
    """One line per SPIF and qualifying deal."""
    lines = []
    for spif in spifs:
        for row in credits.sort_values(["close_date", "opportunity_id"]).itertuples():
            if not _in_spif(spif, row):
                continue
            credit = credit_amount(row.credit)
            amount = rounding.apply(spif.per_deal + spif.rate * credit)
            rule = f"SPIF {spif.id}: {spif.start} to {spif.end}"
            lines.append({"kind": "spif", "opportunity_id": str(row.opportunity_id), "credit": credit,
                          "band": spif.id, "rate": spif.rate, "rule": rule, "amount": amount})
    return lines
