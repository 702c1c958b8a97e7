"""The cost forecast of next month's variable pay, with common shocks, and its backtest.

Sellers do not win or lose independently: a good month is good for most of them (the market,
the season, a quarter end when deals are pulled in), and a plan paid on the quarter to date
pays its accelerators in the months the quarter's credit crosses the bands. The forecast of
month ``m``, made at the end of ``m − 1`` from what was known then, draws in each simulation
one **market month** ``k``: one of the months of the last ``history_months`` in the same
position of the fiscal quarter as ``m`` (month 1, 2 or 3). Then:

* **commission**: each seller's credit on each measure is
  ``quota of m × F_k × r``, where ``F_k`` is month ``k``'s company attainment (credited
  bookings ÷ quota of the sellers paid on split credit) — the common shock, with its
  quarter-end timing — and ``r`` a seller's attainment relative to the company's in its
  month, drawn from the same plan and measure over the history window (the idiosyncratic
  part). A plan measured on the quarter or year to date pays what the window to date earns
  after ``m`` minus what it earned before ``m`` (the vector form of the rate rules:
  :func:`compass_nb.comp.tiers.measure_payout_vector`), so accelerators fall where the
  quarter crosses them;
* **pay per activity** and **activity SPIFs**: each SDR's counts are one SDR-month of month
  ``k``, drawn at random, priced through the plan (bands, cap, the SPIF's remaining cap);
* **deal SPIFs** active in ``m``: the qualifying deals of month ``k`` × their amount, at most
  the sellers' remaining caps;
* **awards** already decided for ``m`` (``spif_awards``, e.g. a contest's payouts) are added
  as they are;
* **draws, clawbacks and adjustments**: their mean over the last ``other_months`` months.

Per-deal caps and rounding are not simulated: it is an estimate for the budget; payouts come
from the exact engine. :func:`cost_backtest` makes the forecast for each of past months and
counts how often the actual cost fell inside P10–P90.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.comp.activities import activity_payout_vector
from compass_nb.comp.engine import Payouts, period_targets, window_months
from compass_nb.comp.plans import Plan, PlanVersion
from compass_nb.comp.tiers import measure_payout_vector

PERCENTILES = (10, 50, 90)
COMPONENTS = ("commission", "activity", "spif", "awards", "other")
#: The components as the report names them.
COMPONENT_NAMES = {
    "commission": "commission on measures",
    "activity": "pay per activity",
    "spif": "SPIFs of the plans",
    "awards": "awarded SPIFs (e.g. contests)",
    "other": "draws, clawbacks, adjustments (recent mean)",
}


@dataclasses.dataclass(frozen=True)
class ForecastSettings:
    """The knobs of the cost forecast (``compensation`` parameter section)."""

    simulations: int
    seed: int
    history_months: int
    other_months: int


@dataclasses.dataclass
class CostForecast:
    """The simulated cost of one month: ``draws`` (total per simulation) and each component's
    draws (``parts``), with the market months that were drawn from."""

    month: str
    draws: np.ndarray
    parts: dict[str, np.ndarray]
    market: pd.DataFrame

    def percentile(self, p: int) -> float:
        return float(np.percentile(self.draws, p)) if self.draws.size else float("nan")

    @property
    def percentiles(self) -> pd.DataFrame:
        """``percentile, total_cost`` at P10, P50, P90."""
        return pd.DataFrame(
            {
                "percentile": [f"P{p}" for p in PERCENTILES],
                "total_cost": [self.percentile(p) for p in PERCENTILES],
            }
        )

    @property
    def components(self) -> pd.DataFrame:
        """Mean, P10 and P90 of each component."""
        rows = [
            {
                "component": COMPONENT_NAMES.get(name, name),
                "mean": float(values.mean()),
                "p10": float(np.percentile(values, 10)),
                "p90": float(np.percentile(values, 90)),
            }
            for name, values in self.parts.items()
        ]
        return pd.DataFrame(rows, columns=["component", "mean", "p10", "p90"])


def quarter_position(month: str, fiscal_year_start: int = 1) -> int:
    """1, 2 or 3: the month's place in its fiscal quarter."""
    return (pd.Period(month, "M").month - fiscal_year_start) % 3 + 1


def _floats(frame: pd.DataFrame, columns) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].map(float) for c in columns if c in frame})


