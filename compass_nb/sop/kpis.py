"""Headline KPIs of a cycle: over the planning horizon, against last cycle and target bands.

Every figure called *plan* covers the cycle's planning horizon (``horizon`` months); the
change against last cycle is measured on the months both cycles plan, and the budget
comparison on the months the budget covers — both name their months.

A target is a band: a floor and/or a ceiling (``executive_sop.targets``). The status is
``within band``, ``below floor`` or ``above ceiling``; ``no target`` without a band,
``not measured`` without a value, and ``not assessed: …`` when the figure rests on an
assumption forced by a missing input (no stock data, unlimited capacity) — never
"within band" on an assumption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import DAYS_PER_MONTH, to_datetime
from compass_nb.errors import ParameterError

KPIS = {
    "revenue_plan": ("Revenue plan (demand at net price)", "money"),
    "revenue_served": ("Revenue served on time (supply plan)", "money"),
    "margin_plan": ("Margin plan (at net price)", "money"),
    "margin_rate": ("Margin rate", "share"),
    "fill_rate": ("Fill rate (planned)", "share"),
    "inventory_value": ("Inventory value (average a month)", "money"),
    "days_of_supply": ("Days of supply (average)", "days"),
    "forecast_accuracy": ("Forecast accuracy (1 − WAPE, lag 1)", "share"),
}


def check_bands(targets: dict | None) -> dict[str, tuple[float, float]]:
    """Target bands keyed by KPI: ``{kpi: {floor, ceiling}}`` (either may be null).

    Raises ``ParameterError`` for an unknown KPI, a band that is not a mapping, or a
    floor above its ceiling.
    """
    out = {}
    for key, band in (targets or {}).items():
        if key not in KPIS:
            raise ParameterError(
                f"executive_sop.targets has unknown key {key!r}; use: {', '.join(KPIS)}."
            )
        if band is None:
            continue
        if not isinstance(band, dict) or set(band) - {"floor", "ceiling"}:
            raise ParameterError(
                f"executive_sop.targets.{key} must be a band {{floor: …, ceiling: …}} "
                f"(null for no bound); got {band!r}."
            )
        floor = band.get("floor")
        ceiling = band.get("ceiling")
        floor = np.nan if floor is None else float(floor)
        ceiling = np.nan if ceiling is None else float(ceiling)
        if not np.isnan(floor) and not np.isnan(ceiling) and floor > ceiling:
            raise ParameterError(
                f"executive_sop.targets.{key}: floor {floor} is above ceiling {ceiling}."
            )
        if not (np.isnan(floor) and np.isnan(ceiling)):
            out[key] = (floor, ceiling)
    return out


def cycle_kpis(
    consensus: pd.DataFrame, plan: pd.DataFrame, months, accuracy: float | None = None
) -> dict[str, float]:
    """The headline figures of one cycle over the given months.

    Parameters
    ----------
    consensus
        The cycle's consensus plan (``month``, ``revenue``, ``margin``).
    plan
        The cycle's supply plan (``month``, ``demand``, ``met``, ``revenue``, ``on_hand``,
        ``inventory_value``).
    months
        Months the KPIs cover.
    accuracy
        Forecast accuracy (1 − lag-1 WAPE), when known.

    Days of supply = the average month-end on-hand ÷ the average daily demand, both over
    the months.
    """
    c = consensus[consensus["month"].isin(months)]
    p = plan[plan["month"].isin(months)]
    revenue, margin = float(c["revenue"].sum()), float(c["margin"].sum())
    demand = float(p["demand"].sum())
    n = max(p["month"].nunique(), 1)
    daily = demand / n / DAYS_PER_MONTH
    return {
        "revenue_plan": revenue,
        "revenue_served": float(p["revenue"].sum()),
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


def status(value: float, band: tuple[float, float] | None, assumption: str | None = None) -> str:
    """The honest status of a figure against its band (see the module docstring)."""
    if assumption:
        return f"not assessed: {assumption}"
    if value is None or pd.isna(value):
        return "not measured"
    if band is None:
        return "no target"
    floor, ceiling = band
    if not np.isnan(floor) and value < floor:
        return "below floor"
    if not np.isnan(ceiling) and value > ceiling:
        return "above ceiling"
    return "within band"


def kpi_table(
    current: dict[str, float],
    change: dict[str, float] | None = None,
    bands: dict[str, tuple[float, float]] | None = None,
    assumptions: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per KPI: value, change against last cycle, band and status.

    ``change`` is this cycle minus last cycle on the months both plan; ``assumptions``
    names the KPIs that rest on an assumption (their status says so).
    """
    change, bands, assumptions = change or {}, bands or {}, assumptions or {}
    rows = []
    for key, (label, kind) in KPIS.items():
        floor, ceiling = bands.get(key, (np.nan, np.nan))
        value = current.get(key, np.nan)
        rows.append(
            {
                "kpi": key,
                "label": label,
                "kind": kind,
                "value": value,
                "change": change.get(key, np.nan),
                "floor": floor,
                "ceiling": ceiling,
                "status": status(value, bands.get(key), assumptions.get(key)),
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


def _band(floor: float, ceiling: float, kind: str) -> str:
    if pd.isna(floor) and pd.isna(ceiling):
        return ""
    if pd.isna(ceiling):
        return f"≥ {_fmt(floor, kind)}"
    if pd.isna(floor):
        return f"≤ {_fmt(ceiling, kind)}"
    return f"{_fmt(floor, kind)} – {_fmt(ceiling, kind)}"


def kpi_display(table: pd.DataFrame, change_label: str = "change vs last cycle") -> pd.DataFrame:
    """:func:`kpi_table` as text: each figure formatted for its kind (money, share, days)."""
    out = pd.DataFrame({"KPI": table["label"]})
    out["Value"] = [_fmt(v, k) for v, k in zip(table["value"], table["kind"], strict=True)]
    out[change_label[:1].upper() + change_label[1:]] = [
        _fmt(v, k, True) for v, k in zip(table["change"], table["kind"], strict=True)
    ]
    out["Target band"] = [
        _band(f, c, k)
        for f, c, k in zip(table["floor"], table["ceiling"], table["kind"], strict=True)
    ]
    out["Status"] = table["status"].to_numpy()
    return out


def budget_totals(gap: pd.DataFrame) -> dict:
    """The plan against the budget over the months the budget covers (from ``budget_gap``).

    Returns ``months`` (the covered months), ``revenue``, ``budget_revenue``, ``gap_revenue``,
    ``gap_share``, ``margin``, ``budget_margin``; ``months`` empty without a budget.
    """
    g = gap.dropna(subset=["budget_revenue"]) if "budget_revenue" in gap else gap.iloc[:0]
    months = sorted(to_datetime(g["month"]).unique())
    budget = float(g["budget_revenue"].sum()) if len(g) else np.nan
    revenue = float(g["revenue"].sum()) if len(g) else np.nan
    margin_b = g["budget_margin"] if "budget_margin" in g else pd.Series(dtype=float)
    return {
        "months": [pd.Timestamp(m) for m in months],
        "revenue": revenue,
        "budget_revenue": budget,
        "gap_revenue": revenue - budget if len(g) else np.nan,
        "gap_share": (revenue - budget) / budget if len(g) and budget else np.nan,
        "margin": float(g["margin"].sum()) if len(g) else np.nan,
        "budget_margin": float(margin_b.sum(min_count=1)) if len(g) else np.nan,
    }
