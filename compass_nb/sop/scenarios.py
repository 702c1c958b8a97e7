"""Scenarios: the supply plan re-run under other demand or capacity, compared with base.

A scenario is a dict (from ``pre_sop_review.scenarios`` or built in)::

    {name: upside, demand: upside}                       # the coherent 80 % upper bound
    {name: line-c-plus-10, capacity: [{resource: Line-C, change: 0.10, from: "2027-01"}]}

``demand`` is ``base`` (the consensus), ``upside`` or ``downside``; ``capacity`` is a
list of changes (:func:`compass_nb.sop.capacity.apply_capacity_changes`). A scenario
marked ``demo_only: true`` runs on the demo company only (its resources are the demo's).

Upside and downside come from the reconciled distribution of the forecast, never from
adding up every SKU's bounds (which would assume every item is high in the same month).
Each month, the consensus total moves by the total level's own 80 % half-width, in units
(:func:`coherent_bounds`); those units go to families in proportion to their own
reconciled half-width, and within a family to its SKU × location rows in proportion to
their consensus. Without a total level each family moves by its own half-width, and
without either the SKU half-widths are combined as independent (square root of the sum
of squares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import DAYS_PER_MONTH, month_of
from compass_nb.errors import ParameterError
from compass_nb.formatting import no_negative_zero
from compass_nb.sop.capacity import apply_capacity_changes, resource_load
from compass_nb.sop.supply import SupplyPlan, supply_plan

DEMAND_COLUMNS = {"base": "consensus", "upside": "consensus_hi_80", "downside": "consensus_lo_80"}
STANDARD = [
    {"name": "base", "demand": "base"},
    {"name": "upside", "demand": "upside"},
    {"name": "downside", "demand": "downside"},
]
METRICS = {
    "revenue": "Revenue served",
    "margin": "Margin served",
    "fill_rate": "Fill rate",
    "inventory_value": "Average inventory value",
    "ending_inventory": "Inventory value at the horizon's end",
    "days_of_supply": "Days of supply",
    "utilisation": "Average utilisation",
    "unmet_units": "Unmet demand (units)",
    "unmet_revenue": "Unmet demand (revenue)",
}


def _levels(forecast: pd.DataFrame, level: str, by: list[str]) -> pd.DataFrame:
    """Half-widths of the 80 % interval of one forecast level, in units (``up``, ``down``)."""
    f = forecast[forecast["level"] == level] if "level" in forecast else forecast.iloc[:0]
    if f.empty or "yhat_hi_80" not in f:
        return pd.DataFrame(columns=[*by, "up", "down"])
    f = f.assign(month=month_of(f["ds"]).to_numpy())
    out = f.groupby(by, as_index=False)[["yhat", "yhat_lo_80", "yhat_hi_80"]].sum()
    out["up"] = (out["yhat_hi_80"] - out["yhat"]).clip(lower=0.0)
    out["down"] = (out["yhat"] - out["yhat_lo_80"]).clip(lower=0.0)
    return out[[*by, "up", "down"]]


def coherent_bounds(plan: pd.DataFrame, forecast: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Upside and downside demand of every plan row from the reconciled forecast distribution.

    Parameters
    ----------
    plan
        The consensus plan (``family``, ``month``, ``consensus``, ``stat_forecast``,
        ``stat_lo_80``, ``stat_hi_80``).
    forecast
        The cycle's forecast with its ``total`` and ``family`` levels.

    Returns
    -------
    (plan, method)
        ``plan`` with ``consensus_lo_80`` and ``consensus_hi_80`` (see the module
        docstring), and the method in words, for the assumptions ledger. Each month the
        upside adds the total level's own upper half-width (in units) to the consensus,
        the downside takes off its lower half-width; a family takes a share in proportion
        to its own half-width, each row a share of its family's in proportion to consensus.
    """
    out = plan.copy()
    total = _levels(forecast, "total", ["month"]).set_index("month")
    family = _levels(forecast, "family", ["family", "month"]).set_index(["family", "month"])
    cells = out.groupby(["family", "month"])["consensus"].sum().rename("c").to_frame()
    month_c = cells.groupby(level="month")["c"].transform("sum")
    months = pd.Series(cells.index.get_level_values("month"), index=cells.index)
    if not total.empty or not family.empty:
        for side, column in (("up", "consensus_hi_80"), ("down", "consensus_lo_80")):
            own = family[side].reindex(cells.index) if not family.empty else cells["c"] * np.nan
            if total.empty:
                extra = own.fillna(0.0)
            else:
                whole = months.map(total[side]).fillna(0.0)
                # a family without its own level takes its consensus share of the total's
                proportional = cells["c"] * whole / month_c.where(month_c > 0)
                weight = own.where(cells["c"] > 0, 0.0).fillna(proportional)
                month_w = weight.groupby(level="month").transform("sum")
                share = (weight / month_w.where(month_w > 0)).fillna(
                    cells["c"] / month_c.where(month_c > 0)
                )
                extra = whole * share.fillna(0.0)
            sign = 1.0 if side == "up" else -1.0
            out = _spread_extra(out, extra.rename("extra"), cells["c"], column, sign)
        if total.empty:
            return out, "each family's own 80 % interval (no total level in the forecast)"
        return out, (
            "the total level's own 80 % interval (reconciled), shared by families in proportion "
            "to their own interval and by SKUs in proportion to consensus"
        )
    half = {
        side: (sign * (out[col] - out["stat_forecast"])).clip(lower=0.0) ** 2
        for side, col, sign in (("up", "stat_hi_80", 1), ("down", "stat_lo_80", -1))
    }
    rows_c = out.groupby("month")["consensus"].transform("sum")
    for side, column, sign in (("up", "consensus_hi_80", 1), ("down", "consensus_lo_80", -1)):
        spread = np.sqrt(half[side].groupby(out["month"]).transform("sum"))
        extra = spread * out["consensus"] / rows_c.where(rows_c > 0)
        out[column] = (out["consensus"] + sign * extra.fillna(0.0)).clip(lower=0.0)
    return out, "SKU intervals combined as independent (no family or total level in the forecast)"


