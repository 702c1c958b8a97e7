"""The exceptions planners act on: what remains once the constrained plan is made.

Every exception is read from the plan *after* levelling (build-ahead and late production
already done), one row per item (or resource) and month, each with its size in its own
unit, its value in money, an owner, a due month and a status carried from the previous
cycle:

* ``capacity short`` — a family's demand that its bottleneck resource cannot serve in the
  month, even with build-ahead: size in units, value the revenue at risk (net price);
  owner the resource's (``capacity.owner``);
* ``demand not served`` — a SKU × location's demand not served in its month: size in
  units, value the revenue at risk; owner the item's planner (``products.planner``);
* ``below safety stock`` — projected on hand under the safety stock: size the units short,
  value at unit cost;
* ``excess stock`` — projected on hand above the maximum cover, one row per SKU × location
  (its first month above the cover): size the largest excess over the horizon, value at
  unit cost;
* ``receipt outside life`` — a scheduled receipt of an item in a month it is not active
  (after its discontinuation, before its launch): cancel or move it; value at unit cost;
* ``plan above history`` — an item's next-12-month plan more than a set multiple of its
  last 12 months' sales: size the units above that multiple, value at net price.

Owners fall back to the parameter mapping (family, SKU or resource → owner) and then to
``unassigned``. The due month is when the owner must act: the exception's month less the
item's lead time (capacity: the lead time to add capacity), never before the first plan
month. Status: ``new`` (not in the previous cycle), ``open`` (already there), ``resolved``
(in the previous cycle, gone now, its month still ahead; shown with size 0). Exceptions
held per item rather than per month (excess stock, plan above history) are matched on
the item alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import DAYS_PER_MONTH, to_datetime

COLUMNS = [
    "exception",
    "family",
    "sku",
    "location",
    "resource",
    "month",
    "size",
    "unit",
    "value",
    "owner",
    "due",
    "status",
]
KEY = ["exception", "family", "sku", "location", "resource", "month"]
ORDER = {
    "capacity short": 0,
    "demand not served": 1,
    "below safety stock": 2,
    "plan above history": 3,
    "receipt outside life": 4,
    "excess stock": 5,
}
TOLERANCE = 1e-6
UNASSIGNED = "unassigned"
#: Kinds held once per item (their month is when they start, not part of their identity).
PER_ITEM = ("excess stock", "plan above history")


def item_owners(products: pd.DataFrame, owners: dict | None) -> pd.Series:
    """Owner of each SKU: ``products.planner``, else the mapping (SKU, then family), else unassigned."""
    owners = {str(k): str(v) for k, v in (owners or {}).items()}
    p = products.drop_duplicates("sku").set_index("sku")
    planner = p["planner"] if "planner" in p else pd.Series(np.nan, index=p.index)
    by_sku = pd.Series(p.index.map(owners.get), index=p.index)
    by_family = p["family"].astype(str).map(owners)
    owner = planner.where(planner.notna() & (planner.astype(str) != ""), by_sku)
    owner = owner.where(owner.notna(), by_family)
    return owner.where(owner.notna(), UNASSIGNED).astype(object)


def resource_owners(capacity: pd.DataFrame, owners: dict | None) -> pd.Series:
    """Owner of each resource: ``capacity.owner``, else the mapping, else unassigned."""
    owners = {str(k): str(v) for k, v in (owners or {}).items()}
    if capacity is None or capacity.empty:
        return pd.Series(dtype=object)
    named = capacity["owner"] if "owner" in capacity else pd.Series(np.nan, index=capacity.index)
    first = named.groupby(capacity["resource"]).first()
    resources = pd.Index(sorted(capacity["resource"].astype(str).unique()))
    out = first.reindex(resources)
    return out.fillna(pd.Series(resources.map(owners.get), index=resources)).fillna(UNASSIGNED)


def _due(month: pd.Series, lead_months: pd.Series | float, first_month) -> pd.Series:
    """The month to act in: ``month`` less the lead time (whole months), not before ``first_month``."""
    lead = np.ceil(np.asarray(lead_months, dtype=float) - 1e-9).astype(int)
    due = pd.Series(
        [
            m - pd.DateOffset(months=int(k))
            for m, k in zip(month, np.broadcast_to(lead, len(month)), strict=True)
        ],
        index=month.index,
        dtype="datetime64[ns]",
    )
    return due.clip(lower=pd.Timestamp(first_month))


def _items(plan, mask, kind, size, value, unit="units") -> pd.DataFrame:
    rows = plan.loc[mask, ["family", "sku", "location", "month"]].copy()
    rows["exception"] = kind
    rows["resource"] = ""
    rows["size"] = size[mask].astype(float)
    rows["unit"] = unit
    rows["value"] = value[mask].astype(float)
    rows["lead"] = plan.loc[mask, "lead_time_months"] if "lead_time_months" in plan else 0.0
    return rows


def _excess(plan: pd.DataFrame) -> pd.DataFrame:
    """One excess-stock row per SKU × location: first month above cover, largest excess."""
    x = plan[plan["excess"] > TOLERANCE]
    first = x.sort_values("month").groupby(["sku", "location"], as_index=False).first()
    peak = x.groupby(["sku", "location"], as_index=False)["excess"].max()
    rows = first.drop(columns="excess").merge(peak, on=["sku", "location"]).reset_index(drop=True)
    mask = pd.Series(True, index=rows.index)
    return _items(rows, mask, "excess stock", rows["excess"], rows["excess"] * rows["unit_cost"])


def capacity_short(plan: pd.DataFrame, load: pd.DataFrame) -> pd.DataFrame:
    """Family × month demand the bottleneck cannot serve after levelling (see module docstring)."""
    if load is None or load.empty:
        return pd.DataFrame(columns=[*KEY, "size", "value"])
    managed = set(load["family"])
    fam = (
        plan[plan["family"].isin(managed)]
        .groupby(["family", "month"], as_index=False)[["unmet", "unmet_revenue"]]
        .sum()
    )
    fam = fam[fam["unmet"] > TOLERANCE]
    neck = load.sort_values(["family", "month", "capacity_units", "resource"])
    neck = neck.groupby(["family", "month"], as_index=False).first()[
        ["family", "month", "resource"]
    ]
    out = fam.merge(neck, on=["family", "month"], how="left")
    return pd.DataFrame(
        {
            "exception": "capacity short",
            "family": out["family"],
            "sku": "",
            "location": "",
            "resource": out["resource"].fillna(""),
            "month": out["month"],
            "size": out["unmet"].astype(float),
            "unit": "units",
            "value": out["unmet_revenue"].astype(float),
        }
    )


def supply_exceptions(
    plan: pd.DataFrame,
    load: pd.DataFrame,
    *,
    first_month,
    item_owner: pd.Series,
    resource_owner: pd.Series,
    capacity_lead_months: float,
    above_history: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every exception of a levelled supply plan (see the module docstring).

    Parameters
    ----------
    plan, load
        ``SupplyPlan.plan`` (with ``producible`` and, for due months, ``lead_time_months``)
        and ``SupplyPlan.load``.
    first_month
        The first plan month (nothing is due before it).
    item_owner, resource_owner
        :func:`item_owners` and :func:`resource_owners`.
    capacity_lead_months
        Months it takes to add capacity (the due month of a capacity exception).
    above_history
        Items whose plan exceeds the set multiple of their history (``family``, ``sku``,
        ``excess_units``, ``excess_revenue``), from :func:`compass_nb.sop.value.plan_vs_history`.
    previous
        The previous cycle's exceptions (their status is carried).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, by kind then value (largest first).
    """
    short_ss = plan["safety_stock"] - plan["on_hand"]
    alive = plan["producible"] if "producible" in plan else pd.Series(True, index=plan.index)
    parts = [
        _items(
            plan,
            plan["unmet"] > TOLERANCE,
            "demand not served",
            plan["unmet"],
            plan["unmet_revenue"],
        ),
        _items(
            plan,
            plan["below_safety_stock"] & (short_ss > TOLERANCE),
            "below safety stock",
            short_ss,
            short_ss * plan["unit_cost"],
        ),
        _excess(plan),
        _items(
            plan,
            ~alive.astype(bool) & (plan["receipts"] > TOLERANCE),
            "receipt outside life",
            plan["receipts"],
            plan["receipts"] * plan["unit_cost"],
        ),
    ]
    items = pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=True)
    items["owner"] = items["sku"].map(item_owner).fillna(UNASSIGNED)
    kind_lead = np.where(
        items["exception"].isin(["excess stock", "receipt outside life"]), 0.0, 1.0
    )
    items["due"] = _due(items["month"], items["lead"].fillna(0.0) * kind_lead, first_month)
    capacity = capacity_short(plan, load)
    capacity["owner"] = capacity["resource"].map(resource_owner).fillna(UNASSIGNED)
    capacity["due"] = _due(capacity["month"], capacity_lead_months, first_month)
    frames = [items.drop(columns="lead"), capacity]
    if above_history is not None and not above_history.empty:
        h = above_history
        frames.append(
            pd.DataFrame(
                {
                    "exception": "plan above history",
                    "family": h["family"],
                    "sku": h["sku"],
                    "location": "",
                    "resource": "",
                    "month": pd.Timestamp(first_month),
                    "size": h["excess_units"].astype(float),
                    "unit": "units",
                    "value": h["excess_revenue"].astype(float),
                    "owner": h["sku"].map(item_owner).fillna(UNASSIGNED),
                    "due": pd.Timestamp(first_month),
                }
            )
        )
    out = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else pd.DataFrame(columns=COLUMNS)
    )
    out = carry_status(out, previous, first_month)
    out = out.assign(_k=out["exception"].map(ORDER)).sort_values(
        ["_k", "value", "month"], ascending=[True, False, True], kind="stable"
    )
    return out[COLUMNS].reset_index(drop=True)


