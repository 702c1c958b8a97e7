"""Compensation plans as YAML files: the schema, its validation and plan versions.

One file per plan, ``parameters/comp_plans/<plan_id>.yaml``, holding one or more
versions, each effective over a date range. Every error names the file and the key
(``versions[0].measures[1].rates.bands[2].to``) and says what was expected. The
schema, with an example per construct, is documented in ``docs/compensation.md``.

Money and rates are held as :class:`decimal.Decimal` (parsed from the YAML text, never
through binary floats) so that payouts are exact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from compass_nb.errors import NotApplicable, PlanError

METHODS = ("flat", "marginal", "retroactive", "curve")
BASES = ("attainment", "amount")
EDGES = ("lower", "upper")
CREDITING = ("split", "overlay", "team")
BASIS_PERIODS = ("month", "quarter", "year")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
DEAL_TYPES = ("new", "renewal", "expansion")


@dataclasses.dataclass(frozen=True)
class Band:
    """A tier: credit from the previous band's upper edge up to ``upper`` (``None`` = no end).

    Exactly one of ``rate`` (a commission rate on credit) or ``multiplier`` (a multiple of
    the base commission rate; above 1 an accelerator, below 1 a decelerator) is set.
    """

    upper: Decimal | None
    rate: Decimal | None = None
    multiplier: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Rates:
    """How credit becomes commission: ``flat``, ``marginal``, ``retroactive`` or ``curve``."""

    method: str
    basis: str = "attainment"
    edges: str = "lower"
    bands: tuple[Band, ...] = ()
    points: tuple[tuple[Decimal, Decimal], ...] = ()


@dataclasses.dataclass(frozen=True)
class Gate:
    """Below ``attainment`` (strictly), the measure pays ``pay`` × its commission."""

    attainment: Decimal
    pay: Decimal = Decimal(0)


@dataclasses.dataclass(frozen=True)
class Cap:
    """A hard cap on a measure's payout per period: an amount or a multiple of its target incentive."""

    amount: Decimal | None = None
    ti_multiple: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class SoftCap:
    """Above ``attainment`` (of quota), credit pays ``rate`` or ``multiplier`` × the base rate instead."""

    attainment: Decimal
    rate: Decimal | None = None
    multiplier: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Measure:
    """One component of variable pay: which deals it counts, its weight and its rate rules."""

    id: str
    weight: Decimal
    rates: Rates
    types: tuple[str, ...] | None = None
    quota_share: Decimal | None = None
    gate: Gate | None = None
    cap: Cap | None = None
    deal_cap: Decimal | None = None
    soft_cap: SoftCap | None = None

    @property
    def share(self) -> Decimal:
        """Share of the seller's quota that is this measure's quota (default: its weight)."""
        return self.weight if self.quota_share is None else self.quota_share


@dataclasses.dataclass(frozen=True)
class Spif:
    """A bonus between ``start`` and ``end`` (inclusive) for each qualifying deal closed
    (``per: deal``: ``per_deal`` and/or ``rate`` × credit, by ``types`` and ``segments``) or
    each qualifying activity logged (``per: activity``: ``per_unit``, by ``kinds`` and
    ``qualified``), at most ``cap`` per seller over the whole window."""

    id: str
    start: dt.date
    end: dt.date
    per_deal: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    types: tuple[str, ...] | None = None
    segments: tuple[str, ...] | None = None
    per: str = "deal"
    per_unit: Decimal = Decimal(0)
    kinds: tuple[str, ...] | None = None
    qualified: bool | None = None
    cap: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class UnitBand:
    """Units ``1 … upper`` of a month (after the previous band's) pay ``per_unit`` each."""

    upper: int | None
    per_unit: Decimal