def _spread_extra(
    plan: pd.DataFrame, extra: pd.Series, cell_total: pd.Series, column: str, sign: float
) -> pd.DataFrame:
    """``column`` = consensus ± each family × month's ``extra`` units shared by consensus."""
    key = pd.MultiIndex.from_frame(plan[["family", "month"]])
    units = pd.Series(extra.reindex(key).to_numpy(), index=plan.index).fillna(0.0)
    total = pd.Series(cell_total.reindex(key).to_numpy(), index=plan.index)
    share = (plan["consensus"] / total.where(total > 0)).fillna(0.0)
    return plan.assign(**{column: (plan["consensus"] + sign * units * share).clip(lower=0.0)})


def scenario_specs(extra: list[dict] | None = None) -> list[dict]:
    """Base, upside and downside, then the parameter scenarios; checks each spec."""
    specs = [dict(s) for s in STANDARD] + [dict(s) for s in (extra or [])]
    names = [s.get("name") for s in specs]
    for spec in specs:
        if not spec.get("name"):
            raise ParameterError("every scenario in pre_sop_review.scenarios needs a name.")
        if spec.get("demand", "base") not in DEMAND_COLUMNS:
            raise ParameterError(
                f"scenario {spec['name']!r}: demand must be one of {', '.join(DEMAND_COLUMNS)}, "
                f"got {spec.get('demand')!r}."
            )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParameterError(
            f"scenario names must be unique; rename: {', '.join(map(str, dupes))}."
        )
    return specs


