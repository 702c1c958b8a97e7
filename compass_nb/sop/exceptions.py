"""The four standard supply-planning exceptions, one row per SKU (or resource) and month.

* ``demand not satisfied`` — demand not served in its month (constrained plan), size in
  units, value the revenue at risk;
* ``below safety stock`` — projected on-hand under the safety stock, size the units short
  of it, value at unit cost;
* ``shortage`` — production required (against demand and safety stock) that capacity does
  not cover on time, size in units, value at unit cost;
* ``resource overloaded`` — unconstrained load of a family above its capacity on a
  resource, size the units over, value the overload as a share of capacity.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ["exception", "family", "sku", "location", "resource", "month", "size", "value", "unit"]
TOLERANCE = 1e-6


def _items(
    plan: pd.DataFrame, mask: pd.Series, kind: str, size: pd.Series, value: pd.Series
) -> pd.DataFrame:
    rows = plan.loc[mask, ["family", "sku", "location", "month"]].copy()
    rows["exception"] = kind
    rows["resource"] = ""
    rows["size"] = size[mask]
    rows["value"] = value[mask]
    rows["unit"] = "units"
    return rows


def supply_exceptions(plan: pd.DataFrame, load: pd.DataFrame) -> pd.DataFrame:
    """Every exception of a supply plan, largest value first within each kind.

    Parameters
    ----------
    plan, load
        ``SupplyPlan.plan`` and ``SupplyPlan.load`` (per resource × family × month) (:func:`compass_nb.sop.supply.supply_plan`).

    Returns
    -------
    pandas.DataFrame
        ``exception``, ``family``, ``sku``, ``location``, ``resource``, ``month``, ``size``,
        ``value``, ``unit``.
    """
    short_ss = plan["safety_stock"] - plan["on_hand"]
    parts = [
        _items(
            plan,
            plan["unmet"] > TOLERANCE,
            "demand not satisfied",
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
        _items(
            plan,
            plan["shortfall"] > TOLERANCE,
            "shortage",
            plan["shortfall"],
            plan["shortfall"] * plan["unit_cost"],
        ),
    ]
    over = load[load["utilisation"] > 1.0 + TOLERANCE]
    parts.append(
        pd.DataFrame(
            {
                "exception": "resource overloaded",
                "family": over["family"],
                "sku": "",
                "location": "",
                "resource": over["resource"],
                "month": over["month"],
                "size": over["load_units"] - over["capacity_units"],
                "value": over["utilisation"] - 1.0,
                "unit": "units over capacity",
            }
        )
    )
    out = (
        pd.concat([p for p in parts if not p.empty], ignore_index=True)
        if any(not p.empty for p in parts)
        else pd.DataFrame(columns=COLUMNS)
    )
    order = {
        "demand not satisfied": 0,
        "shortage": 1,
        "below safety stock": 2,
        "resource overloaded": 3,
    }
    out = out.assign(_k=out["exception"].map(order)).sort_values(
        ["_k", "value", "month"], ascending=[True, False, True]
    )
    return out[COLUMNS].reset_index(drop=True)


def exception_summary(exceptions: pd.DataFrame) -> pd.DataFrame:
    """Count, total size and total value per exception kind."""
    return exceptions.groupby("exception", as_index=False, sort=False).agg(
        count=("size", "size"), size=("size", "sum"), value=("value", "sum")
    )
