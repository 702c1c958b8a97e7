"""Rate rules: flat, tiered (marginal or retroactive), pay curves, gates and caps.

Two forms of the same rules:

* the exact form (:func:`measure_lines`) turns a seller's deals in one period into payout
  lines, one per deal and band, in :class:`decimal.Decimal`, each rounded as the plan says
  (default half-up to the cent, per line); totals are sums of rounded lines;
* the vector form (:func:`measure_payout_vector`) computes the same period payout for
  many sellers or simulations at once in floating point (no per-deal cap, no rounding),
  for plan modelling and Monte-Carlo budgets.

Band edges: a band's ``to`` is its upper edge. With ``edges: lower`` (the default) a band
holds its lower edge and not its upper one, so an attainment of exactly 100 % falls in
the band that starts at 100 %; with ``edges: upper`` a band holds its upper edge. Edges
decide which band is *reached* (retroactive rates, trace labels); marginal amounts do not
depend on them. A gate is passed at exactly its attainment (pay is reduced strictly below).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np

from compass_nb.comp.plans import Band, Measure, Rates, Rounding, SoftCap

ZERO = Decimal(0)
CENT = Rounding()  # half-up to the cent


@dataclasses.dataclass(frozen=True)
class Segment:
    """Credit between ``lower`` and ``upper`` (currency; ``None`` = no end) pays ``rate``."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    label: str


def band_rate(band: Band | SoftCap, bcr: Decimal) -> Decimal:
    """A band's rate: its ``rate``, or its ``multiplier`` × the base commission rate."""
    return band.rate if band.rate is not None else band.multiplier * bcr


def _scale(rates: Rates, quota: Decimal) -> Decimal:
    return quota if rates.basis == "attainment" else Decimal(1)


def _edge_label(value: Decimal | None, rates: Rates) -> str:
    if value is None:
        return "∞"
    return f"{float(value) * 100:g} %" if rates.basis == "attainment" else f"{float(value):,.2f}"


def schedule(rates: Rates, quota: Decimal, bcr: Decimal) -> list[Segment]:
    """The bands of ``rates`` as currency segments for a seller with ``quota``."""
    scale, lower, out = _scale(rates, quota), ZERO, []
    for band in rates.bands:
        upper = None if band.upper is None else band.upper * scale
        label = f"{_edge_label(lower / scale if scale else ZERO, rates)}–{_edge_label(band.upper, rates)}"
        out.append(Segment(lower, upper, band_rate(band, bcr), label))
        lower = upper if upper is not None else lower
    return out


def band_index(value: Decimal, segments: list[Segment], edges: str = "lower") -> int:
    """Index of the band that holds ``value`` under the stated edge rule."""
    for i, seg in enumerate(segments):
        if seg.upper is None:
            return i
        if (value < seg.upper) if edges == "lower" else (value <= seg.upper):
            return i
    return len(segments) - 1


def marginal(sales: Decimal, segments: list[Segment]) -> Decimal:
    """Each band's rate on the sales inside the band (unrounded)."""
    return sum((overlap * seg.rate for seg, overlap in _overlaps(ZERO, sales, segments)), ZERO)


def retroactive(sales: Decimal, segments: list[Segment], edges: str = "lower") -> Decimal:
    """The rate of the band reached, on all sales (unrounded)."""
    return sales * segments[band_index(sales, segments, edges)].rate


def curve_fraction(attainment: Decimal, points: tuple[tuple[Decimal, Decimal], ...]) -> Decimal:
    """Payout as a fraction of target incentive: linear between points, flat beyond the ends."""
    if attainment <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if attainment <= x1:
            return y0 + (y1 - y0) * (attainment - x0) / (x1 - x0)
    return points[-1][1]


def _overlaps(start: Decimal, end: Decimal, segments: list[Segment]):
    for seg in segments:
        top = end if seg.upper is None else min(end, seg.upper)
        overlap = top - max(start, seg.lower)
        if overlap > 0:
            yield seg, overlap


def _split_at(threshold: Decimal | None, start: Decimal, end: Decimal):
    """Parts of the credit range [start, end) below and above ``threshold``."""
    if threshold is None or end <= threshold:
        return [(start, end, False)]
    if start >= threshold:
        return [(start, end, True)]
    return [(start, threshold, False), (threshold, end, True)]


def _line(kind, amount, rounding, *, deal=None, credit=None, band="", rate=None, rule=""):
    return {
        "kind": kind,
        "opportunity_id": deal,
        "credit": credit,
        "band": band,
        "rate": rate,
        "rule": rule,
        "amount": rounding.apply(amount),
    }


