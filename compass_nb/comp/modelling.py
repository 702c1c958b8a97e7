"""Plan modelling: what-if changes to a plan, anchored on what was actually paid.

**Every scenario is a change from the baseline, and the baseline is what was paid**: the
payouts of the window's months (locked figures for closed periods), to the cent.
:func:`exact_scenarios` prices each preset change with the exact engine over the same
months (started at the fiscal year holding the window, so quarter and year windows are
whole) and reports ``baseline + (changed − current)``: the engine's own run of the current
plan cancels everything the change does not touch (SPIFs, clawbacks, draws, adjustments),
so a scenario of "no change" reads the baseline to the cent.

The widget's sliders use the vector form of the rate rules
(:func:`compass_nb.comp.tiers.measure_payout_vector`, floating point, per seller and measure
at period level, without per-deal caps): :func:`what_if` gives the change, which the widget
adds to the same baseline.

* :func:`measure_frame` turns the engine's result into one row per seller, period and
  measure: credit, measure quota and target incentive, attainment.
* :func:`what_if` re-prices a period under a changed plan: rates scaled, the top tier's
  rate changed, quotas scaled.

The cost forecast with common shocks is :mod:`compass_nb.comp.forecast`.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pandas as pd

from compass_nb.comp.engine import Payouts, window_months
from compass_nb.comp.plans import Band, Measure, Plan, PlanVersion
from compass_nb.comp.tiers import measure_payout_vector

MEASURE_COLUMNS = [
    "rep_id",
    "team",
    "role",
    "period",
    "plan_id",
    "version",
    "measure",
    "credit",
    "quota",
    "target_incentive",
    "attainment",
]


def measure_frame(result: Payouts, plans: dict[str, Plan]) -> pd.DataFrame:
    """One row per seller, period and measure of the plan version in effect (floats)."""
    lines = result.lines
    commission = lines.loc[lines["kind"] == "commission"]
    credit = (
        commission.groupby(["rep_id", "period", "measure"])["credit"].apply(lambda s: float(sum(s)))
        if not commission.empty
        else pd.Series(dtype=float)
    )
    rows = []
    for s in result.sellers.itertuples():
        version = plans[s.plan_id].version_for(s.period)
        for m in version.measures:
            q, ti = float(s.quota * m.share), float(s.target_incentive * m.weight)
            c = float(credit.get((s.rep_id, s.period, m.id), 0.0))
            rows.append(
                (
                    s.rep_id,
                    s.team,
                    s.role,
                    s.period,
                    s.plan_id,
                    version.version,
                    m.id,
                    c,
                    q,
                    ti,
                    c / q if q > 0 else np.nan,
                )
            )
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def basis_frame(
    frame: pd.DataFrame, plans: dict[str, Plan], fiscal_year_start: int = 1
) -> pd.DataFrame:
    """:func:`measure_frame` rows summed over each plan's quota basis window (a quarter or
    year to date for plans with that basis), so a quarterly plan is priced on quarters.
    ``period`` becomes the window's first month."""
    basis = {(p, v.version): v.quota.basis for p, plan in plans.items() for v in plan.versions}
    first = [
        window_months(period, basis.get((plan_id, version), "month"), fiscal_year_start)[0]
        for period, plan_id, version in zip(
            frame["period"], frame["plan_id"], frame["version"], strict=True
        )
    ]
    keys = ["rep_id", "team", "role", "plan_id", "version", "measure", "period"]
    out = (
        frame.assign(period=first)
        .groupby(keys, sort=False)[["credit", "quota", "target_incentive"]]
        .sum()
        .reset_index()
    )
    out["attainment"] = np.where(
        out["quota"] > 0, out["credit"] / out["quota"].where(out["quota"] > 0, 1), np.nan
    )
    return out.loc[:, MEASURE_COLUMNS]


def _scaled_band(band: Band, scale: Decimal) -> Band:
    return Band(
        band.upper,
        None if band.rate is None else band.rate * scale,
        None if band.multiplier is None else band.multiplier * scale,
    )


def changed_measure(
    measure: Measure, *, rate_scale: float = 1.0, top_rate_scale: float = 1.0
) -> Measure:
    """``measure`` with every rate (curve payout) × ``rate_scale`` and the top tier × ``top_rate_scale``."""
    scale, top = Decimal(str(rate_scale)), Decimal(str(top_rate_scale))
    rates = measure.rates
    if rates.method == "curve":
        points = tuple((x, y * scale) for x, y in rates.points)
        points = points[:-1] + ((points[-1][0], points[-1][1] * top),)
        return dataclasses.replace(measure, rates=dataclasses.replace(rates, points=points))
    bands = [_scaled_band(b, scale) for b in rates.bands]
    bands[-1] = _scaled_band(bands[-1], top)
    return dataclasses.replace(measure, rates=dataclasses.replace(rates, bands=tuple(bands)))


def _version_measures(
    plans: dict[str, Plan], frame: pd.DataFrame
) -> dict[tuple[str, str, str], Measure]:
    found = {}
    for plan_id, version_id in (
        frame[["plan_id", "version"]].drop_duplicates().itertuples(index=False)
    ):
        version: PlanVersion = next(v for v in plans[plan_id].versions if v.version == version_id)
        found.update({(plan_id, version_id, m.id): m for m in version.measures})
    return found