def carry_status(current: pd.DataFrame, previous: pd.DataFrame | None, first_month) -> pd.DataFrame:
    """``status`` of each exception against the previous cycle's (see the module docstring)."""
    out = current.copy()
    for column in ("sku", "location", "resource", "family"):
        out[column] = out[column].fillna("").astype(str)
    if previous is None or previous.empty or "exception" not in previous:
        return out.assign(status="new")
    prev = previous.copy()
    for column in ("sku", "location", "resource", "family"):
        prev[column] = prev[column].fillna("").astype(str)
    prev["month"] = to_datetime(prev["month"])
    ahead = (prev["month"] >= pd.Timestamp(first_month)) | prev["exception"].isin(PER_ITEM)
    prev = prev[ahead]
    if "status" in prev:
        prev = prev[prev["status"] != "resolved"]
    keys_prev, keys_now = _keys(prev), _keys(out)
    seen, kept = set(keys_prev), set(keys_now)
    out["status"] = ["open" if k in seen else "new" for k in keys_now]
    gone = prev[[k not in kept for k in keys_prev]]
    if gone.empty:
        return out
    resolved = gone.reindex(columns=COLUMNS).assign(size=0.0, value=0.0, status="resolved")
    resolved["due"] = to_datetime(resolved["due"]) if "due" in gone else pd.NaT
    resolved["owner"] = resolved["owner"].fillna(UNASSIGNED)
    resolved["unit"] = resolved["unit"].fillna("units")
    return pd.concat([out, resolved], ignore_index=True)