@dataclasses.dataclass(frozen=True)
class ActivityPay:
    """Pay per logged activity (``activities`` table): each qualifying activity of the month
    pays the rate of the band its count falls in; ``target`` units a month is 100 %
    attainment; at most ``cap`` a month."""

    id: str
    kinds: tuple[str, ...]
    bands: tuple[UnitBand, ...]
    qualified: bool | None = None
    with_opportunity: bool = False
    target: Decimal | None = None
    cap: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Draw:
    """A draw against commission for the first ``periods`` months from hire (``None`` = always)."""

    amount: Decimal
    recoverable: bool
    guarantee: bool
    periods: int | None = None


@dataclasses.dataclass(frozen=True)
class EarlyExit:
    """On exit, ``pct`` of the commission on deals closed in the ``days`` before exit is clawed back."""

    days: int
    pct: Decimal


@dataclasses.dataclass(frozen=True)
class Clawback:
    """Clawback rules: cancelled deals within ``cancellation_days`` of close; early exit."""

    cancellation_days: int | None = None
    early_exit: EarlyExit | None = None


@dataclasses.dataclass(frozen=True)
class QuotaRule:
    """Quota adjustments: proration by days employed, a ramp for new hires (month 1, 2, …),
    the basis attainment is measured on: the ``month``, the fiscal ``quarter`` or ``year`` to
    date (paid monthly, with true-up lines as the window fills), and ``seasonality``: 12
    monthly or 4 quarterly weights (summing to 1) that spread the seller's annual quota (the
    sum of their ``quotas`` rows in the fiscal year) over its months."""

    prorate: bool = True
    ramp: tuple[Decimal, ...] = ()
    basis: str = "month"
    seasonality: tuple[Decimal, ...] = ()


@dataclasses.dataclass(frozen=True)
class Rounding:
    """Each payout line is rounded to ``to`` (e.g. 0.01) with ``mode``; totals are sums of lines."""

    to: Decimal = Decimal("0.01")
    mode: str = "half_up"

    def apply(self, value: Decimal) -> Decimal:
        """``value`` rounded as the plan states."""
        return value.quantize(self.to, rounding=ROUNDING_MODES[self.mode])


