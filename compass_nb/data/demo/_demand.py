"""Items and their demand: the ``products`` and ``orders`` tables and the noise-free demand model.

Demand of a SKU at a location on a day is Poisson-gamma around a mean that multiplies
a base rate, the location's share, a yearly trend, the family's yearly season, the
weekday, public holidays, promotions (and the dip after them), the item's life cycle
(launch ramp, fade before discontinuation) and, for a few SKUs, a level shift from
``SHIFT_DATE``. Slow movers order in lots, so their history is intermittent. Occasional
one-day spikes stand for unannounced large orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

from ._profile import (
    END,
    LOCATIONS,
    SHIFT_DATE,
    START,
    Profile,
    model_days,
    stream,
)

# family: (sku prefix, season amplitude, peak day of year, categories, lead-time range in days)
FAMILY_SHAPES = {
    "Outdoor": ("OUT", 0.45, 165, ("Camping", "Furniture", "Grills"), (30, 75)),
    "Kitchen": ("KIT", 0.25, 340, ("Cookware", "Appliances", "Tableware"), (14, 45)),
    "Garden": ("GAR", 0.55, 130, ("Planters", "Garden Tools", "Irrigation"), (21, 60)),
    "Lighting": ("LGT", 0.35, 330, ("Lamps", "Bulbs", "Decor"), (28, 70)),
    "Storage": ("STO", 0.20, 20, ("Boxes", "Shelving", "Organisers"), (14, 40)),
    "Tools": ("TOO", 0.20, 100, ("Hand Tools", "Power Tools", "Accessories"), (21, 60)),
    "Textiles": ("TEX", 0.30, 290, ("Bedding", "Throws", "Curtains"), (35, 90)),
    "Office": ("OFF", 0.25, 240, ("Desk", "Paper", "Seating"), (10, 30)),
}
LOCATION_SHARE = np.array([0.45, 0.35, 0.20])
WEEKDAY = np.array([1.18, 1.12, 1.08, 1.06, 0.98, 0.38, 0.20])  # Monday first
PRICE_RISE = 0.03  # list prices rise each January; products hold the 2026 price
PROMO_DISCOUNT = 0.20
SHIFT_FACTORS = (1.4, 0.6)
# one item launches and one is phased out inside the latest cycle's planning horizon
LAUNCH_IN_HORIZON = pd.Timestamp("2027-03-01")
PHASE_OUT_IN_HORIZON = pd.Timestamp("2027-06-30")
# the demand planner of each family (products.planner)
PLANNERS = {
    "Outdoor": "j.silva",
    "Garden": "j.silva",
    "Kitchen": "e.novak",
    "Storage": "e.novak",
    "Lighting": "r.haddad",
    "Tools": "r.haddad",
    "Textiles": "m.berg",
    "Office": "m.berg",
}
# production lot (units per case) by speed; fast movers are made in at least two cases
LOT_SIZES = {"fast": 12, "medium": 6, "slow": 1}


@dataclass(frozen=True)
class Demand:
    """The generated items, their history and the noise-free model behind it."""

    products: pd.DataFrame
    series: pd.DataFrame  # one row per stocked sku × location: sku, location, family, ...
    months: pd.PeriodIndex  # months of the model, START .. HORIZON_END
    expected: np.ndarray  # series × months: expected units (model mean)
    expected_unshifted: np.ndarray  # the same without the level shifts (what a budget assumed)
    orders: pd.DataFrame
    shifts: pd.DataFrame  # sku, factor, start
    promotions: pd.DataFrame  # sku, start, end, uplift


def build_demand(profile: Profile) -> Demand:
    """Generate the items, the stocked series, the daily demand model and the orders."""
    rng = stream(profile, "demand")
    items = _items(profile, rng)
    series = _series(items, rng)
    days = model_days()
    promo, promotions = _promotion_calendar(items, days, rng)
    mean_unshifted = _daily_mean(items, series, days, promo) * profile.rate_scale
    shift = _shift_factor(items, series, days)
    mean = mean_unshifted * shift
    history = days <= END
    quantity = _daily_quantity(items, series, mean[:, history], rng)
    orders = _orders(items, series, days[history], quantity, promo[:, history], rng)
    months = pd.period_range(START, days[-1], freq="M")
    starts = np.flatnonzero(np.r_[True, days.month[1:] != days.month[:-1]])
    shifts = items.loc[items["shift"] != 1.0, ["sku", "shift"]].rename(columns={"shift": "factor"})
    return Demand(
        products=_products_table(items),
        series=series,
        months=months,
        expected=np.add.reduceat(mean, starts, axis=1),
        expected_unshifted=np.add.reduceat(mean_unshifted, starts, axis=1),
        orders=orders,
        shifts=shifts.assign(start=SHIFT_DATE).reset_index(drop=True),
        promotions=promotions,
    )


def _items(profile: Profile, rng: np.random.Generator) -> pd.DataFrame:
    n = profile.n_skus
    family_ix = np.sort(np.resize(np.arange(len(profile.families)), n))
    family = np.array(profile.families)[family_ix]
    number = np.concatenate(
        [np.arange(np.sum(family_ix == f)) for f in range(len(profile.families))]
    )
    sku = [f"{FAMILY_SHAPES[f][0]}-{1001 + k}" for f, k in zip(family, number, strict=True)]
    speed = rng.choice(["fast", "medium", "slow"], size=n, p=[0.25, 0.45, 0.30])
    base = np.select(
        [speed == "fast", speed == "medium"],
        [rng.lognormal(np.log(24), 0.4, n), rng.lognormal(np.log(5), 0.5, n)],
        rng.lognormal(np.log(0.35), 0.4, n),
    )
    price = np.clip(rng.lognormal(np.log(40), 0.8, n), 4, 900).round(0) - 0.01
    cost = (price * rng.uniform(0.35, 0.72, n)).round(2)
    lead = np.array([rng.integers(*FAMILY_SHAPES[f][4]) for f in family])
    categories = [FAMILY_SHAPES[f][3][rng.integers(3)] for f in family]
    items = pd.DataFrame(
        {
            "sku": sku,
            "family": family,
            "category": categories,
            "speed": speed,
            "base": base,
            "growth": np.clip(rng.normal(0.05, 0.07, n), -0.15, 0.30),
            "season_scale": rng.uniform(0.7, 1.3, n),
            "unit_cost": cost,
            "unit_price": price,
            "lead_time_days": lead,
            "lead_time_sd_days": np.where(
                rng.random(n) < 0.5, (lead * rng.uniform(0.1, 0.3, n)).round(1), np.nan
            ),
            "lot": rng.integers(2, 7, n),
        }
    )
    items["service_level"] = _service_levels(items["base"] * items["unit_price"])
    return _life_cycles(items, profile, rng)


def _service_levels(value: pd.Series) -> np.ndarray:
    rank = value.rank(ascending=False, pct=True)
    return np.select([rank <= 0.2, rank <= 0.5], [0.98, 0.95], 0.90)


def _life_cycles(items: pd.DataFrame, profile: Profile, rng: np.random.Generator) -> pd.DataFrame:
    n = len(items)
    order = rng.permutation(n)
    n_new, n_gone = max(2, round(0.08 * n)), max(2, round(0.06 * n))
    new, gone = order[:n_new], order[n_new : n_new + n_gone]
    launch = START - pd.to_timedelta(rng.integers(100, 2500, n), unit="D")
    launch = launch.to_numpy().copy()
    launch[new] = (
        pd.Timestamp("2025-05-01") + pd.to_timedelta(rng.integers(0, 500, n_new), unit="D")
    ).to_numpy()
    discontinue = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    discontinue[gone] = (
        pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 940, n_gone), unit="D")
    ).to_numpy()
    launch[new[0]] = LAUNCH_IN_HORIZON.to_datetime64()
    discontinue[gone[0]] = PHASE_OUT_IN_HORIZON.to_datetime64()
    items["launch_date"] = to_datetime(launch)
    items["discontinue_date"] = to_datetime(discontinue)
    eligible = [i for i in order[n_new + n_gone :] if items.at[i, "speed"] != "slow"]
    shift = np.ones(n)
    for k, i in enumerate(sorted(eligible[: profile.n_shifted])):
        shift[i] = SHIFT_FACTORS[k % 2]
    items["shift"] = shift
    return items


def _series(items: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for i, item in items.iterrows():
        k = 3 if item["speed"] == "fast" else rng.choice([3, 2, 1], p=[0.55, 0.33, 0.12])
        where = np.sort(rng.choice(3, size=k, replace=False, p=LOCATION_SHARE))
        share = rng.dirichlet(12 * LOCATION_SHARE[where] / LOCATION_SHARE[where].sum())
        rows += [(i, item["sku"], LOCATIONS[w], s) for w, s in zip(where, share, strict=True)]
    series = pd.DataFrame(rows, columns=["item", "sku", "location", "share"])
    return series.join(items[["family", "unit_price", "unit_cost", "speed"]], on="item")


def _promotion_calendar(
    items: pd.DataFrame, days: pd.DatetimeIndex, rng: np.random.Generator
) -> tuple[np.ndarray, pd.DataFrame]:
    """Per item and day: 1 off promotion, the uplift during one, a dip in the week after."""
    factor = np.ones((len(items), len(days)))
    promoted = (items["speed"] != "slow").to_numpy() & (rng.random(len(items)) < 0.4)
    rows = []
    for i in np.flatnonzero(promoted):
        uplift = rng.uniform(1.6, 2.4)
        for year in range(days[0].year, days[-1].year + 1):
            for _ in range(rng.integers(2, 4)):
                first = pd.Timestamp(year=year, month=1, day=1) + pd.Timedelta(
                    days=int(rng.integers(0, 350))
                )
                last = first + pd.Timedelta(days=int(rng.integers(6, 14)))
                lo, hi = days.searchsorted(first), days.searchsorted(last, side="right")
                factor[i, lo:hi] = uplift
                factor[i, hi : hi + 7] = np.minimum(factor[i, hi : hi + 7], 0.85)
                rows.append((items.at[i, "sku"], first, last, round(uplift, 2)))
    promotions = pd.DataFrame(rows, columns=["sku", "start", "end", "uplift"])
    return factor, promotions.sort_values(["start", "sku"]).reset_index(drop=True)


def _daily_mean(
    items: pd.DataFrame, series: pd.DataFrame, days: pd.DatetimeIndex, promo: np.ndarray
) -> np.ndarray:
    """Expected units per series (rows) and day (columns), before level shifts."""
    item = series["item"].to_numpy()
    years = ((days - pd.Timestamp("2024-01-01")).days / 365.25).to_numpy()
    trend = (1 + items["growth"].to_numpy()[:, None]) ** years[None, :]
    amplitude = np.array([FAMILY_SHAPES[f][1] for f in items["family"]]) * items["season_scale"]
    peak = np.array([FAMILY_SHAPES[f][2] for f in items["family"]])
    doy = days.dayofyear.to_numpy()
    season = 1 + amplitude.to_numpy()[:, None] * np.cos(
        2 * np.pi * (doy[None, :] - peak[:, None]) / 365.25
    )
    holiday = np.where(
        ((days.month == 12) & days.day.isin([25, 26])) | ((days.month == 1) & (days.day == 1)),
        0.1,
        1.0,
    )
    calendar = WEEKDAY[days.dayofweek.to_numpy()] * holiday
    life = _life_cycle_factor(items, days)
    per_item = items["base"].to_numpy()[:, None] * trend * season * promo * life
    return per_item[item] * series["share"].to_numpy()[:, None] * calendar[None, :]


def _life_cycle_factor(items: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    """0 before launch, a ramp over the first 8 weeks, a fade over the 90 days before discontinuation."""
    day = days.to_numpy()[None, :]
    since_launch = (day - items["launch_date"].to_numpy()[:, None]) / np.timedelta64(1, "D")
    ramp = np.clip(since_launch / 56.0, 0.0, 1.0)
    discontinue = items["discontinue_date"].to_numpy()[:, None]
    to_end = (discontinue - day) / np.timedelta64(1, "D")
    fade = np.where(np.isnan(to_end), 1.0, np.clip(0.2 + 0.8 * to_end / 90.0, 0.2, 1.0))
    fade = np.where(to_end <= 0, 0.0, fade)
    return ramp * fade


def _shift_factor(items: pd.DataFrame, series: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    factor = items["shift"].to_numpy()[series["item"].to_numpy()]
    after = np.asarray(days >= SHIFT_DATE)
    return np.where(after[None, :], factor[:, None], 1.0)


def _daily_quantity(
    items: pd.DataFrame, series: pd.DataFrame, mean: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Units ordered per series and day: Poisson-gamma, lots for slow movers, rare spikes."""
    slow = (series["speed"] == "slow").to_numpy()
    gamma = rng.gamma(4.0, 0.25, mean.shape)
    quantity = rng.poisson(mean * gamma)
    lot = items["lot"].to_numpy()[series["item"].to_numpy()][:, None]
    lumpy = (rng.random(mean.shape) < np.clip(mean / lot, 0, 1)) * (
        1 + rng.poisson(np.broadcast_to(lot - 1, mean.shape))
    )
    quantity = np.where(slow[:, None], lumpy, quantity)
    level = mean.mean(axis=1, keepdims=True)
    spike = (rng.random(mean.shape) < 0.0015) & ~slow[:, None] & (mean > 0)
    quantity = quantity + spike * np.rint(level * rng.uniform(6, 15, mean.shape)).astype(np.int64)
    return quantity.astype(np.int64)