def _rate_lines(
    deals, measure: Measure, quota: Decimal, bcr: Decimal, rounding: Rounding
) -> list[dict]:
    """One line per deal and band for flat, marginal and retroactive rates."""
    rates, soft = measure.rates, measure.soft_cap
    segments = schedule(rates, quota, bcr)
    threshold = None if soft is None else soft.attainment * quota
    total = sum((credit for _, credit in deals), ZERO)
    reached = segments[
        band_index(min(total, threshold) if threshold is not None else total, segments, rates.edges)
    ]
    lines, cumulative = [], ZERO
    for deal, credit in deals:
        start, end = cumulative, cumulative + credit
        cumulative = end
        for lo, hi, above in _split_at(threshold, start, end):
            if above:
                rate = band_rate(soft, bcr)
                lines.append(
                    _line(
                        "commission",
                        (hi - lo) * rate,
                        rounding,
                        deal=deal,
                        credit=hi - lo,
                        band=f"above soft cap {soft.attainment * 100:g} %",
                        rate=rate,
                        rule="soft cap: lower rate above the cap",
                    )
                )
            elif rates.method == "marginal":
                for seg, overlap in _overlaps(lo, hi, segments):
                    lines.append(
                        _line(
                            "commission",
                            overlap * seg.rate,
                            rounding,
                            deal=deal,
                            credit=overlap,
                            band=seg.label,
                            rate=seg.rate,
                            rule="marginal: band rate on the credit inside the band",
                        )
                    )
            else:
                rule = (
                    "flat rate"
                    if rates.method == "flat"
                    else "retroactive: rate of the band reached, on all credit"
                )
                lines.append(
                    _line(
                        "commission",
                        (hi - lo) * reached.rate,
                        rounding,
                        deal=deal,
                        credit=hi - lo,
                        band=reached.label if rates.method != "flat" else "flat",
                        rate=reached.rate,
                        rule=rule,
                    )
                )
    return lines


def _curve_lines(
    deals, measure: Measure, quota: Decimal, ti: Decimal, rounding: Rounding
) -> list[dict]:
    """One line per deal: the curve's payout shared by the deals in proportion to credit."""
    total = sum((credit for _, credit in deals), ZERO)
    if total <= 0 or quota <= 0:
        return []
    attainment = total / quota
    fraction = curve_fraction(attainment, measure.rates.points)
    payout = ti * fraction
    rule = f"pay curve: {attainment * 100:.1f} % attainment pays {fraction * 100:.2f} % of target incentive"
    return [
        _line(
            "commission",
            payout * credit / total,
            rounding,
            deal=deal,
            credit=credit,
            band="curve",
            rate=payout / total,
            rule=rule,
        )
        for deal, credit in deals
    ]


def _deal_cap_lines(lines: list[dict], cap: Decimal, rounding: Rounding) -> list[dict]:
    by_deal: dict = {}
    for line in lines:
        by_deal[line["opportunity_id"]] = by_deal.get(line["opportunity_id"], ZERO) + line["amount"]
    return [
        _line(
            "deal_cap",
            cap - paid,
            rounding,
            deal=deal,
            rule=f"per-deal cap {cap:,}: the deal paid {paid:,}",
        )
        for deal, paid in by_deal.items()
        if paid > cap
    ]


def measure_lines(
    deals: list[tuple[str, Decimal]],
    measure: Measure,
    *,
    quota: Decimal,
    target_incentive: Decimal,
    rounding: Rounding = CENT,
) -> list[dict]:
    """Payout lines of one measure for one seller and period.

    Parameters
    ----------
    deals
        ``(opportunity_id, credit)`` in crediting order (close date, then id).
    measure
        The plan measure (its rates, gate, caps).
    quota, target_incentive
        The measure's quota and target incentive for the period (already weighted,
        prorated and ramped).
    rounding
        Applied to each line.

    Returns
    -------
    list of dict
        Lines with ``kind`` (``commission``, ``deal_cap``, ``gate``, ``cap``),
        ``opportunity_id``, ``credit``, ``band``, ``rate``, ``rule`` and ``amount``
        (a rounded Decimal). Rules apply in this order: rates (with the soft cap), the
        per-deal cap, the gate, the hard cap.
    """
    bcr = target_incentive / quota if quota > 0 else ZERO
    if measure.rates.basis == "attainment" and quota <= 0 and measure.rates.method != "flat":
        return []
    if measure.rates.method == "curve":
        lines = _curve_lines(deals, measure, quota, target_incentive, rounding)
    else:
        lines = _rate_lines(deals, measure, quota, bcr, rounding)
    if measure.deal_cap is not None:
        lines += _deal_cap_lines(lines, measure.deal_cap, rounding)
    subtotal = sum((line["amount"] for line in lines), ZERO)
    credit = sum((c for _, c in deals), ZERO)
    attainment = credit / quota if quota > 0 else ZERO
    gate = measure.gate
    if gate is not None and attainment < gate.attainment and subtotal != 0:
        lines.append(
            _line(
                "gate",
                -(1 - gate.pay) * subtotal,
                rounding,
                rule=f"gate: attainment {attainment * 100:.1f} % is below {gate.attainment * 100:g} %, "
                f"pays {gate.pay * 100:g} %",
            )
        )
        subtotal = sum((line["amount"] for line in lines), ZERO)
    cap = cap_amount(measure, target_incentive)
    if cap is not None and subtotal > cap:
        lines.append(_line("cap", cap - subtotal, rounding, rule=f"hard cap {cap:,} per period"))
    return lines