def _keys(frame: pd.DataFrame) -> list[tuple]:
    """Each exception's identity: its kind, item or resource and (but for per-item kinds) month."""
    month = to_datetime(frame["month"]).dt.strftime("%Y-%m")
    month = month.where(~frame["exception"].isin(PER_ITEM), "")
    parts = frame[["exception", "family", "sku", "location", "resource"]].astype(str)
    return list(map(tuple, parts.assign(month=month).to_numpy()))


def exception_summary(exceptions: pd.DataFrame) -> pd.DataFrame:
    """Count, total size (units) and total value (money) per kind and status."""
    if exceptions.empty:
        return pd.DataFrame(columns=["exception", "status", "count", "units", "value"])
    out = exceptions.groupby(["exception", "status"], as_index=False, sort=False).agg(
        count=("size", "size"), units=("size", "sum"), value=("value", "sum")
    )
    out = out.assign(_k=out["exception"].map(ORDER)).sort_values(["_k", "status"])
    return out.drop(columns="_k").reset_index(drop=True)


def lead_months(products: pd.DataFrame) -> pd.Series:
    """Each SKU's lead time in months."""
    p = products.drop_duplicates("sku").set_index("sku")
    return (p["lead_time_days"].astype(float) / DAYS_PER_MONTH).rename("lead_time_months")
