"""The consensus demand plan: statistical forecast → judgmental overrides → consensus.

An override row sets the value the forecast *becomes* for one month (DESIGN.md):

* ``sku`` and ``location`` — that SKU × location;
* ``sku`` only — the SKU's total, spread over its locations in proportion to the
  statistical forecast (equally where it is zero);
* ``family`` (with or without ``location``) — the family's total, spread in proportion to
  the forecast over the rows that no SKU override fixes.

When several overrides target the same thing and month, the one made in the latest
cycle wins (then the last row).

Before the overrides, the statistical forecast is multiplied by each item's life-cycle
share (:mod:`compass_nb.sop.lifecycle`: nothing before launch or after discontinuation)
and new items without a forecast get their documented start; overrides never give units
to an item outside its life. The plan is valued at net price
(:mod:`compass_nb.sop.prices`), the list price kept for reference.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from compass_nb.calendar import fiscal_quarter, month_of, to_datetime
from compass_nb.sop.lifecycle import life_shares, new_item_start

PLAN_KEYS = ["family", "sku", "location", "month"]


def statistical_forecast(forecast: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """SKU × location rows of the forecast snapshot for the plan months.

    Returns ``family``, ``sku``, ``location``, ``month``, ``stat_forecast``,
    ``stat_lo_80``, ``stat_hi_80`` (intervals default to the point forecast).
    """
    f = forecast[forecast["level"] == "sku_location"] if "level" in forecast else forecast
    f = f.assign(month=month_of(f["ds"]).to_numpy())
    f = f[f["month"].isin(months)]
    out = f[["family", "sku", "location", "month"]].copy()
    out["stat_forecast"] = f["yhat"].astype(float).fillna(0.0).clip(lower=0.0).to_numpy()
    for col, src in (("stat_lo_80", "yhat_lo_80"), ("stat_hi_80", "yhat_hi_80")):
        vals = f[src].astype(float) if src in f else f["yhat"].astype(float)
        out[col] = vals.fillna(f["yhat"].astype(float)).clip(lower=0.0).to_numpy()
    return out.groupby(PLAN_KEYS, as_index=False).sum()


def _latest_overrides(overrides: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    o = overrides.copy()
    for col in ("family", "sku", "location", "reason"):
        if col not in o:
            o[col] = pd.NA
    if "target_period" in o:  # kept from the widget: the store's own ``period`` is the cycle
        o["period"] = o["target_period"].where(o["target_period"].notna(), o["period"])
    o["month"] = to_datetime(o["period"].astype(str), format="%Y-%m", errors="coerce").to_numpy()
    o = o[o["month"].isin(months)].reset_index(drop=True)
    o["_order"] = np.arange(len(o))
    o = o.sort_values(["cycle", "_order"])
    target = ["family", "sku", "location", "month"]
    key = o[target].astype(str).agg("|".join, axis=1)
    return o[~key.duplicated(keep="last")].drop(columns="_order")


def _spread(total: float, weights: pd.Series) -> pd.Series:
    weights = weights.clip(lower=0.0)
    if weights.sum() > 0:
        return total * weights / weights.sum()
    return pd.Series(total / len(weights), index=weights.index)


def apply_overrides(
    stat: pd.DataFrame, overrides: pd.DataFrame | None, *, base: str = "stat_forecast"
) -> pd.DataFrame:
    """Consensus quantity per row after the overrides (see the module docstring).

    Parameters
    ----------
    stat
        :func:`statistical_forecast` output (optionally with ``life_share``: rows outside
        the item's life take no share of a family override and end at 0).
    overrides
        The ``overrides`` input (``cycle``, ``period``, ``family``/``sku``, ``location?``,
        ``quantity``, ``author``, ``reason?``), already cut off at the cycle.
    base
        The column the overrides replace and spread by (the forecast they start from).

    Returns
    -------
    pandas.DataFrame
        ``stat`` plus ``override`` (the row's overridden value, NaN where none),
        ``override_level`` (``sku_location``, ``sku``, ``family`` or empty), ``override_author``
        and ``consensus``.
    """
    out = stat.reset_index(drop=True).copy()
    out["override"] = np.nan
    out["override_level"] = ""
    out["override_author"] = ""
    alive = out["life_share"] > 0 if "life_share" in out else pd.Series(True, index=out.index)
    if overrides is None or overrides.empty:
        out["consensus"] = out[base]
        return out
    o = _latest_overrides(overrides, pd.DatetimeIndex(out["month"].unique()))
    sku_rows = o[o["sku"].notna()]
    fam_rows = o[o["sku"].isna() & o["family"].notna()]
    # SKU totals first (spread over locations), then exact SKU × location overrides
    for has_location in (False, True):
        part = sku_rows[sku_rows["location"].notna() == has_location]
        for r in part.itertuples():
            mask = (out["sku"] == r.sku) & (out["month"] == r.month) & alive
            if has_location:
                mask &= out["location"] == r.location
            if mask.any():
                out.loc[mask, "override"] = _spread(float(r.quantity), out.loc[mask, base])
                out.loc[mask, "override_level"] = "sku_location" if has_location else "sku"
                out.loc[mask, "override_author"] = str(r.author)
    fixed = out["override"].notna()
    for r in fam_rows.itertuples():
        scope = (out["family"] == r.family) & (out["month"] == r.month) & alive
        if pd.notna(r.location):
            scope &= out["location"] == r.location
        free = scope & ~fixed
        if free.any():
            rest = max(float(r.quantity) - out.loc[scope & fixed, "override"].sum(), 0.0)
            out.loc[free, "override"] = _spread(rest, out.loc[free, base])
            out.loc[free, "override_level"] = "family"
            out.loc[free, "override_author"] = str(r.author)
    out["consensus"] = out["override"].fillna(out[base]).where(alive, 0.0)
    return out


def unmatched_overrides(stat: pd.DataFrame, overrides: pd.DataFrame | None) -> pd.DataFrame:
    """Overrides for plan months that were not applied, with why: they name a SKU or family
    that has no plan row, or a SKU outside its life that month (``stat`` with ``life_share``)."""
    columns = ["cycle", "period", "family", "sku", "location", "quantity", "author", "why"]
    if overrides is None or overrides.empty or stat.empty:
        return pd.DataFrame(columns=columns)
    o = _latest_overrides(overrides, pd.DatetimeIndex(stat["month"].unique()))
    by_sku = o["sku"].notna()
    known_sku = o["sku"].isin(set(stat["sku"]))
    known_family = o["family"].isin(set(stat["family"]))
    o["why"] = np.where(
        (by_sku & ~known_sku) | (~by_sku & ~known_family), "no plan row for the item or family", ""
    )
    if "life_share" in stat:
        alive = stat[stat["life_share"] > 0]
        live = set(zip(alive["sku"], alive["month"], strict=True))
        dead = [(s, m) not in live for s, m in zip(o["sku"], o["month"], strict=True)]
        outside = by_sku & known_sku & pd.Series(dead, index=o.index, dtype=bool)
        o.loc[outside, "why"] = "the item is not active that month (life cycle)"
    return o.loc[o["why"] != "", columns]


def consensus_plan(
    forecast: pd.DataFrame,
    overrides: pd.DataFrame | None,
    products: pd.DataFrame,
    months: pd.DatetimeIndex,
    *,
    prices: pd.DataFrame,
    ramp: Sequence[float],
) -> pd.DataFrame:
    """The consensus plan per family × SKU × location × month, valued at net price.

    Parameters
    ----------
    forecast
        The cycle's forecast (every level; the ``sku_location`` rows are planned).
    overrides
        The ``overrides`` input, cut off at the cycle.
    products
        ``sku``, ``family`` and the optional ``launch_date``, ``discontinue_date``.
    months
        The plan months.
    prices
        :func:`compass_nb.sop.prices.net_prices`.
    ramp
        A new item's share of its family's average item in its launch month and the next
        ones, then 1 (the shared ``launch_ramp``, as the forecast's launches use it).

    Returns
    -------
    pandas.DataFrame
        The :func:`apply_overrides` columns; ``life_share`` and ``lifecycle`` (units the life
        cycle removes from the forecast, or adds as a new item's start); ``unit_price``
        (list), ``net_price``, ``price_source``, ``unit_cost``; ``revenue`` and ``margin``
        at net price and ``list_revenue``. ``consensus = stat_forecast + lifecycle +
        adjustment`` where ``adjustment`` is the overrides' change.
    """
    family = products.drop_duplicates("sku").set_index("sku")["family"]
    known = forecast["family"] if "family" in forecast else pd.Series(pd.NA, index=forecast.index)
    forecast = forecast.assign(
        family=known.fillna(forecast["sku"].map(family)).fillna("(no family)")
    )
    stat = statistical_forecast(forecast, months)
    shares = life_shares(products, months)[["sku", "month", "life_share"]]
    stat = stat.merge(shares, on=["sku", "month"], how="left").fillna({"life_share": 1.0})
    stat["planned"] = stat["stat_forecast"] * stat["life_share"]
    new = new_item_start(stat.assign(stat_forecast=stat["planned"]), products, months, ramp=ramp)
    if not new.empty:
        new = new.merge(shares, on=["sku", "month"], how="left").fillna({"life_share": 0.0})
        new = new.rename(columns={"launch_profile": "planned"}).assign(
            stat_forecast=0.0, stat_lo_80=0.0, stat_hi_80=0.0
        )
        stat = pd.concat([stat, new[stat.columns]], ignore_index=True)
    stat["lifecycle"] = stat["planned"] - stat["stat_forecast"]
    plan = apply_overrides(stat, overrides, base="planned")
    plan["adjustment"] = plan["consensus"] - plan["planned"]
    plan = plan.drop(columns="planned")
    value = prices[["sku", "unit_price", "net_price", "price_source", "unit_cost"]]
    plan = plan.merge(value, on="sku", how="left")
    plan = plan.fillna({"unit_price": 0.0, "net_price": 0.0, "unit_cost": 0.0})
    plan["price_source"] = plan["price_source"].fillna("list")
    return value_plan(plan).sort_values(PLAN_KEYS).reset_index(drop=True)


def value_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """``revenue`` and ``margin`` at net price and ``list_revenue`` of the ``consensus``."""
    out = plan.copy()
    out["revenue"] = out["consensus"] * out["net_price"]
    out["margin"] = out["consensus"] * (out["net_price"] - out["unit_cost"])
    out["list_revenue"] = out["consensus"] * out["unit_price"]
    return out


def waterfall(plan: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Statistical forecast → life cycle → override adjustment → consensus, per family and month.

    Returns ``by`` (default ``family``, ``month``), ``stat_forecast``, ``lifecycle``,
    ``adjustment``, ``consensus``, ``stat_revenue`` (at net price) and ``revenue``.
    """
    by = by or ["family", "month"]
    df = plan.assign(stat_revenue=plan["stat_forecast"] * plan["net_price"])
    cols = ["stat_forecast", "lifecycle", "adjustment", "consensus", "stat_revenue", "revenue"]
    return df.groupby(by, as_index=False)[cols].sum()[by + cols]


def budget_gap(plan: pd.DataFrame, budget: pd.DataFrame | None) -> pd.DataFrame:
    """Consensus against the annual operating plan per family × month (units and revenue).

    Returns ``family``, ``month``, ``consensus``, ``revenue``, ``budget_quantity``,
    ``budget_revenue``, ``gap_units`` and ``gap_revenue`` (consensus − budget; NaN where
    the budget has no figure).
    """
    ours = plan.groupby(["family", "month"], as_index=False)[
        ["consensus", "revenue", "margin"]
    ].sum()
    if budget is None or budget.empty:
        b = pd.DataFrame(
            columns=["family", "month", "budget_quantity", "budget_revenue", "budget_margin"]
        )
    else:
        b = budget.assign(month=month_of(budget["period"].astype(str)).to_numpy())
        for col in ("quantity", "margin"):
            if col not in b:
                b[col] = np.nan
        b = b.groupby(["family", "month"], as_index=False).agg(
            budget_quantity=("quantity", lambda s: s.sum(min_count=1)),
            budget_revenue=("revenue", "sum"),
            budget_margin=("margin", lambda s: s.sum(min_count=1)),
        )
    out = ours.merge(b, on=["family", "month"], how="left")
    out["gap_units"] = out["consensus"] - out["budget_quantity"].astype(float)
    out["gap_revenue"] = out["revenue"] - out["budget_revenue"].astype(float)
    return out


def budget_gap_by_family(gap: pd.DataFrame) -> pd.DataFrame:
    """:func:`budget_gap` summed per family over the months the budget covers."""
    cols = ["consensus", "budget_quantity", "gap_units", "revenue", "budget_revenue", "gap_revenue"]
    covered = gap.dropna(subset=["budget_revenue"])
    return covered.groupby("family", as_index=False)[cols].sum(min_count=1)


def pipeline_comparison(
    plan: pd.DataFrame,
    pipeline_commit: pd.DataFrame | None,
    quarter: str,
    fiscal_year_start: int = 1,
) -> pd.DataFrame:
    """Consensus revenue by family for a fiscal quarter beside the pipeline's commit.

    Returns ``family``, ``quarter``, ``consensus_revenue``, ``commit``, ``best_case``,
    ``weighted`` and ``weighted_vs_consensus`` (weighted − consensus); empty when the
    pipeline notebook wrote nothing.
    """
    if pipeline_commit is None or pipeline_commit.empty:
        return pd.DataFrame(
            columns=[
                "family",
                "quarter",
                "consensus_revenue",
                "commit",
                "best_case",
                "weighted",
                "weighted_vs_consensus",
            ]
        )
    q = plan.assign(quarter=fiscal_quarter(plan["month"], fiscal_year_start).to_numpy())
    ours = (
        q[q["quarter"] == quarter]
        .groupby("family", as_index=False)
        .agg(consensus_revenue=("revenue", "sum"))
    )
    pc = pipeline_commit[pipeline_commit["quarter"] == quarter].rename(
        columns={"product_family": "family"}
    )
    pc = pc.groupby(["family", "quarter"], as_index=False)[
        ["commit", "best_case", "weighted"]
    ].sum()
    out = ours.merge(pc, on="family", how="outer")
    out["quarter"] = quarter
    out["weighted_vs_consensus"] = out["weighted"] - out["consensus_revenue"]
    return out[
        [
            "family",
            "quarter",
            "consensus_revenue",
            "commit",
            "best_case",
            "weighted",
            "weighted_vs_consensus",
        ]
    ]


def adjust_total(
    plan: pd.DataFrame, family: str, location: str | None, month, quantity: float
) -> pd.DataFrame:
    """The plan with one family (× location) × month total set to ``quantity``, revalued.

    The new total is spread over the rows of items active that month in proportion to
    their consensus (equally where it is zero), as a family override would be; revenue
    and margin follow (at net price when the plan carries it).
    """
    out = plan.copy()
    scope = (out["family"] == family) & (out["month"] == pd.Timestamp(month))
    if "life_share" in out:
        scope &= out["life_share"] > 0
    if location is not None:
        scope &= out["location"] == location
    if not scope.any():
        return out
    out.loc[scope, "consensus"] = _spread(float(max(quantity, 0.0)), out.loc[scope, "consensus"])
    price = out["net_price"] if "net_price" in out else out["unit_price"]
    out["revenue"] = out["consensus"] * price
    out["margin"] = out["consensus"] * (price - out["unit_cost"])
    return out


def override_record(
    cycle: str,
    family: str,
    location: str | None,
    month,
    quantity: float,
    author: str,
    reason: str = "",
) -> pd.DataFrame:
    """One ``overrides`` row (the input contract) for a family (× location) × month total.

    ``target_period`` repeats ``period`` because the cycle store stamps its own ``period``
    (the cycle) on saved rows; :func:`apply_overrides` reads it back.
    """
    target = pd.Timestamp(month).strftime("%Y-%m")
    return pd.DataFrame(
        [
            {
                "cycle": str(cycle),
                "period": target,
                "family": family,
                "sku": None,
                "location": location,
                "quantity": float(quantity),
                "author": str(author),
                "reason": str(reason),
                "target_period": target,
            }
        ]
    )