def cap_amount(measure: Measure, target_incentive: Decimal) -> Decimal | None:
    """The measure's hard cap for the period in currency, or ``None``."""
    if measure.cap is None:
        return None
    if measure.cap.amount is not None:
        return measure.cap.amount
    return measure.cap.ti_multiple * target_incentive


# --- vector form ---------------------------------------------------------------------


def _f(value) -> float:
    return float(value) if value is not None else np.inf


def measure_payout_vector(
    credit: np.ndarray, measure: Measure, *, quota: np.ndarray, target_incentive: np.ndarray
) -> np.ndarray:
    """Period payout of one measure for arrays of sellers (floats; no per-deal cap, no rounding)."""
    credit, quota, ti = (np.asarray(a, dtype=float) for a in (credit, quota, target_incentive))
    rates, soft = measure.rates, measure.soft_cap
    with np.errstate(divide="ignore", invalid="ignore"):
        bcr = np.where(quota > 0, ti / quota, 0.0)
        attainment = np.where(quota > 0, credit / quota, 0.0)
    if rates.method == "curve":
        xs = [float(x) for x, _ in rates.points]
        ys = [float(y) for _, y in rates.points]
        pay = ti * np.interp(attainment, xs, ys)
        pay = np.where(quota > 0, pay, 0.0)
    else:
        scale = quota if rates.basis == "attainment" else np.ones_like(quota)
        threshold = soft_threshold = np.full_like(credit, np.inf)
        if soft is not None:
            soft_threshold = float(soft.attainment) * quota
            threshold = soft_threshold
        below = np.minimum(credit, threshold)
        pay = _vector_rates(below, rates, scale, bcr)
        if soft is not None:
            soft_rate = float(soft.rate) if soft.rate is not None else float(soft.multiplier) * bcr
            pay = pay + np.maximum(credit - soft_threshold, 0.0) * soft_rate
        if rates.basis == "attainment" and rates.method != "flat":
            pay = np.where(quota > 0, pay, 0.0)
    if measure.gate is not None:
        pay = np.where(
            attainment < float(measure.gate.attainment), pay * float(measure.gate.pay), pay
        )
    if measure.cap is not None:
        cap = (
            float(measure.cap.amount)
            if measure.cap.amount is not None
            else float(measure.cap.ti_multiple) * ti
        )
        pay = np.minimum(pay, cap)
    return pay


def _vector_rates(
    credit: np.ndarray, rates: Rates, scale: np.ndarray, bcr: np.ndarray
) -> np.ndarray:
    lowers, uppers, band_rates = [], [], []
    lower = np.zeros_like(credit)
    for band in rates.bands:
        upper = np.full_like(credit, np.inf) if band.upper is None else float(band.upper) * scale
        rate = float(band.rate) if band.rate is not None else float(band.multiplier) * bcr
        lowers.append(lower)
        uppers.append(upper)
        band_rates.append(np.broadcast_to(rate, credit.shape))
        lower = upper
    if rates.method == "marginal":
        return sum(
            np.clip(credit - lo, 0.0, hi - lo) * r
            for lo, hi, r in zip(lowers, uppers, band_rates, strict=True)
        )
    reached = np.zeros_like(credit)
    done = np.zeros(credit.shape, dtype=bool)
    for hi, r in zip(uppers, band_rates, strict=True):
        inside = (credit < hi) if rates.edges == "lower" else (credit <= hi)
        take = inside & ~done
        reached = np.where(take, r, reached)
        done |= take
    return credit * reached