@dataclasses.dataclass(frozen=True)
class PlanVersion:
    """One version of a plan, effective from ``effective_from`` to ``effective_to`` (inclusive)."""

    plan_id: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    variable_share: Decimal
    measures: tuple[Measure, ...]
    crediting: str = "split"
    rounding: Rounding = Rounding()
    quota: QuotaRule = QuotaRule()
    spifs: tuple[Spif, ...] = ()
    activities: tuple[ActivityPay, ...] = ()
    draw: Draw | None = None
    clawback: Clawback = Clawback()
    source: str = ""

    def covers(self, day: dt.date) -> bool:
        """Whether this version is in effect on ``day``."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclasses.dataclass(frozen=True)
class Plan:
    """A plan and its versions, ordered by effective date."""

    plan_id: str
    name: str
    versions: tuple[PlanVersion, ...]
    source: str = ""

    def version_for(self, period: str) -> PlanVersion:
        """The version in effect on the first day of ``period`` (``YYYY-MM``)."""
        day = dt.date(int(period[:4]), int(period[5:7]), 1)
        for version in self.versions:
            if version.covers(day):
                return version
        raise PlanError(
            f"{self.source}: plan {self.plan_id!r} has no version in effect on {day}; add a "
            "version whose effective_from/effective_to cover it."
        )


# --- parsing helpers -------------------------------------------------------------------


class _Reader:
    """Reads one mapping of the YAML, naming the file and key path in every error."""

    def __init__(self, data: Any, file: str, path: str) -> None:
        self.file, self.path = file, path
        if not isinstance(data, dict):
            self.fail(f"expected a mapping, got {type(data).__name__}")
        self.data = data

    def fail(self, message: str, key: str | None = None) -> None:
        where = f"{self.path}.{key}" if key and self.path else (key or self.path or "top level")
        raise PlanError(f"{self.file}: {where}: {message}")

    def only(self, allowed: Iterable[str]) -> None:
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            self.fail(f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")

    def child(self, key: str) -> _Reader:
        return _Reader(self.data[key], self.file, f"{self.path}.{key}" if self.path else key)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def required(self, key: str) -> Any:
        if not self.has(key):
            self.fail("is required", key)
        return self.data[key]

    def decimal(self, key: str, *, default: Decimal | None = None, low=None, high=None) -> Decimal:
        if not self.has(key):
            if default is None:
                self.fail("is required (a number)", key)
            return default
        raw = self.data[key]
        if isinstance(raw, bool):
            self.fail(f"must be a number, got {raw!r}", key)
        try:
            value = Decimal(str(raw).strip().rstrip("%"))
        except InvalidOperation:
            self.fail(f"must be a number, got {raw!r}", key)
        if isinstance(raw, str) and raw.strip().endswith("%"):
            value = value / 100
        if low is not None and value < Decimal(str(low)):
            self.fail(f"must be at least {low}, got {raw}", key)
        if high is not None and value > Decimal(str(high)):
            self.fail(f"must be at most {high}, got {raw}", key)
        return value

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        if not self.has(key):
            if required:
                self.fail("is required (a date YYYY-MM-DD)", key)
            return None
        raw = self.data[key]
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            self.fail(f"must be a date YYYY-MM-DD, got {raw!r}", key)

    def choice(self, key: str, options: Iterable[str], default: str) -> str:
        value = self.data.get(key, default)
        if value not in options:
            self.fail(f"must be one of {', '.join(options)}; got {value!r}", key)
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"must be true or false, got {value!r}", key)
        return value

    def integer(self, key: str, *, required: bool = False, low: int = 0) -> int | None:
        if not self.has(key):
            if required:
                self.fail("is required (a whole number)", key)
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(f"must be a whole number ≥ {low}, got {value!r}", key)
        return value

    def strings(self, key: str, options: Iterable[str] | None = None) -> tuple[str, ...] | None:
        if not self.has(key):
            return None
        value = self.data[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"must be a list of names, got {value!r}", key)
        if options is not None:
            bad = [v for v in value if v not in options]
            if bad:
                self.fail(f"{bad[0]!r} is not one of {', '.join(options)}", key)
        return tuple(value)

    def items(self, key: str) -> list[_Reader]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            self.fail("must be a list", key)
        prefix = f"{self.path}.{key}" if self.path else key
        return [_Reader(item, self.file, f"{prefix}[{i}]") for i, item in enumerate(value)]


def _rate_or_multiplier(r: _Reader) -> tuple[Decimal | None, Decimal | None]:
    if r.has("rate") == r.has("multiplier"):
        r.fail("give exactly one of `rate` (e.g. 0.05) or `multiplier` (× base commission rate)")
    if r.has("rate"):
        return r.decimal("rate", low=0), None
    return None, r.decimal("multiplier", low=0)


def _bands(r: _Reader) -> tuple[Band, ...]:
    bands: list[Band] = []
    items = r.items("bands")
    if not items:
        r.fail("needs at least one band", "bands")
    for i, item in enumerate(items):
        item.only({"to", "rate", "multiplier"})
        upper = item.decimal("to", low=0) if item.has("to") else None
        last = i == len(items) - 1
        if upper is None and not last:
            item.fail("only the last band may be open-ended; give `to`", "to")
        if upper is not None and bands and upper <= bands[-1].upper:
            item.fail(
                f"must be greater than the previous band's ({bands[-1].upper}); got {upper}", "to"
            )
        rate, multiplier = _rate_or_multiplier(item)
        bands.append(Band(upper, rate, multiplier))
    if bands[-1].upper is not None:
        r.fail(
            "the last band must be open-ended (omit its `to`) so every credit has a rate", "bands"
        )
    return tuple(bands)


def _points(r: _Reader) -> tuple[tuple[Decimal, Decimal], ...]:
    raw = r.required("points")
    if not isinstance(raw, list) or len(raw) < 2:
        r.fail(
            "must list at least two [attainment, payout] points, e.g. [[0, 0], [1, 1]]", "points"
        )
    points = []
    for i, pair in enumerate(raw):
        item = _Reader(
            {"attainment": pair[0], "payout": pair[1]}
            if isinstance(pair, list) and len(pair) == 2
            else pair,
            r.file,
            f"{r.path}.points[{i}]",
        )
        point = (item.decimal("attainment", low=0), item.decimal("payout", low=0))
        if points and point[0] <= points[-1][0]:
            item.fail(
                f"attainments must increase; {point[0]} follows {points[-1][0]}", "attainment"
            )
        points.append(point)
    return tuple(points)


def _rates(r: _Reader) -> Rates:
    r.only({"method", "basis", "edges", "bands", "points", "rate", "multiplier"})
    method = r.choice("method", METHODS, "")
    basis = r.choice("basis", BASES, "attainment")
    edges = r.choice("edges", EDGES, "lower")
    if method == "flat":
        rate, multiplier = _rate_or_multiplier(r)
        return Rates("flat", basis, edges, (Band(None, rate, multiplier),))
    if method == "curve":
        return Rates("curve", "attainment", edges, (), _points(r))
    return Rates(method, basis, edges, _bands(r))


def _measure(r: _Reader) -> Measure:
    r.only({"id", "weight", "types", "quota_share", "rates", "gate", "cap", "deal_cap", "soft_cap"})
    gate = cap = soft = None
    if r.has("gate"):
        g = r.child("gate")
        g.only({"attainment", "pay"})
        gate = Gate(
            g.decimal("attainment", low=0), g.decimal("pay", default=Decimal(0), low=0, high=1)
        )
    if r.has("cap"):
        c = r.child("cap")
        c.only({"amount", "ti_multiple"})
        if c.has("amount") == c.has("ti_multiple"):
            c.fail("give exactly one of `amount` or `ti_multiple`")
        cap = Cap(
            c.decimal("amount", low=0) if c.has("amount") else None,
            c.decimal("ti_multiple", low=0) if c.has("ti_multiple") else None,
        )
    if r.has("soft_cap"):
        s = r.child("soft_cap")
        s.only({"attainment", "rate", "multiplier"})
        rate, multiplier = _rate_or_multiplier(s)
        soft = SoftCap(s.decimal("attainment", low=0), rate, multiplier)
    return Measure(
        id=str(r.required("id")),
        weight=r.decimal("weight", low=0, high=1),
        rates=_rates(r.child("rates")) if r.has("rates") else r.fail("is required", "rates"),
        types=r.strings("types", DEAL_TYPES),
        quota_share=r.decimal("quota_share", low=0) if r.has("quota_share") else None,
        gate=gate,
        cap=cap,
        deal_cap=r.decimal("deal_cap", low=0) if r.has("deal_cap") else None,
        soft_cap=soft,
    )


SPIF_UNITS = ("deal", "activity")


def _spif(r: _Reader) -> Spif:
    r.only(
        {
            "id",
            "from",
            "to",
            "per",
            "per_deal",
            "rate",
            "types",
            "segments",
            "per_unit",
            "kinds",
            "qualified",
            "cap",
        }
    )
    start, end = r.date("from"), r.date("to")
    if end < start:
        r.fail(f"must not be before `from` ({start})", "to")
    per = r.choice("per", SPIF_UNITS, "deal")
    if per == "deal":
        for key in ("per_unit", "kinds", "qualified"):
            if key in r.data:
                r.fail(f"`{key}` is for per: activity; a deal SPIF pays `per_deal` or `rate`", key)
        if not r.has("per_deal") and not r.has("rate"):
            r.fail("give `per_deal` (an amount per deal) and/or `rate` (on credit)")
    else:
        for key in ("per_deal", "rate", "types", "segments"):
            if key in r.data:
                r.fail(f"`{key}` is for per: deal; an activity SPIF pays `per_unit`", key)
        if not r.has("per_unit"):
            r.fail("give `per_unit` (an amount per qualifying activity)", "per_unit")
        if not r.has("kinds"):
            r.fail("give the activity `kinds` it counts, e.g. [meeting]", "kinds")
    qualified = r.data.get("qualified")
    if qualified is not None and not isinstance(qualified, bool):
        r.fail(f"must be true or false, got {qualified!r}", "qualified")
    return Spif(
        id=str(r.required("id")),
        start=start,
        end=end,
        per_deal=r.decimal("per_deal", default=Decimal(0), low=0),
        rate=r.decimal("rate", default=Decimal(0), low=0),
        types=r.strings("types", DEAL_TYPES),
        segments=r.strings("segments"),
        per=per,
        per_unit=r.decimal("per_unit", default=Decimal(0), low=0),
        kinds=r.strings("kinds"),
        qualified=qualified,
        cap=r.decimal("cap", low=0) if r.has("cap") else None,
    )


def _unit_bands(r: _Reader) -> tuple[UnitBand, ...]:
    if r.has("per_unit") == r.has("bands"):
        r.fail("give exactly one of `per_unit` (one rate) or `bands` (rates by count)")
    if r.has("per_unit"):
        return (UnitBand(None, r.decimal("per_unit", low=0)),)
    items = r.items("bands")
    bands: list[UnitBand] = []
    for i, item in enumerate(items):
        item.only({"to", "per_unit"})
        upper = item.integer("to", low=1)
        last = i == len(items) - 1
        if upper is None and not last:
            item.fail("only the last band may be open-ended; give `to` (a count of units)", "to")
        if upper is not None and bands and upper <= bands[-1].upper:
            item.fail(f"must be greater than the previous band's ({bands[-1].upper})", "to")
        bands.append(UnitBand(upper, item.decimal("per_unit", low=0)))
    if not bands or bands[-1].upper is not None:
        r.fail("the last band must be open-ended (omit its `to`)", "bands")
    return tuple(bands)


def _activity_pay(r: _Reader) -> ActivityPay:
    r.only({"id", "kinds", "qualified", "with_opportunity", "per_unit", "bands", "target", "cap"})
    kinds = r.strings("kinds")
    if not kinds:
        r.fail("give the activity `kinds` it pays, e.g. [meeting]", "kinds")
    qualified = r.data.get("qualified")
    if qualified is not None and not isinstance(qualified, bool):
        r.fail(f"must be true or false, got {qualified!r}", "qualified")
    return ActivityPay(
        id=str(r.required("id")),
        kinds=kinds,
        bands=_unit_bands(r),
        qualified=qualified,
        with_opportunity=r.flag("with_opportunity", False),
        target=r.decimal("target", low=0) if r.has("target") else None,
        cap=r.decimal("cap", low=0) if r.has("cap") else None,
    )


def _draw(r: _Reader) -> Draw:
    r.only({"amount", "recoverable", "guarantee", "periods"})
    if "recoverable" not in r.data:
        r.fail(
            "is required: say whether the draw is recoverable (true) or not (false)", "recoverable"
        )
    return Draw(
        amount=r.decimal("amount", low=0),
        recoverable=r.flag("recoverable", True),
        guarantee=r.flag("guarantee", False),
        periods=r.integer("periods", low=1),
    )


def _clawback(r: _Reader) -> Clawback:
    r.only({"cancellation_days", "early_exit"})
    exit_rule = None
    if r.has("early_exit"):
        e = r.child("early_exit")
        e.only({"days", "pct"})
        exit_rule = EarlyExit(
            e.integer("days", required=True, low=1), e.decimal("pct", low=0, high=1)
        )
    return Clawback(r.integer("cancellation_days", low=0), exit_rule)


def _seasonality(r: _Reader) -> tuple[Decimal, ...]:
    raw = r.data.get("seasonality") or []
    if not isinstance(raw, list) or len(raw) not in (0, 4, 12):
        r.fail(
            "must list 12 monthly or 4 quarterly weights of the annual quota, from the first "
            "month of the fiscal year, e.g. [0.2, 0.25, 0.25, 0.3]",
            "seasonality",
        )
    weights = tuple(
        _Reader({"weight": v}, r.file, f"{r.path}.seasonality[{i}]").decimal("weight", low=0)
        for i, v in enumerate(raw)
    )
    if weights and sum(weights) != 1:
        r.fail(f"weights must sum to 1; got {sum(weights)}", "seasonality")
    return weights


def _quota(r: _Reader) -> QuotaRule:
    r.only({"prorate", "ramp", "basis", "seasonality"})
    ramp = r.data.get("ramp") or []
    if not isinstance(ramp, list):
        r.fail(
            "must be a list of fractions of quota by month from hire, e.g. [0.25, 0.5, 0.75]",
            "ramp",
        )
    steps = tuple(
        _Reader({"step": v}, r.file, f"{r.path}.ramp[{i}]").decimal("step", low=0, high=1)
        for i, v in enumerate(ramp)
    )
    return QuotaRule(
        r.flag("prorate", True),
        steps,
        r.choice("basis", BASIS_PERIODS, "month"),
        _seasonality(r),
    )


def _rounding(r: _Reader) -> Rounding:
    r.only({"to", "mode"})
    return Rounding(
        r.decimal("to", default=Decimal("0.01"), low=0), r.choice("mode", ROUNDING_MODES, "half_up")
    )


def _version(r: _Reader, plan_id: str) -> PlanVersion:
    r.only(
        {
            "version",
            "effective_from",
            "effective_to",
            "pay_mix",
            "crediting",
            "rounding",
            "quota",
            "measures",
            "spifs",
            "activities",
            "draw",
            "clawback",
        }
    )
    start, end = r.date("effective_from"), r.date("effective_to", required=False)
    if end is not None and end < start:
        r.fail(f"must not be before effective_from ({start})", "effective_to")
    mix = (
        r.child("pay_mix")
        if r.has("pay_mix")
        else r.fail("is required, e.g. {base: 0.5, variable: 0.5}", "pay_mix")
    )
    mix.only({"base", "variable"})
    base, variable = mix.decimal("base", low=0, high=1), mix.decimal("variable", low=0, high=1)
    if base + variable != 1:
        mix.fail(f"base + variable must be 1; got {base} + {variable}")
    measures = tuple(_measure(m) for m in r.items("measures"))
    activities = tuple(_activity_pay(a) for a in r.items("activities"))
    if not measures and not activities:
        r.fail("needs at least one measure (or, for pay per activity, `activities`)", "measures")
    if measures and sum(m.weight for m in measures) != 1:
        r.fail(
            f"weights must sum to 1; got {' + '.join(str(m.weight) for m in measures)}", "measures"
        )
    counted: dict[str, str] = {}
    for m in measures:
        for kind in m.types or DEAL_TYPES:
            if kind in counted:
                r.fail(
                    f"deal type {kind!r} is counted by both {counted[kind]!r} and {m.id!r}; "
                    "give each measure its own `types`",
                    "measures",
                )
            counted[kind] = m.id
    ids = [m.id for m in measures] + [a.id for a in activities]
    if len(set(ids)) != len(ids):
        r.fail(f"measure and activity ids must be unique; got {ids}", "measures")
    return PlanVersion(
        plan_id=plan_id,
        version=str(r.data.get("version", start.isoformat())),
        effective_from=start,
        effective_to=end,
        variable_share=variable,
        measures=measures,
        crediting=r.choice("crediting", CREDITING, "split"),
        rounding=_rounding(r.child("rounding")) if r.has("rounding") else Rounding(),
        quota=_quota(r.child("quota")) if r.has("quota") else QuotaRule(),
        spifs=tuple(_spif(s) for s in r.items("spifs")),
        activities=activities,
        draw=_draw(r.child("draw")) if r.has("draw") else None,
        clawback=_clawback(r.child("clawback")) if r.has("clawback") else Clawback(),
        source=r.file,
    )


def parse_plan(data: Any, file: str = "<plan>") -> Plan:
    """A validated :class:`Plan` from parsed YAML ``data``; ``file`` names it in errors.

    Raises
    ------
    compass_nb.errors.PlanError
        Naming the file and the key, and saying what was expected.
    """
    r = _Reader(data, file, "")
    r.only({"plan_id", "name", "versions"})
    plan_id = str(r.required("plan_id"))
    versions = sorted(
        (_version(v, plan_id) for v in r.items("versions")), key=lambda v: v.effective_from
    )
    if not versions:
        r.fail("needs at least one version", "versions")
    for before, after in zip(versions, versions[1:], strict=False):
        if before.effective_to is None or before.effective_to >= after.effective_from:
            r.fail(
                f"version {before.version!r} overlaps version {after.version!r}: end it "
                f"(effective_to) before {after.effective_from}",
                "versions",
            )
    return Plan(plan_id, str(r.data.get("name", plan_id)), tuple(versions), file)


def load_plan(path: str | Path) -> Plan:
    """Read and validate one plan file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PlanError(f"{path}: cannot be read ({error.strerror}); check the path.") from None
    except yaml.YAMLError as error:
        raise PlanError(f"{path}: is not valid YAML ({error}); fix the syntax.") from None
    plan = parse_plan(data, str(path))
    if plan.plan_id != path.stem:
        raise PlanError(
            f"{path}: plan_id: {plan.plan_id!r} must match the file name ({path.stem!r})."
        )
    return plan