def priced(
    frame: pd.DataFrame,
    plans: dict[str, Plan],
    *,
    rate_scale: float = 1.0,
    top_rate_scale: float = 1.0,
    quota_scale: float = 1.0,
) -> pd.Series:
    """Payout of each row of a :func:`measure_frame` under the (changed) plan."""
    measures = _version_measures(plans, frame)
    out = np.zeros(len(frame))
    for key, positions in frame.groupby(["plan_id", "version", "measure"]).indices.items():
        rows = frame.iloc[positions]
        m = changed_measure(measures[key], rate_scale=rate_scale, top_rate_scale=top_rate_scale)
        out[positions] = measure_payout_vector(
            rows["credit"].to_numpy(),
            m,
            quota=rows["quota"].to_numpy() * quota_scale,
            target_incentive=rows["target_incentive"].to_numpy(),
        )
    return pd.Series(out, index=frame.index)


def what_if(
    frame: pd.DataFrame,
    plans: dict[str, Plan],
    *,
    rate_scale: float = 1.0,
    top_rate_scale: float = 1.0,
    quota_scale: float = 1.0,
) -> pd.DataFrame:
    """Per seller: payout under the current plan and under the change, and attainment.

    Returns columns ``rep_id``, ``team``, ``role``, ``attainment`` (on the changed quota),
    ``target_incentive``, ``current``, ``changed``.
    """
    current = priced(frame, plans)
    changed = priced(
        frame, plans, rate_scale=rate_scale, top_rate_scale=top_rate_scale, quota_scale=quota_scale
    )
    per_row = frame.assign(
        current=current, changed=changed, changed_quota=frame["quota"] * quota_scale
    )
    out = (
        per_row.groupby(["rep_id", "team", "role"])
        .agg(
            credit=("credit", "sum"),
            quota=("changed_quota", "sum"),
            target_incentive=("target_incentive", "sum"),
            current=("current", "sum"),
            changed=("changed", "sum"),
        )
        .reset_index()
    )
    out["attainment"] = np.where(
        out["quota"] > 0, out["credit"] / out["quota"].where(out["quota"] > 0, 1), np.nan
    )
    return out


SCENARIOS = {
    "Rates +10 %": {"rate_scale": 1.1},
    "Top tier ×1.5": {"top_rate_scale": 1.5},
    "Quotas +10 %": {"quota_scale": 1.1},
    "Rates −10 %": {"rate_scale": 0.9},
}


def changed_plans(
    plans: dict[str, Plan], *, rate_scale: float = 1.0, top_rate_scale: float = 1.0
) -> dict[str, Plan]:
    """Every plan with every measure of every version changed (:func:`changed_measure`)."""
    out = {}
    for plan_id, plan in plans.items():
        versions = tuple(
            dataclasses.replace(
                v,
                measures=tuple(
                    changed_measure(m, rate_scale=rate_scale, top_rate_scale=top_rate_scale)
                    for m in v.measures
                ),
            )
            for v in plan.versions
        )
        out[plan_id] = dataclasses.replace(plan, versions=versions)
    return out


def _total(result: Payouts, months: list[str]) -> Decimal:
    rows = result.sellers.loc[result.sellers["period"].isin(months), "payout"]
    return sum(rows, Decimal(0))


def exact_scenarios(
    plans: dict[str, Plan],
    reps: pd.DataFrame,
    quotas: pd.DataFrame,
    credits: pd.DataFrame,
    *,
    months: list[str],
    baseline: Decimal,
    credited_bookings: float,
    fiscal_year_start: int = 1,
    activities: pd.DataFrame | None = None,
    awards: pd.DataFrame | None = None,
    scenarios: dict | None = None,
) -> pd.DataFrame:
    """Each preset change priced by the exact engine as a change from the baseline.

    Parameters
    ----------
    months
        The window's months (oldest first).
    baseline
        What was paid over ``months`` (locked figures for closed periods), exact.
    credited_bookings
        The window's credited bookings of sellers paid on split credit (cost of sales).

    Returns
    -------
    pandas.DataFrame
        ``scenario, total_cost, change, vs_baseline, cost_of_sales``; the first row,
        ``Current plan (as paid)``, is the baseline with a change of 0.00.
    """
    from compass_nb.comp.engine import compute_payouts

    start = window_months(months[0], "year", fiscal_year_start)[0]

    def run(plan_set, quota_table) -> Decimal:
        result = compute_payouts(
            plan_set,
            reps,
            quota_table,
            credits,
            start=start,
            end=months[-1],
            fiscal_year_start=fiscal_year_start,
            activities=activities,
            awards=awards,
        )
        return _total(result, months)

    current = run(plans, quotas)
    rows = [("Current plan (as paid)", baseline, Decimal(0))]
    for name, change in (scenarios or SCENARIOS).items():
        quota_table = quotas.assign(quota=quotas["quota"] * change.get("quota_scale", 1.0))
        plan_set = changed_plans(
            plans,
            rate_scale=change.get("rate_scale", 1.0),
            top_rate_scale=change.get("top_rate_scale", 1.0),
        )
        delta = run(plan_set, quota_table) - current
        rows.append((name, baseline + delta, delta))
    out = pd.DataFrame(rows, columns=["scenario", "total_cost", "change"])
    out["total_cost"] = out["total_cost"].map(float)
    out["change"] = out["change"].map(float)
    out["vs_baseline"] = out["change"] / float(baseline) if baseline else np.nan
    out["cost_of_sales"] = out["total_cost"] / credited_bookings if credited_bookings else np.nan
    return out