def market_factors(measures: pd.DataFrame, sellers: pd.DataFrame) -> pd.Series:
    """Company attainment by month: credited bookings ÷ quota of the sellers paid on split
    credit (the common factor of the simulation), from :func:`measure_frame` rows."""
    split = sellers.loc[sellers["crediting"] == "split", ["rep_id", "period"]]
    rows = measures.merge(split, on=["rep_id", "period"], how="inner")
    grouped = rows.groupby("period")[["credit", "quota"]].sum()
    return (grouped["credit"] / grouped["quota"]).where(grouped["quota"] > 0).dropna()


def _relative_attainment(measures: pd.DataFrame, factors: pd.Series) -> pd.DataFrame:
    rows = measures.loc[measures["quota"] > 0].copy()
    rows["factor"] = rows["period"].map(factors)
    rows = rows.loc[rows["factor"] > 0]
    rows["r"] = rows["credit"] / rows["quota"] / rows["factor"]
    return rows


def _active_reps(reps: pd.DataFrame, month: str) -> pd.DataFrame:
    """Sellers known at the end of the month before ``month`` and still employed then."""
    known = pd.Period(month, "M").start_time - pd.Timedelta(days=1)
    hired = to_datetime(reps["hire_date"]) <= known
    term = to_datetime(reps.get("termination_date", pd.Series(pd.NaT, index=reps.index)))
    staying = term.isna() | (term > known)
    return reps.loc[hired & staying].assign(termination_date=pd.NaT)


def _version(plan: Plan, month: str) -> PlanVersion | None:
    try:
        return plan.version_for(month)
    except Exception:  # noqa: BLE001 - a plan without a version for the month pays nothing
        return None


def _commission(
    month, reps, plans, lookup, measures, pool, factor_draws, fys, rng, n
) -> np.ndarray:
    """Simulated commission of every seller and measure in ``month`` (see the module)."""
    total = np.zeros(n)
    for rep in reps.itertuples():
        plan = plans[str(rep.plan_id)]
        version = _version(plan, month)
        if version is None or not version.measures:
            continue
        window = window_months(month, version.quota.basis, fys)
        before = [m for m in window if m < month]
        targets = {m: period_targets(rep, plan, m, lookup, fys) for m in window}
        q_m, _ = targets[month]
        q_w = sum((targets[m][0] for m in window), Decimal(0))
        ti_w = sum((targets[m][1] for m in window), Decimal(0))
        mine = measures.loc[(measures["rep_id"] == rep.rep_id) & measures["period"].isin(before)]
        for measure in version.measures:
            share_q = float(q_m * measure.share)
            if share_q <= 0:
                continue
            done = float(mine.loc[mine["measure"] == measure.id, "credit"].sum())
            rs = pool.get((plan.plan_id, measure.id))
            if rs is None or not len(rs):
                continue
            credit = share_q * factor_draws * rs[rng.integers(len(rs), size=n)]
            quota_w = np.full(n, float(q_w * measure.share))
            ti = np.full(n, float(ti_w * measure.weight))
            after = measure_payout_vector(
                done + credit, measure, quota=quota_w, target_incentive=ti
            )
            before_pay = measure_payout_vector(
                np.full(n, done), measure, quota=quota_w, target_incentive=ti
            )
            total += after - before_pay
    return total


def _activity_counts(activities: pd.DataFrame | None, rules: dict) -> pd.DataFrame:
    """Per SDR and month, the units each activity rule counts (``rules``: name → rule)."""
    if activities is None or activities.empty or not rules:
        return pd.DataFrame(columns=["rep_id", "period", *rules])
    frame = pd.DataFrame(
        {
            "rep_id": activities["rep_id"].astype(str),
            "period": to_datetime(activities["activity_date"]).dt.strftime("%Y-%m"),
        }
    )
    qualified = activities.get("qualified", pd.Series(pd.NA, index=activities.index))
    linked = activities.get("opportunity_id", pd.Series(None, index=activities.index)).notna()
    for name, rule in rules.items():
        ok = activities["kind"].isin(rule.kinds) if rule.kinds is not None else True
        if rule.qualified is not None:
            ok = ok & (qualified.astype("boolean") == rule.qualified).fillna(False)
        if getattr(rule, "with_opportunity", False):
            ok = ok & linked
        frame[name] = pd.Series(ok, index=activities.index).astype(int)
    return frame.groupby(["rep_id", "period"], as_index=False)[list(rules)].sum()


def _spif_paid(lines: pd.DataFrame, month: str) -> pd.DataFrame:
    spif = lines.loc[(lines["kind"] == "spif") & (lines["period"] < month)]
    return spif.groupby(["rep_id", "band"])["amount"].apply(lambda s: float(sum(s)))


