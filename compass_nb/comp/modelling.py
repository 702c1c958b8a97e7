"""Plan modelling: what-if changes to a plan and a Monte-Carlo of next period's cost.

Both use the vector form of the rate rules (:func:`compass_nb.comp.tiers.measure_payout_vector`):
floating point, per seller and measure at period level, without per-deal caps, SPIFs,
clawbacks or draws. They are estimates for design and budgeting; payouts come from
the exact engine.

* :func:`measure_frame` turns the engine's result into one row per seller, period and
  measure: credit, measure quota and target incentive, attainment.
* :func:`what_if` re-prices a period under a changed plan: rates scaled, the top tier's
  rate changed, quotas scaled.
* :func:`simulate_cost` draws each seller's attainment per measure from the past
  attainment of sellers on the same plan and measure (a seeded bootstrap of the last
  ``months`` months) and returns the distribution of total cost for the next period;
  :func:`cost_percentiles` gives P10/P50/P90 for the budget.
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


def next_period_frame(
    frame: pd.DataFrame, quotas: pd.DataFrame, period: str, next_period: str, reps: pd.DataFrame
) -> pd.DataFrame:
    """The sellers of ``period`` still employed, with next period's quotas where the table has them."""
    current = frame.loc[frame["period"] == period].copy()
    exits = pd.to_datetime(reps.get("termination_date", pd.Series(pd.NaT, index=reps.index)))
    leaving = reps.loc[exits.notna() & (exits < pd.Period(next_period, "M").start_time), "rep_id"]
    current = current.loc[~current["rep_id"].isin(leaving.astype(str))]
    full_now = quotas.loc[quotas["period"] == period].groupby("rep_id")["quota"].sum()
    full_next = quotas.loc[quotas["period"] == next_period].groupby("rep_id")["quota"].sum()
    ratio = (full_next / full_now).replace([np.inf, -np.inf], np.nan)
    factor = current["rep_id"].map(ratio).fillna(1.0)
    return current.assign(
        period=next_period, quota=current["quota"] * factor, credit=np.nan, attainment=np.nan
    )


def simulate_cost(
    frame: pd.DataFrame,
    history: pd.DataFrame,
    plans: dict[str, Plan],
    *,
    n: int = 2000,
    seed: int = 0,
    months: int = 24,
) -> np.ndarray:
    """Total cost of ``frame``'s sellers in ``n`` simulated periods (one value per simulation).

    Each seller's attainment on each measure is drawn, independently and with replacement,
    from the attainments of ``history`` rows of the same plan and measure that start in the
    ``months`` months before ``frame``'s period (months with no credit count as 0 %
    attainment). Pass :func:`basis_frame` rows as ``history`` so that a quarterly plan
    draws quarterly attainment.
    """
    rng = np.random.default_rng(seed)
    measures = _version_measures(plans, frame)
    first = str(pd.Period(frame["period"].max(), "M") - months) if not frame.empty else ""
    past = history.loc[(history["period"] >= first) & history["attainment"].notna()]
    total = np.zeros(n)
    for key, rows in frame.groupby(["plan_id", "version", "measure"]):
        pool = past.loc[
            (past["plan_id"] == key[0]) & (past["measure"] == key[2]), "attainment"
        ].to_numpy()
        if pool.size == 0:
            pool = np.zeros(1)
        quota = rows["quota"].to_numpy()
        draws = rng.choice(pool, size=(n, len(rows)))
        pay = measure_payout_vector(
            draws * quota,
            measures[key],
            quota=np.broadcast_to(quota, draws.shape),
            target_incentive=np.broadcast_to(rows["target_incentive"].to_numpy(), draws.shape),
        )
        total += pay.sum(axis=1)
    return total


def cost_percentiles(totals: np.ndarray, levels: tuple[int, ...] = (10, 50, 90)) -> pd.DataFrame:
    """Percentiles of simulated total cost, e.g. P10/P50/P90 for the budget."""
    return pd.DataFrame(
        {"percentile": [f"P{p}" for p in levels], "total_cost": np.percentile(totals, levels)}
    )
