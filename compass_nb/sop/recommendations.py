"""Recommendations: actions that close a gap, valued by re-running the supply plan.

For each gap (a family's consecutive months of unmet demand) the candidate action is
extra capacity on the family's bottleneck resource over those months — a shift, overtime
or a subcontractor — sized to the gap and capped at ``max_increase``. The plan is re-run
with that change; the units, revenue and margin it recovers are the action's value.
Recommendations are ranked by recovered margin.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from compass_nb.sop.capacity import family_capacity
from compass_nb.sop.supply import SupplyPlan

COLUMNS = ["rank", "gap_id", "family", "action", "resource", "first_month", "last_month",
           "capacity_change", "recovered_units", "recovered_revenue", "recovered_margin",
           "gap_revenue", "share_of_gap_closed"]


def _bottleneck(capacity: pd.DataFrame, family: str, first, last) -> tuple[str, float] | None:
    """The resource limiting ``family`` most often in the months, and its capacity there."""
    caps = family_capacity(capacity)
    rows = caps[(caps["family"] == family) & caps["month"].between(first, last)]
    if rows.empty:
        return None
    resource = rows["bottleneck"].value_counts().sort_index().idxmax()
    units = capacity[(capacity["resource"] == resource) & (capacity["family"] == family)
                     & capacity["month"].between(first, last)]["capacity_units"].sum()
    return str(resource), float(units)


def rank_recommendations(
    gaps: pd.DataFrame,
    base: SupplyPlan,
    replan: Callable[[list[dict]], SupplyPlan],
    *,
    max_increase: float = 0.25,
    limit: int = 5,
) -> pd.DataFrame:
    """Value a capacity action per gap and rank them.

    Parameters
    ----------
    gaps
        :func:`compass_nb.sop.gaps.gap_periods` output.
    base
        The base supply plan.
    replan
        Re-runs the base plan with a list of capacity changes and returns the new plan.
    max_increase
        Largest capacity increase proposed on one resource (fraction).
    limit
        Number of gaps (largest revenue at risk first) to value.

    Returns
    -------
    pandas.DataFrame
        The ``COLUMNS`` of this module, ranked by recovered margin (rank 1 = most).
    """
    rows = []
    for gap in gaps.head(limit).itertuples():
        found = _bottleneck(base.capacity, gap.family, gap.first_month, gap.last_month)
        if found is None:
            continue
        resource, capacity_units = found
        change = min(max_increase, gap.gap_units / capacity_units) if capacity_units > 0 else max_increase
        change = max(round(change + 0.005, 2), 0.01)
        spec = [{"resource": resource, "change": change,
                 "from": gap.first_month.strftime("%Y-%m"), "to": gap.last_month.strftime("%Y-%m")}]
        new = replan(spec)
        recovered = base.plan["unmet"].sum() - new.plan["unmet"].sum()
        rows.append({
            "gap_id": gap.gap_id, "family": gap.family,
            "action": (f"add {change:.0%} capacity on {resource} "
                       f"{gap.first_month:%Y-%m} to {gap.last_month:%Y-%m}"),
            "resource": resource, "first_month": gap.first_month, "last_month": gap.last_month,
            "capacity_change": change, "recovered_units": float(recovered),
            "recovered_revenue": float(new.plan["revenue"].sum() - base.plan["revenue"].sum()),
            "recovered_margin": float(new.plan["margin"].sum() - base.plan["margin"].sum()),
            "gap_revenue": float(gap.revenue_at_risk),
        })
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.DataFrame(rows)
    out["share_of_gap_closed"] = (out["recovered_revenue"] / out["gap_revenue"].where(out["gap_revenue"] > 0)).clip(upper=1.0)
    out = out.sort_values("recovered_margin", ascending=False).reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out[COLUMNS]