def cost_forecast(
    result: Payouts,
    plans: dict[str, Plan],
    reps: pd.DataFrame,
    quotas: pd.DataFrame,
    month: str,
    *,
    activities: pd.DataFrame | None = None,
    awards: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
    settings: ForecastSettings,
    measures: pd.DataFrame | None = None,
) -> CostForecast:
    """The simulated cost of ``month`` from what was known at the end of the month before.

    Parameters
    ----------
    result
        The engine's payouts (lines and per-seller rows); only months before ``month`` are
        read.
    plans, reps, quotas
        The plans and input tables (quotas of ``month`` and its window are plans, known ahead).
    month
        The month forecast, ``YYYY-MM``.
    activities, awards
        The optional ``activities`` table and the awards decided for ``month``.
    measures
        :func:`compass_nb.comp.modelling.measure_frame` of ``result`` (computed when absent).
    """
    from compass_nb.comp.modelling import measure_frame
    from compass_nb.comp.quota import quota_lookup

    s, fys = settings, fiscal_year_start
    rng = np.random.default_rng([s.seed, int(month.replace("-", ""))])
    n = s.simulations
    first = str(pd.Period(month, "M") - s.history_months)
    sellers = _floats(
        result.sellers.loc[(result.sellers["period"] < month)],
        ["payout", "target_incentive", "quota", "credit", "draw", "clawback", "adjustment"],
    )
    if measures is None:
        measures = measure_frame(result, plans)
    measures = measures.loc[measures["period"] < month]
    factors = market_factors(measures, sellers)
    factors = factors.loc[factors.index >= first]
    position = quarter_position(month, fys)
    same = [p for p in factors.index if quarter_position(p, fys) == position]
    market = pd.DataFrame({"period": same, "factor": factors.reindex(same).to_numpy()})
    if market.empty:
        return CostForecast(month, np.array([]), {}, market)
    picks = rng.integers(len(market), size=n)
    factor_draws = market["factor"].to_numpy()[picks]
    window = measures.loc[measures["period"] >= first]
    relative = _relative_attainment(window, factors)
    pool = {key: g["r"].to_numpy() for key, g in relative.groupby(["plan_id", "measure"])}
    active = _active_reps(reps, month)
    lookup = quota_lookup(quotas)
    parts = {name: np.zeros(n) for name in COMPONENTS}
    parts["commission"] = _commission(
        month, active, plans, lookup, measures, pool, factor_draws, fys, rng, n
    )
    _activities_and_spifs(
        parts, month, active, plans, activities, result, market, picks, rng, n, first
    )
    if awards is not None and not awards.empty:
        due = awards.loc[awards["pay_period"] == month]
        parts["awards"] += float(due["amount"].sum())
    recent = sellers.loc[sellers["period"] >= str(pd.Period(month, "M") - s.other_months)]
    other = recent.groupby("period")[["draw", "clawback", "adjustment"]].sum().sum(axis=1)
    parts["other"] += float(other.mean()) if len(other) else 0.0
    return CostForecast(month, sum(parts.values()), parts, market)


def _activities_and_spifs(
    parts, month, active, plans, activities, result, market, picks, rng, n, first
):
    """Pay per activity, activity SPIFs and deal SPIFs of ``month`` (see the module)."""
    day = pd.Period(month, "M")
    start, end = day.start_time.date(), day.end_time.date()
    rules, owners = {}, {}
    spifs = []
    for rep in active.itertuples():
        version = _version(plans[str(rep.plan_id)], month)
        if version is None:
            continue
        for component in version.activities:
            rules[f"a:{component.id}"] = component
            owners.setdefault(rep.rep_id, []).append(("activity", component))
        for spif in version.spifs:
            if spif.start <= end and spif.end >= start:
                spifs.append((rep.rep_id, spif))
                if spif.per == "activity":
                    rules[f"s:{spif.id}"] = spif
    history = activities
    if history is not None and not history.empty:
        history = history.loc[
            (to_datetime(history["activity_date"]) < day.start_time)
            & (to_datetime(history["activity_date"]) >= pd.Period(first, "M").start_time)
        ]
    counts_table = _activity_counts(history, rules)
    paid = _spif_paid(result.lines, month)
    months = market["period"].to_numpy()[picks]
    activity_spifs: dict[str, list] = {}
    for rep_id, spif in spifs:
        if spif.per == "activity":
            activity_spifs.setdefault(rep_id, []).append(spif)
    for rep_id in sorted(set(owners) | set(activity_spifs)):
        drawn = _drawn_rows(counts_table, months, rng)  # one SDR-month per simulation
        for _, component in owners.get(rep_id, []):
            parts["activity"] += activity_payout_vector(drawn[f"a:{component.id}"], component)
        for spif in activity_spifs.get(rep_id, []):
            left = (
                np.inf if spif.cap is None else float(spif.cap) - paid.get((rep_id, spif.id), 0.0)
            )
            units = drawn[f"s:{spif.id}"].to_numpy()
            parts["spif"] += np.minimum(units * float(spif.per_unit), max(left, 0.0))
    _deal_spifs(parts, spifs, result, months, paid)


