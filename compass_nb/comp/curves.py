"""Pay curves: what each plan pays against attainment, with its tiers, accelerators, gates and caps.

For every plan in effect in a month and every measure of it, the payout as a share of the
measure's target incentive at attainments from 0 to ``top`` (the vector form of the rate
rules, :func:`compass_nb.comp.tiers.measure_payout_vector`, at quota 1 and target incentive
1; per-deal caps depend on the deals and are not drawn). A component paid per activity is
drawn against its target units: pay as a share of what the target pays. Plan design, not
anyone's pay: the curves are shareable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.comp.activities import activity_payout_vector
from compass_nb.comp.plans import Plan
from compass_nb.comp.tiers import measure_payout_vector

CURVE_COLUMNS = ["plan_id", "plan", "version", "component", "basis", "attainment", "payout_share"]


def pay_curves(
    plans: dict[str, Plan], period: str, *, top: float = 2.5, points: int = 101
) -> pd.DataFrame:
    """The pay curve of every measure and activity component of every plan in ``period``.

    Examples
    --------
    A flat 10 % plan whose base commission rate pays the target at quota reads 1.0 at 100 %
    and 2.0 at 200 %; a hard cap at 2× target incentive flattens it from 200 % on.
    """
    grid = np.linspace(0.0, top, points)
    ones = np.ones_like(grid)
    rows = []
    for _, plan in sorted(plans.items()):
        try:
            version = plan.version_for(period)
        except Exception:  # noqa: BLE001 - a plan not in effect this month has no curve
            continue
        for measure in version.measures:
            pay = measure_payout_vector(grid, measure, quota=ones, target_incentive=ones)
            rows.append(_rows(plan, version.version, measure.id, version.quota.basis, grid, pay))
        for component in version.activities:
            if component.target is None or component.target <= 0:
                continue
            units = grid * float(component.target)
            pay = activity_payout_vector(units, component)
            at_target = float(
                activity_payout_vector(np.array([float(component.target)]), component)[0]
            )
            share = pay / at_target if at_target > 0 else np.full_like(pay, np.nan)
            rows.append(_rows(plan, version.version, component.id, "month", grid, share))
    if not rows:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    return pd.concat(rows, ignore_index=True).loc[:, CURVE_COLUMNS]


def _rows(plan: Plan, version: str, component: str, basis: str, grid, pay) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plan_id": plan.plan_id,
            "plan": plan.name,
            "version": version,
            "component": component,
            "basis": basis,
            "attainment": grid,
            "payout_share": pay,
        }
    )
