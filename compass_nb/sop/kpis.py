"""Headline KPIs of a cycle, against the previous cycle, the budget and the targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import DAYS_PER_MONTH

KPIS = {
    "revenue_plan": ("Revenue plan", "money", "higher"),
    "margin_plan": ("Margin plan", "money", "higher"),
    "margin_rate": ("Margin rate", "share", "higher"),
    "fill_rate": ("Fill rate", "share", "higher"),
    "inventory_value": ("Inventory value", "money", "lower"),
    "days_of_supply": ("Days of supply", "days", "lower"),
    "forecast_accuracy": ("Forecast accuracy (1 − WAPE, lag 1)", "share", "higher"),
}


def cycle_kpis(
    consensus: pd.DataFrame, plan: pd.DataFrame, months, accuracy: float | None = None
) -> dict[str, float]:
    """The headline figures of one cycle over the given months.

    Parameters
    ----------
    consensus
        The cycle's consensus plan (``month``, ``revenue``, ``margin``).
    plan
        The cycle's supply plan (``month``, ``demand``, ``met``, ``on_hand``, ``inventory_value``).
    months
        Months the KPIs cover (e.g. the next 12).
    accuracy
        Forecast accuracy (1 − lag-1 WAPE), when known.
    """
    c = consensus[consensus["month"].isin(months)]
    p = plan[plan["month"].isin(months)]
    revenue, margin = float(c["revenue"].sum()), float(c["margin"].sum())
    demand = float(p["demand"].sum())
    n = max(p["month"].nunique(), 1)
    daily = demand / n / DAYS_PER_MONTH
    return {
        "revenue_plan": revenue,
        "margin_plan": margin,
        "margin_rate": margin / revenue if revenue else np.nan,
        "fill_rate": float(p["met"].sum()) / demand if demand > 0 else np.nan,
        "inventory_value": float(p.groupby("month")["inventory_value"].sum().mean())
        if len(p)
        else np.nan,
        "days_of_supply": float(p.groupby("month")["on_hand"].sum().mean()) / daily
        if daily > 0
        else np.nan,
        "forecast_accuracy": float(accuracy) if accuracy is not None else np.nan,
    }


def budget_kpis(budget: pd.DataFrame | None, months) -> dict[str, float]:
    """Budget revenue, margin and margin rate over the months (NaN where not budgeted)."""
    if budget is None or budget.empty:
        return {}
    b = budget[pd.to_datetime(budget["period"].astype(str) + "-01").isin(months)]
    if b.empty:
        return {}
    revenue = float(b["revenue"].sum())
    margin = float(b["margin"].sum()) if "margin" in b and b["margin"].notna().any() else np.nan
    return {
        "revenue_plan": revenue,
        "margin_plan": margin,
        "margin_rate": margin / revenue if revenue and not np.isnan(margin) else np.nan,
    }


def kpi_table(
    current: dict[str, float],
    previous: dict[str, float] | None = None,
    budget: dict[str, float] | None = None,
    targets: dict[str, float] | None = None,
) -> pd.DataFrame:
    """One row per KPI: value, previous cycle, budget, target and how each compares.

    ``status`` is ``on target`` / ``off target`` where a target is set (``higher`` or
    ``lower`` is better as the KPI says), else empty.
    """
    previous, budget, targets = previous or {}, budget or {}, targets or {}
    rows = []
    for key, (label, kind, better) in KPIS.items():
        value = current.get(key, np.nan)
        prev, bud, tgt = (
            previous.get(key, np.nan),
            budget.get(key, np.nan),
            targets.get(key, np.nan),
        )
        status = ""
        if tgt is not None and not pd.isna(tgt) and not pd.isna(value):
            good = value >= tgt if better == "higher" else value <= tgt
            status = "on target" if good else "off target"
        rows.append(
            {
                "kpi": key,
                "label": label,
                "kind": kind,
                "value": value,
                "previous": prev,
                "change": value - prev,
                "budget": bud,
                "vs_budget": value - bud,
                "target": tgt,
                "vs_target": value - tgt if tgt is not None else np.nan,
                "status": status,
            }
        )
    return pd.DataFrame(rows)


def _fmt(value: float, kind: str, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return ""
    sign = "+" if signed and value > 0 else ""
    if kind == "share":
        return f"{sign}{value * 100:.1f} pts" if signed else f"{value:.1%}"
    if kind == "days":
        return f"{sign}{value:,.0f} d"
    return f"{sign}{value:,.0f}"


def kpi_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`kpi_table` with every figure formatted for its kind (money, share, days)."""
    out = pd.DataFrame({"KPI": table["label"]})
    for col, signed in (
        ("value", False),
        ("previous", False),
        ("change", True),
        ("budget", False),
        ("vs_budget", True),
        ("target", False),
        ("vs_target", True),
    ):
        out[col] = [_fmt(v, k, signed) for v, k in zip(table[col], table["kind"], strict=True)]
    out["status"] = table["status"].to_numpy()
    return out