def load_plans(folder: str | Path) -> dict[str, Plan]:
    """Every plan in ``folder`` (``<plan_id>.yaml``), keyed by plan id."""
    folder = Path(folder)
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise PlanError(
            f"{folder}: no plan files (<plan_id>.yaml) found; point `plans` at the folder of plans."
        )
    return {plan.plan_id: plan for plan in map(load_plan, files)}


def require_plans(
    plans: dict[str, Plan], plan_ids: Iterable[str], folder: str = "comp_plans"
) -> None:
    """Raise :class:`PlanError` when a seller's ``plan_id`` has no plan file."""
    missing = sorted(set(plan_ids) - set(plans))
    if missing:
        raise PlanError(
            f"{folder}: no plan file for plan_id {missing[0]!r} used in `reps`; "
            f"add {folder}/{missing[0]}.yaml."
        )


def require_versions(
    plans: dict[str, Plan], plan_ids: Iterable[str], period: str, folder: str = "comp_plans"
) -> None:
    """Raise :class:`NotApplicable` when a plan a seller is on has no version in effect on the
    first day of ``period`` (e.g. a CRM export from 2017 with the shipped plans, whose
    versions start in 2022): the message names each plan, its file and its earliest version,
    and says what to add."""
    day = dt.date(int(period[:4]), int(period[5:7]), 1)
    lacking = [
        plans[p]
        for p in sorted(set(plan_ids))
        if p in plans and not any(v.covers(day) for v in plans[p].versions)
    ]
    if not lacking:
        return
    named = ", ".join(
        f"{p.plan_id!r} ({Path(p.source).name or p.plan_id}, versions from "
        f"{min(v.effective_from for v in p.versions)})"
        for p in lacking
    )
    raise NotApplicable(
        f"compensation: no plan version in effect on {day} for plan {named}, so {period} cannot "
        f"be paid. Add a version effective on or before {day} (effective_from) to each of "
        f"these files in {folder}, or set compensation.plans to a folder of your own plans."
    )


def base_commission_rate(target_incentive: Decimal, quota: Decimal) -> Decimal:
    """Target incentive ÷ quota: the rate that pays the target incentive at 100 % of quota.

    Examples
    --------
    >>> base_commission_rate(Decimal(30000), Decimal(600000))
    Decimal('0.05')
    """
    if quota <= 0:
        return Decimal(0)
    return target_incentive / quota
