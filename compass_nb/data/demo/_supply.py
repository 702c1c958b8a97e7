"""Supply-side tables: inventory snapshots, capacity, scheduled receipts, overrides, budget.

All derive from the demand model's expected units, so that they relate to the orders
the way a real planning system's would: stock covers roughly one to two months of
demand, line capacity is flat through the year (so seasonal peaks bind), receipts are
the open orders at the end of the history, and the budget was set from the model before
the level shifts happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._demand import PRICE_RISE, Demand
from ._profile import END, Profile, stream

LAST_COMPLETE = END.to_period("M") - 1  # 2026-10: the last month with a full month of orders
RESOURCES_FULL = {
    "Line-A": ("Outdoor", "Garden"),
    "Line-B": ("Kitchen", "Storage", "Office"),
    "Line-C": ("Lighting", "Tools", "Textiles"),
}
RESOURCES_SMALL = {"Line-A": ("Outdoor", "Garden"), "Line-B": ("Kitchen",), "Line-C": ("Lighting",)}
PACKING = "Packing"
CAPACITY_SLACK = {"line": 1.05, "packing": 1.30}
LINE_QUANTILE = 0.8  # a line is sized for the year's 80th-percentile month
PACKING_SHUTDOWN = pd.Period("2027-08", "M")  # planned maintenance: packing at 60 %
# Lighting's line loses a shift from November 2026 (the first month the latest cycle plans):
# its capacity is 70 % of the year's average month, so the base plan cannot serve the whole
# demand even with build-ahead
REDUCED_LINE = ("Lighting", pd.Period("2026-11", "M"), 0.70)
OWNERS = {"Line-A": "s.okafor", "Line-B": "p.lindqvist", "Line-C": "d.moreau", PACKING: "k.tanaka"}
# cost of one unit of added capacity (overtime, a shift, a subcontractor) as a share of the
# family's average unit cost, per kind of resource
ADDED_CAPACITY_COST = {"line": 0.12, "packing": 0.04}
RECEIPTS_UNTIL = pd.Period("2027-04", "M")
OVERRIDE_CYCLES = ("2024-11", "2026-10")
AUTHORS = {
    "a.nakamura": (
        "helpful",
        ("Promotion planned", "Key account order confirmed", "Customer phase-out"),
    ),
    "r.castillo": ("optimistic", ("Sales confident in quarter-end push", "Big customer upside")),
    "l.fischer": ("mixed", ("Campaign launch", "Competitor price move")),
}
BUDGET_AMBITION = 1.05
BUDGET_YEARS = (2022, 2027)


def inventory(demand: Demand, profile: Profile) -> pd.DataFrame:
    """End-of-month on-hand per stocked sku × location, 2022-01 to the last complete month."""
    rng = stream(profile, "inventory")
    months = demand.months
    upto = months.get_loc(LAST_COMPLETE) + 1
    next_month = demand.expected[:, 1 : upto + 1]
    cover = rng.lognormal(np.log(1.3), 0.35, next_month.shape)
    excess = rng.random(len(demand.series)) < 0.1
    cover = np.where(excess[:, None], cover * 3, cover)
    cover = np.where(rng.random(next_month.shape) < 0.03, 0.0, cover)
    on_hand = np.rint(next_month * cover)
    on_hand = _leftover_after_discontinuation(demand, on_hand, months[:upto], rng)
    frame = _long(demand, months[:upto], on_hand, "on_hand")
    launched = frame["sku"].map(demand.products.set_index("sku")["launch_date"])
    frame = frame.loc[frame["month"].dt.end_time.dt.normalize() >= launched]
    frame = frame.loc[~((frame["on_hand"] == 0) & frame["retired"])]
    frame["snapshot_date"] = frame["month"].dt.end_time.dt.normalize()
    frame = frame.loc[:, ["snapshot_date", "sku", "location", "on_hand"]]
    frame = frame.astype({"on_hand": "int64"}).sort_values(["snapshot_date", "sku", "location"])
    return frame.reset_index(drop=True)


def _leftover_after_discontinuation(
    demand: Demand, on_hand: np.ndarray, months: pd.PeriodIndex, rng: np.random.Generator
) -> np.ndarray:
    """Stock of a discontinued item runs down by about 30 % a month after its last sale."""
    stop = demand.series["sku"].map(demand.products.set_index("sku")["discontinue_date"])
    out = on_hand.copy()
    for s in np.flatnonzero(stop.notna().to_numpy()):
        last = months.searchsorted(stop.iloc[s].to_period("M"))
        if last >= len(months):
            continue
        level = max(on_hand[s, max(last - 1, 0)], rng.integers(5, 40))
        ahead = np.arange(len(months) - last)
        out[s, last:] = np.floor(level * 0.7**ahead)
    return out


def _long(demand: Demand, months: pd.PeriodIndex, values: np.ndarray, name: str) -> pd.DataFrame:
    """Series × months array as a long frame with sku, location and month."""
    n_series, n_months = values.shape
    stop = demand.series["sku"].map(demand.products.set_index("sku")["discontinue_date"])
    frame = pd.DataFrame(
        {
            "sku": np.repeat(demand.series["sku"].to_numpy(), n_months),
            "location": np.repeat(demand.series["location"].to_numpy(), n_months),
            "month": np.tile(months, n_series),
            name: values.ravel(),
        }
    )
    stop_month = np.repeat(stop.dt.to_period("M").to_numpy(), n_months)
    frame["retired"] = pd.notna(stop_month) & (frame["month"].to_numpy() > stop_month)
    return frame


def _family_expected(demand: Demand, expected: np.ndarray) -> pd.DataFrame:
    """Expected units per family (rows) and model month (columns)."""
    frame = pd.DataFrame(expected, columns=demand.months.strftime("%Y-%m"))
    return frame.groupby(demand.series["family"].to_numpy()).sum()


def capacity(demand: Demand, profile: Profile) -> pd.DataFrame:
    """Monthly units per resource and family, 2022-01 to 18+ months ahead.

    Each family is made on one line and goes through packing. A line's capacity for a
    family is flat within a year (5 % above the year's 80th-percentile month), so it binds in the
    family's peak months; packing has 30 % slack except during a planned shutdown.
    """
    resources = RESOURCES_FULL if len(profile.families) == 8 else RESOURCES_SMALL
    family = _family_expected(demand, demand.expected)
    years = pd.Index([p[:4] for p in family.columns])
    yearly = family.T.groupby(years).transform(lambda m: m.quantile(LINE_QUANTILE)).T
    average = family.T.groupby(years).transform("mean").T
    reduced, since, share = REDUCED_LINE
    cost = demand.series.groupby("family")["unit_cost"].mean()
    rows = []
    for resource, families in resources.items():
        for f in families:
            line = np.ceil(yearly.loc[f] * CAPACITY_SLACK["line"])
            if f == reduced:
                later = pd.PeriodIndex(line.index, freq="M") >= since
                line = line.where(~later, np.ceil(average.loc[f] * share))
            added = round(float(cost[f]) * ADDED_CAPACITY_COST["line"], 2)
            rows += [(p, resource, f, v, added, OWNERS[resource]) for p, v in line.items()]
    shutdown = family.columns == str(PACKING_SHUTDOWN)
    for f in family.index:
        packing = np.ceil(family.loc[f] * CAPACITY_SLACK["packing"] * np.where(shutdown, 0.6, 1.0))
        added = round(float(cost[f]) * ADDED_CAPACITY_COST["packing"], 2)
        rows += [(p, PACKING, f, v, added, OWNERS[PACKING]) for p, v in packing.items()]
    columns = ["period", "resource", "family", "capacity_units", "cost_per_unit", "owner"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["capacity_units"] = frame["capacity_units"].astype("int64")
    return frame.sort_values(["period", "resource", "family"]).reset_index(drop=True)


def receipts(demand: Demand, profile: Profile) -> pd.DataFrame:
    """Scheduled supply per sku × location × month: the open orders at the end of the
    history, due from its month (2026-11) to 2027-04, thinning out with the horizon.

    Like an ERP's list of open orders, it holds nothing already received: receipts are
    read for every cycle (DESIGN.md), so a received order left in the table would reach a
    backfilled cycle as firm supply on top of the production it plans (before, the 2025-10
    cycle saw 792,456 units of receipts, twelve months of demand, and planned 77 days of
    supply at a 100 % fill rate). Quantities are rounded up to cases of 12.
    """
    rng = stream(profile, "receipts")
    upto = demand.months.get_loc(RECEIPTS_UNTIL) + 1
    months = demand.months[:upto]
    expected = demand.expected[:, :upto]
    ahead = np.arange(upto) - demand.months.get_loc(END.to_period("M"))
    chance = np.where(ahead < 0, 0.85, np.clip(0.9 - 0.15 * ahead, 0.15, 0.9))
    scheduled = rng.random(expected.shape) < chance[None, :]
    quantity = np.ceil(expected * rng.uniform(0.8, 1.25, expected.shape) / 12) * 12
    frame = _long(demand, months, np.where(scheduled, quantity, 0), "quantity")
    frame = frame.loc[(frame["quantity"] > 0) & ~frame["retired"]]
    frame = frame.loc[frame["month"] >= END.to_period("M")]  # still open at the end
    frame["period"] = frame["month"].dt.strftime("%Y-%m")
    frame = frame.loc[:, ["period", "sku", "location", "quantity"]].astype({"quantity": "int64"})
    return frame.sort_values(["period", "sku", "location"]).reset_index(drop=True)


def overrides(demand: Demand, profile: Profile) -> pd.DataFrame:
    """Judgmental adjustments made in the cycles 2024-11 .. 2026-10.

    ``quantity`` is the value the forecast becomes. The demand planner's adjustments land
    near what really happened (they knew of promotions and key orders); the sales
    director's are 15–35 % high; marketing's scatter either side.
    """
    rng = stream(profile, "overrides")
    actual = _monthly_actuals(demand)
    rows = []
    per_cycle = (2, 5) if len(profile.families) == 8 else (1, 3)
    for cycle in pd.period_range(*OVERRIDE_CYCLES, freq="M"):
        for _ in range(rng.integers(*per_cycle)):
            rows.append(_one_override(demand, actual, cycle, rng))
    frame = pd.DataFrame(
        rows,
        columns=["cycle", "period", "family", "sku", "location", "quantity", "author", "reason"],
    )
    return frame.drop_duplicates(["cycle", "period", "family", "sku", "location"]).reset_index(
        drop=True
    )


def _monthly_actuals(demand: Demand) -> dict[tuple, float]:
    """Units ordered per (month, "sku" | "family", key, location | None)."""
    orders = demand.orders
    frame = pd.DataFrame(
        {
            "month": orders["order_date"].dt.to_period("M"),
            "sku": orders["sku"],
            "location": orders["location"],
            "family": orders["sku"].map(demand.products.set_index("sku")["family"]),
            "quantity": orders["quantity"],
        }
    )
    frame = frame.groupby(["month", "sku", "location", "family"], as_index=False)["quantity"].sum()
    frame["month"] = frame["month"].dt.strftime("%Y-%m")
    lookup: dict[tuple, float] = {}
    for level in ("sku", "family"):
        by_location = frame.groupby(["month", level, "location"])["quantity"].sum()
        lookup |= {(m, level, k, loc): float(q) for (m, k, loc), q in by_location.items()}
        total = frame.groupby(["month", level])["quantity"].sum()
        lookup |= {(m, level, k, None): float(q) for (m, k), q in total.items()}
    return lookup


def _one_override(
    demand: Demand, actual: pd.Series, cycle: pd.Period, rng: np.random.Generator
) -> tuple:
    period = cycle + int(rng.integers(1, 4))
    by_sku = rng.random() < 0.2
    series = demand.series
    target = series.sample(1, random_state=rng).iloc[0]
    mask = (series["sku"] == target["sku"]) if by_sku else (series["family"] == target["family"])
    location = target["location"] if rng.random() < 0.3 else None
    if location is not None:
        mask &= series["location"] == location
    column = demand.months.get_loc(period)
    expected = demand.expected[mask.to_numpy(), column].sum()
    author = str(rng.choice(list(AUTHORS)))
    kind, reasons = AUTHORS[author]
    if kind == "helpful":
        value = _actual_or_expected(actual, period, target, by_sku, location, expected)
        value *= rng.normal(1.0, 0.04)
    elif kind == "optimistic":
        value = expected * rng.uniform(1.15, 1.35)
    else:
        value = expected * rng.uniform(0.85, 1.3)
    return (
        str(cycle),
        str(period),
        None if by_sku else target["family"],
        target["sku"] if by_sku else None,
        location,
        float(max(round(value), 0)),
        author,
        reasons[rng.integers(len(reasons))],
    )


def _actual_or_expected(actual, period, target, by_sku, location, expected) -> float:
    if period > LAST_COMPLETE:
        return float(expected)
    level = "sku" if by_sku else "family"
    return actual.get((str(period), level, target[level], location), 0.0)


def budget(demand: Demand) -> pd.DataFrame:
    """The annual operating plan per month and family for 2022–2027.

    Set from the demand model before each year (so it misses the 2026 level shifts),
    5 % above the expected units, at that year's list prices less a 4 % average discount.
    """
    months = demand.months.strftime("%Y-%m")
    keep = (demand.months.year >= BUDGET_YEARS[0]) & (demand.months.year <= BUDGET_YEARS[1])
    units = demand.expected_unshifted[:, keep] * BUDGET_AMBITION
    year = demand.months.year[keep].to_numpy()
    price = demand.series["unit_price"].to_numpy()[:, None] / (1 + PRICE_RISE) ** (2026 - year)
    revenue = units * price * 0.96
    cost = units * demand.series["unit_cost"].to_numpy()[:, None]
    family = demand.series["family"].to_numpy()
    frames = {
        name: pd.DataFrame(values, columns=months[keep]).groupby(family).sum()
        for name, values in (("quantity", units), ("revenue", revenue), ("cost", cost))
    }
    long = {name: f.stack().rename(name) for name, f in frames.items()}
    frame = pd.concat(long.values(), axis=1).rename_axis(["family", "period"]).reset_index()
    frame["margin"] = (frame["revenue"] - frame["cost"]).round(2)
    frame["revenue"] = frame["revenue"].round(2)
    frame["quantity"] = frame["quantity"].round().astype("int64")
    return (
        frame.loc[:, ["period", "family", "revenue", "quantity", "margin"]]
        .sort_values(["period", "family"])
        .reset_index(drop=True)
    )
