"""Gaps between consensus demand and constrained supply: what the plan cannot serve."""

from __future__ import annotations

import pandas as pd


def demand_supply_gaps(plan: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Demand − constrained supply served on time, by family and month.

    Parameters
    ----------
    plan
        ``SupplyPlan.plan`` (``demand``, ``met``, ``net_price``, ``unit_cost``).
    by
        Grouping (default ``family``, ``month``).

    Returns
    -------
    pandas.DataFrame
        ``by`` plus ``demand``, ``supply`` (served on time), ``gap_units``,
        ``revenue_at_risk``, ``margin_at_risk``, ``fill_rate``; sorted by revenue at risk.
    """
    by = by or ["family", "month"]
    price = plan["net_price"] if "net_price" in plan else plan["unit_price"]
    df = plan.assign(
        gap_units=plan["demand"] - plan["met"],
        revenue_at_risk=(plan["demand"] - plan["met"]) * price,
        margin_at_risk=(plan["demand"] - plan["met"]) * (price - plan["unit_cost"]),
    )
    out = df.groupby(by, as_index=False).agg(
        demand=("demand", "sum"),
        supply=("met", "sum"),
        gap_units=("gap_units", "sum"),
        revenue_at_risk=("revenue_at_risk", "sum"),
        margin_at_risk=("margin_at_risk", "sum"),
    )
    out["fill_rate"] = out["supply"] / out["demand"].where(out["demand"] > 0)
    order = ["revenue_at_risk", *by]
    return out.sort_values(order, ascending=[False] + [True] * len(by)).reset_index(drop=True)


def gap_periods(gaps: pd.DataFrame, min_revenue: float = 0.0) -> pd.DataFrame:
    """Group each family's consecutive months with a gap into one gap to close.

    Returns ``gap_id`` (``family|first month|last month``), ``family``, ``first_month``,
    ``last_month``, ``gap_units``, ``revenue_at_risk``, ``margin_at_risk``.
    """
    g = gaps[gaps["gap_units"] > 1e-6].sort_values(["family", "month"])
    if g.empty:
        return pd.DataFrame(
            columns=[
                "gap_id",
                "family",
                "first_month",
                "last_month",
                "gap_units",
                "revenue_at_risk",
                "margin_at_risk",
            ]
        )
    month_no = g["month"].dt.year * 12 + g["month"].dt.month
    run = (month_no.diff() != 1) | (g["family"] != g["family"].shift())
    g = g.assign(_run=run.cumsum())
    out = g.groupby("_run", as_index=False).agg(
        family=("family", "first"),
        first_month=("month", "min"),
        last_month=("month", "max"),
        gap_units=("gap_units", "sum"),
        revenue_at_risk=("revenue_at_risk", "sum"),
        margin_at_risk=("margin_at_risk", "sum"),
    )
    out = out[out["revenue_at_risk"] >= min_revenue]
    out["gap_id"] = (
        out["family"]
        + "|"
        + out["first_month"].dt.strftime("%Y-%m")
        + "|"
        + out["last_month"].dt.strftime("%Y-%m")
    )
    cols = [
        "gap_id",
        "family",
        "first_month",
        "last_month",
        "gap_units",
        "revenue_at_risk",
        "margin_at_risk",
    ]
    return out[cols].sort_values("revenue_at_risk", ascending=False).reset_index(drop=True)