def scenario_demand(consensus: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The demand a scenario plans for (``family``, ``sku``, ``location``, ``month``, ``demand``)."""
    col = DEMAND_COLUMNS[spec.get("demand", "base")]
    return consensus[["family", "sku", "location", "month"]].assign(
        demand=consensus[col].to_numpy()
    )


def run_scenario(
    consensus: pd.DataFrame, spec: dict, capacity: pd.DataFrame, **plan_inputs
) -> SupplyPlan:
    """Re-run the supply plan for one scenario.

    ``capacity`` is capacity by month; ``plan_inputs`` are the other arguments of
    :func:`compass_nb.sop.supply.supply_plan` (``opening``, ``safety``, ``receipts``,
    ``products``, ``months``, ``priority``, ``max_cover_months``).
    """
    changed = apply_capacity_changes(capacity, spec.get("capacity"))
    return supply_plan(scenario_demand(consensus, spec), capacity=changed, **plan_inputs)


def plan_metrics(plan: SupplyPlan) -> dict[str, float]:
    """Headline figures of a supply plan (the scenario comparison's rows)."""
    p = plan.plan
    demand = p["demand"].sum()
    months = max(p["month"].nunique(), 1)
    on_hand_by_month = p.groupby("month")["on_hand"].sum()
    daily = demand / months / DAYS_PER_MONTH
    util = (
        resource_load(plan.load)["planned_utilisation"]
        if not plan.load.empty
        else pd.Series(dtype=float)
    )
    return {
        "revenue": float(p["revenue"].sum()),
        "margin": float(p["margin"].sum()),
        "fill_rate": float(p["met"].sum() / demand) if demand > 0 else float("nan"),
        "inventory_value": float(p.groupby("month")["inventory_value"].sum().mean()),
        "ending_inventory": float(p.groupby("month")["inventory_value"].sum().iloc[-1])
        if len(p)
        else 0.0,
        "days_of_supply": float(on_hand_by_month.mean() / daily) if daily > 0 else float("nan"),
        "utilisation": float(util.mean()) if len(util) else float("nan"),
        "unmet_units": float(p["unmet"].sum()),
        "unmet_revenue": float(p["unmet_revenue"].sum()),
    }


def scenario_table(metrics: dict[str, dict[str, float]], base: str = "base") -> pd.DataFrame:
    """Scenarios side by side: one row per scenario × metric with its delta against base.

    Returns ``scenario``, ``metric``, ``label``, ``value``, ``base_value``, ``delta``.
    """
    if base not in metrics:
        raise ParameterError(
            f"the base scenario {base!r} is missing; keep a scenario named {base!r}."
        )
    rows = [
        {
            "scenario": name,
            "metric": key,
            "label": METRICS[key],
            "value": values[key],
            "base_value": metrics[base][key],
            "delta": values[key] - metrics[base][key],
        }
        for name, values in metrics.items()
        for key in METRICS
    ]
    return pd.DataFrame(rows)


def assumptions_ledger(
    specs: list[dict], priority: str, method: str = "", inputs: list[str] | None = None
) -> pd.DataFrame:
    """What each scenario assumes, one row per assumption (``scenario``, ``topic``, ``assumption``).

    ``method`` says how upside and downside were drawn (:func:`coherent_bounds`);
    ``inputs`` are the assumptions every scenario shares because an input is absent.
    """
    how = f" — {method}" if method else ""
    wording = {
        "base": "consensus demand plan",
        "upside": f"upper bound of the 80 % interval{how}",
        "downside": f"lower bound of the 80 % interval{how}",
    }
    rows = []
    for spec in specs:
        name = spec["name"]
        rows.append(
            {"scenario": name, "topic": "demand", "assumption": wording[spec.get("demand", "base")]}
        )
        changes = spec.get("capacity") or []
        for c in changes:
            span = f" from {c['from']}" if c.get("from") else ""
            span += f" to {c['to']}" if c.get("to") else ""
            rows.append(
                {
                    "scenario": name,
                    "topic": "capacity",
                    "assumption": f"{c['resource']} {float(c.get('change', 0)):+.0%}{span}",
                }
            )
        if not changes:
            rows.append(
                {
                    "scenario": name,
                    "topic": "capacity",
                    "assumption": "capacity as in the capacity table",
                }
            )
        rows.append(
            {
                "scenario": name,
                "topic": "allocation",
                "assumption": f"shortage allocated by {priority} priority",
            }
        )
        if spec.get("description"):
            rows.append({"scenario": name, "topic": "note", "assumption": str(spec["description"])})
        for text in inputs or []:
            rows.append({"scenario": name, "topic": "input", "assumption": text})
    return pd.DataFrame(rows)


KINDS = {
    "revenue": "money",
    "margin": "money",
    "fill_rate": "share",
    "inventory_value": "money",
    "ending_inventory": "money",
    "days_of_supply": "days",
    "utilisation": "share",
    "unmet_units": "units",
    "unmet_revenue": "money",
}


def _as_text(value: float, kind: str, signed: bool) -> str:
    if value is None or pd.isna(value):
        return ""
    value = float(value) + 0.0
    if kind == "share":
        return no_negative_zero(f"{value * 100:+.1f} pts") if signed else f"{value:.1%}"
    text = no_negative_zero(f"{value:{'+' if signed else ''},.0f}")
    text = "0" if text == "+0" else text
    return text + (" d" if kind == "days" else "")


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """Scenarios as columns: each metric's base value and every other scenario's change against
    it, as text in the metric's unit (money, share, days, units)."""
    base = table[table["scenario"] == "base"].set_index("label")["value"].rename("base")
    deltas = table[table["scenario"] != "base"].pivot_table(
        index="label", columns="scenario", values="delta", sort=False
    )
    deltas.columns = [f"{c} vs base" for c in deltas.columns]
    wide = pd.concat([base, deltas], axis=1).reindex(list(METRICS.values()))
    kinds = {METRICS[k]: KINDS[k] for k in METRICS}
    out = pd.DataFrame(index=wide.index)
    for column in wide.columns:
        signed = column != "base"
        out[column] = [_as_text(v, kinds[m], signed) for m, v in wide[column].items()]
    return out.rename_axis("metric").reset_index()