def _orders(
    items: pd.DataFrame,
    series: pd.DataFrame,
    days: pd.DatetimeIndex,
    quantity: np.ndarray,
    promo: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Day × sku × location totals of the non-zero days, priced at that year's list price."""
    s, d = np.nonzero(quantity)
    order = np.lexsort((s, d))
    s, d = s[order], d[order]
    qty = quantity[s, d]
    item = series["item"].to_numpy()[s]
    year = days.year.to_numpy()[d]
    price = items["unit_price"].to_numpy()[item] / (1 + PRICE_RISE) ** (2026 - year)
    on_promo = promo[item, d] > 1.0
    discount = np.where(on_promo, PROMO_DISCOUNT, 0.0) + rng.uniform(0.0, 0.08, len(qty))
    frame = pd.DataFrame(
        {
            "order_date": days[d],
            "sku": series["sku"].to_numpy()[s],
            "location": series["location"].to_numpy()[s],
            "quantity": qty,
            "net_revenue": (qty * price * (1 - discount)).round(2),
        }
    )
    return frame.sort_values(["order_date", "sku", "location"], kind="stable").reset_index(
        drop=True
    )


def _products_table(items: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "sku",
        "family",
        "category",
        "unit_cost",
        "unit_price",
        "lead_time_days",
        "lead_time_sd_days",
        "service_level",
        "launch_date",
        "discontinue_date",
        "lot_size",
        "moq",
        "planner",
    ]
    lot = items["speed"].map(LOT_SIZES).astype(float)
    items = items.assign(
        lot_size=lot,
        moq=(2 * lot).where(items["speed"] == "fast"),
        planner=items["family"].map(PLANNERS).astype(object),
    )
    return items.loc[:, columns].reset_index(drop=True)