def _drawn_rows(counts_table: pd.DataFrame, months: np.ndarray, rng) -> pd.DataFrame:
    """One SDR-month of each drawn market month per simulation (zeros when none)."""
    if counts_table.empty:
        return pd.DataFrame(0.0, index=range(len(months)), columns=counts_table.columns[2:])
    by_month = {p: g.iloc[:, 2:].to_numpy(float) for p, g in counts_table.groupby("period")}
    columns = counts_table.columns[2:]
    out = np.zeros((len(months), len(columns)))
    for i, p in enumerate(months):
        rows = by_month.get(p)
        if rows is not None and len(rows):
            out[i] = rows[rng.integers(len(rows))]
    return pd.DataFrame(out, columns=columns)


def _deal_spifs(parts, spifs, result, months, paid) -> None:
    """Deal SPIFs active in the month: the qualifying deals of each drawn market month × their
    amount, at most what the sellers' caps leave."""
    deal_spifs = {}
    for rep_id, spif in spifs:
        if spif.per == "deal":
            deal_spifs.setdefault(spif.id, (spif, []))[1].append(rep_id)
    if not deal_spifs:
        return
    credits = result.credits
    for spif, reps in deal_spifs.values():
        mine = credits.loc[credits["rep_id"].isin(reps)]
        types = mine["type"].fillna("new")
        ok = types.isin(spif.types) if spif.types is not None else pd.Series(True, index=mine.index)
        if spif.segments is not None:
            ok &= mine["segment"].isin(spif.segments)
        rows = mine.loc[ok]
        per_month = rows.groupby("period").agg(
            deals=("opportunity_id", "size"), credit=("credit", "sum")
        )
        amount = per_month["deals"] * float(spif.per_deal) + per_month["credit"] * float(spif.rate)
        values = amount.reindex(months).fillna(0.0).to_numpy()
        room = sum(
            max(float(spif.cap) - paid.get((r, spif.id), 0.0), 0.0)
            if spif.cap is not None
            else np.inf
            for r in reps
        )
        parts["spif"] += np.minimum(values, room)


def cost_backtest(
    result: Payouts,
    plans: dict[str, Plan],
    reps: pd.DataFrame,
    quotas: pd.DataFrame,
    months: list[str],
    actual: pd.Series,
    *,
    activities: pd.DataFrame | None = None,
    awards: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
    settings: ForecastSettings,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The forecast of each month in ``months`` (made at the end of the month before) beside
    its ``actual`` cost (period → total variable pay paid).

    Returns
    -------
    pandas.DataFrame
        ``month, p10, p50, p90, mean, actual, inside`` (actual within P10–P90).
    """
    from compass_nb.comp.modelling import measure_frame

    measures = measure_frame(result, plans) if measures is None else measures
    rows = []
    for month in months:
        made = cost_forecast(
            result,
            plans,
            reps,
            quotas,
            month,
            activities=activities,
            awards=awards,
            fiscal_year_start=fiscal_year_start,
            settings=settings,
            measures=measures,
        )
        if not made.draws.size:
            continue
        rows.append(
            {
                "month": month,
                **{f"p{p}": made.percentile(p) for p in PERCENTILES},
                "mean": float(made.draws.mean()),
                "actual": float(actual.get(month, np.nan)),
            }
        )
    out = pd.DataFrame(rows, columns=["month", "p10", "p50", "p90", "mean", "actual"])
    out["inside"] = (out["actual"] >= out["p10"]) & (out["actual"] <= out["p90"])
    return out


def backtest_coverage(table: pd.DataFrame) -> float:
    """Share of the backtest's months whose actual cost fell inside P10–P90."""
    return float(table["inside"].mean()) if len(table) else float("nan")


__all__ = [
    "CostForecast",
    "ForecastSettings",
    "backtest_coverage",
    "cost_backtest",
    "cost_forecast",
    "market_factors",
    "quarter_position",
]
