"""Everything the compensation notebook shows, computed in one call.

:func:`analyse` runs the engine (with changes to closed periods paid as adjustments),
reconciles it to credited bookings, and prepares the shareable views: totals and cost of
sales by team and month for groups of at least 5 sellers, attainment against payout
without identities, outlier counts, preset what-ifs and a Monte-Carlo of next period's
cost. Per-seller figures stay in ``result`` for the private statements and payroll.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from compass_nb.comp import close, modelling, privacy
from compass_nb.comp.engine import Payouts, reconciliation, split_exceptions
from compass_nb.comp.engine import window_months as basis_window
from compass_nb.comp.plans import Plan, load_plans
from compass_nb.crediting import credited_bookings

SCENARIOS = {
    "Rates +10 %": {"rate_scale": 1.1},
    "Top tier ×1.5": {"top_rate_scale": 1.5},
    "Quotas +10 %": {"quota_scale": 1.1},
    "Rates −10 %": {"rate_scale": 0.9},
}


@dataclasses.dataclass
class CompAnalysis:
    """The notebook's figures; see :func:`analyse`."""

    period: str
    next_period: str
    months: list[str]
    plans: dict[str, Plan]
    result: Payouts
    sellers: pd.DataFrame
    adjustments: pd.DataFrame
    audit: pd.DataFrame
    closed: pd.DataFrame
    is_closed: bool
    records: pd.DataFrame
    reconciliation: pd.DataFrame
    split_exceptions: pd.DataFrame
    by_team: pd.DataFrame
    by_month: pd.DataFrame
    points: pd.DataFrame
    outliers: pd.DataFrame
    measures: pd.DataFrame
    windows: pd.DataFrame
    scenarios: pd.DataFrame
    simulated: np.ndarray
    percentiles: pd.DataFrame
    headlines: dict
    fiscal_year_start: int = 1

    @property
    def closed_shown(self) -> pd.DataFrame:
        """The closed periods as the shareable report lists them (when, not who or why)."""
        return self.closed.loc[:, [c for c in ("period", "closed_at") if c in self.closed]]


def _float_money(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].map(float) for c in columns})


def with_locked(sellers: pd.DataFrame, locked: pd.DataFrame, closed: list[str]) -> pd.DataFrame:
    """Seller rows of closed periods carry their locked payout (what was paid)."""
    if locked.empty or not closed:
        return sellers
    paid = locked.groupby(["rep_id", "pay_period"])["amount_cents"].sum()
    out = sellers.copy()
    mask = out["period"].isin(closed)
    out.loc[mask, "payout"] = [
        Decimal(int(paid.get((r, p), 0))) / 100
        for r, p in zip(out.loc[mask, "rep_id"], out.loc[mask, "period"], strict=True)
    ]
    return out


def core_revenue(credits: pd.DataFrame, sellers: pd.DataFrame) -> pd.DataFrame:
    """Credited bookings per seller and month of sellers paid on split credit (the revenue
    that cost of sales divides by; overlay and manager credit would count deals twice)."""
    split = sellers.loc[sellers["crediting"] == "split", ["rep_id", "period"]]
    revenue = credits.groupby(["rep_id", "period"])["credit"].sum().rename("revenue").reset_index()
    return split.merge(revenue, on=["rep_id", "period"], how="left").fillna({"revenue": 0.0})


def team_month_totals(
    sellers: pd.DataFrame, revenue: pd.DataFrame, *, min_sellers: int
) -> pd.DataFrame:
    """Payout, revenue and cost of sales by safe team group and month."""
    frame = sellers.merge(revenue, on=["rep_id", "period"], how="left").fillna({"revenue": 0.0})
    out = privacy.group_totals(
        frame, ["payout", "revenue"], extra=["period"], min_sellers=min_sellers
    )
    out["cost_of_sales"] = np.where(
        out["revenue"] > 0, out["payout"] / out["revenue"].where(out["revenue"] > 0, 1), np.nan
    )
    return out


def month_totals(
    sellers: pd.DataFrame, revenue: pd.DataFrame, *, min_sellers: int = privacy.MIN_SELLERS
) -> pd.DataFrame:
    """Company payout, revenue and cost of sales per month (months with fewer than
    ``min_sellers`` sellers are left out)."""
    pay = sellers.groupby("period").agg(sellers=("rep_id", "nunique"), payout=("payout", "sum"))
    rev = revenue.groupby("period")["revenue"].sum()
    out = pay.join(rev).fillna({"revenue": 0.0}).reset_index()
    out["cost_of_sales"] = np.where(
        out["revenue"] > 0, out["payout"] / out["revenue"].where(out["revenue"] > 0, 1), np.nan
    )
    return out.loc[out["sellers"] >= min_sellers].reset_index(drop=True)


def attainment_points(
    sellers: pd.DataFrame, *, min_sellers: int = privacy.MIN_SELLERS, seed: int = 0
) -> pd.DataFrame:
    """Attainment and payout as a share of target incentive per seller-month, shuffled, no ids.

    Roles held by fewer than ``min_sellers`` people are shown merged (``Other roles``).
    """
    rows = sellers.loc[sellers["target_incentive"] > 0]
    roles = privacy.safe_groups(rows, "role", min_sellers=min_sellers, other="Other roles")
    out = pd.DataFrame(
        {
            "role": rows["role"].map(roles).fillna("Sellers").to_numpy(),
            "attainment": rows["attainment"].to_numpy(),
            "payout_vs_target": (rows["payout"] / rows["target_incentive"]).to_numpy(),
        }
    )
    return out.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def outlier_counts(sellers: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """How many seller-months fall in each outlier band (counts only)."""
    ratio = sellers["payout"] / sellers["target_incentive"].where(sellers["target_incentive"] > 0)
    capped = lines.loc[
        lines["kind"].isin(["cap", "deal_cap"]), ["rep_id", "period"]
    ].drop_duplicates()
    keys = set(zip(capped["rep_id"], capped["period"], strict=True))
    bands = {
        "paid more than 2× target incentive": (ratio > 2).sum(),
        "attainment of 200 % or more": (sellers["attainment"] >= 2).sum(),
        "no credit but paid (draws, SPIFs, adjustments)": (
            (sellers["credit"] == 0) & (sellers["payout"] > 0)
        ).sum(),
        "negative payout (clawbacks, recoveries)": (sellers["payout"] < 0).sum(),
        "a cap applied": sum(
            (r, p) in keys for r, p in zip(sellers["rep_id"], sellers["period"], strict=True)
        ),
    }
    total = len(sellers)
    return pd.DataFrame(
        {
            "band": list(bands),
            "seller_months": [int(v) for v in bands.values()],
            "share": [v / total if total else np.nan for v in bands.values()],
        }
    )


def scenario_table(frame: pd.DataFrame, plans: dict[str, Plan], revenue: float) -> pd.DataFrame:
    """Total cost over ``frame``'s months under each preset change, and its cost of sales."""
    rows = []
    for name, change in {"Current plan": {}, **SCENARIOS}.items():
        cost = float(modelling.priced(frame, plans, **change).sum())
        rows.append(
            {
                "scenario": name,
                "total_cost": cost,
                "cost_of_sales": cost / revenue if revenue else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["vs_current"] = (
        out["total_cost"] / out["total_cost"].iloc[0] - 1 if out["total_cost"].iloc[0] else np.nan
    )
    return out


def analyse(
    tables: dict[str, pd.DataFrame],
    period: str,
    *,
    plans_dir: str | Path,
    closes: pd.DataFrame | None = None,
    locked: pd.DataFrame | None = None,
    prior_adjustments: pd.DataFrame | None = None,
    changed_by: str,
    reason: str,
    min_sellers: int,
    window_months: int,
    simulations: int,
    seed: int,
    fiscal_year_start: int,
) -> CompAnalysis:
    """Compute payouts up to ``period`` and every view of the compensation notebook.

    Parameters
    ----------
    tables
        ``opportunities``, ``credit_splits``, ``reps``, ``quotas`` as of the period's cut-off.
    plans_dir
        The folder of plan files.
    closes, locked, prior_adjustments
        From the store: close records, the locked payouts of closed periods and the
        adjustments already paid (see :mod:`compass_nb.comp.close`).
    fiscal_year_start
        Month number the fiscal year starts in (quarter and year bases, year to date).
    """
    plans = load_plans(plans_dir)
    reps = tables["reps"].assign(rep_id=tables["reps"]["rep_id"].astype(str))
    credits = credited_bookings(
        tables["opportunities"], tables["credit_splits"], end=pd.Period(period, "M").end_time
    )
    closes = closes if closes is not None else pd.DataFrame(columns=["period"])
    closed = sorted(closes["period"].unique()) if not closes.empty else []
    locked = locked if locked is not None else pd.DataFrame()
    prior = prior_adjustments if prior_adjustments is not None else pd.DataFrame()
    is_closed = period in closed
    result, adjustments, audit = close.payouts_after_close(
        plans,
        reps,
        tables["quotas"],
        credits,
        period=period,
        closed=[] if is_closed else closed,
        locked=locked,
        prior=prior,
        changed_by=changed_by,
        reason=reason,
        fiscal_year_start=fiscal_year_start,
    )
    if is_closed:
        adjustments, audit = (
            close.typed(pd.DataFrame(), close.ADJUSTMENT_COLUMNS),
            close.typed(pd.DataFrame(), close.AUDIT_COLUMNS),
        )
    months = [str(p) for p in pd.period_range(end=period, periods=window_months, freq="M")]
    sellers = with_locked(result.sellers, locked, closed)
    window = _float_money(
        sellers.loc[sellers["period"].isin(months)],
        ["payout", "target_incentive", "quota", "credit", "commission"],
    )
    revenue = core_revenue(credits, window)
    measures = modelling.measure_frame(result, plans)
    windows = modelling.basis_frame(
        measures.loc[measures["period"].isin(months)], plans, fiscal_year_start
    )
    next_period = str(pd.Period(period, "M") + 1)
    upcoming = modelling.next_period_frame(measures, tables["quotas"], period, next_period, reps)
    history = modelling.basis_frame(measures, plans, fiscal_year_start)
    enough = upcoming["rep_id"].nunique() >= min_sellers
    simulated = (
        modelling.simulate_cost(upcoming, history, plans, n=simulations, seed=seed)
        if enough
        else np.array([])
    )
    by_month = month_totals(window, revenue, min_sellers=min_sellers)
    a = CompAnalysis(
        period=period,
        next_period=next_period,
        months=months,
        plans=plans,
        result=result,
        sellers=sellers,
        adjustments=adjustments,
        audit=audit,
        closed=closes,
        is_closed=is_closed,
        records=close.payout_records(
            result.lines.loc[result.lines["period"] == period],
            result.sellers.loc[result.sellers["period"] == period],
        ),
        reconciliation=reconciliation(result),
        split_exceptions=split_exceptions(result),
        by_team=team_month_totals(window, revenue, min_sellers=min_sellers),
        by_month=by_month,
        points=attainment_points(window, min_sellers=min_sellers, seed=seed),
        outliers=outlier_counts(window, result.lines),
        measures=measures,
        windows=windows,
        scenarios=scenario_table(windows, plans, float(revenue["revenue"].sum())),
        simulated=simulated,
        percentiles=modelling.cost_percentiles(simulated)
        if enough
        else pd.DataFrame(columns=["percentile", "total_cost"]),
        headlines={},
        fiscal_year_start=fiscal_year_start,
    )
    a.headlines = headlines(a)
    return a


def headlines(a: CompAnalysis) -> dict:
    """The notebook's headline figures (all group totals; no per-seller figure)."""
    month = a.by_month.set_index("period")
    now = month.loc[a.period] if a.period in month.index else None
    year = basis_window(a.period, "year", a.fiscal_year_start)
    ytd = month.loc[[m for m in month.index if m in year and m <= a.period]]
    p = a.percentiles.set_index("percentile")["total_cost"]
    rec = a.reconciliation
    here = rec.loc[rec["period"] == a.period, "difference_cents"]
    return {
        "payout": float(now["payout"]) if now is not None else 0.0,
        "sellers_paid": int(now["sellers"]) if now is not None else 0,
        "cost_of_sales": float(now["cost_of_sales"]) if now is not None else np.nan,
        "payout_ytd": float(ytd["payout"].sum()),
        "cost_of_sales_ytd": float(ytd["payout"].sum() / ytd["revenue"].sum())
        if ytd["revenue"].sum()
        else np.nan,
        "at_quota_share": float((a.points["attainment"] >= 1).mean())
        if not a.points.empty
        else np.nan,
        "next_p10": float(p.get("P10", np.nan)),
        "next_p50": float(p.get("P50", np.nan)),
        "next_p90": float(p.get("P90", np.nan)),
        "reconciliation_cents": int(here.iloc[0]) if not here.empty else 0,
        "adjustment_total": float(a.adjustments["amount"].sum())
        if not a.adjustments.empty
        else 0.0,
        "adjustment_lines": len(a.adjustments),
        "split_exceptions": len(a.split_exceptions),
    }


def summary_lines(a: CompAnalysis, currency: str = "EUR") -> list[str]:
    """Headline sentences for the summary box (group figures only)."""
    h = a.headlines
    if a.period not in set(a.by_month["period"]):
        return [
            f"Fewer than five sellers were on a plan in {a.period}: no totals are shown, to keep pay private."
        ]
    lines = [
        f"Variable pay for {a.period}: {h['payout']:,.0f} {currency} across {h['sellers_paid']} sellers; cost of sales "
        f"{h['cost_of_sales']:.1%} of credited bookings ({h['cost_of_sales_ytd']:.1%} year to date, "
        f"{h['payout_ytd']:,.0f} {currency}).",
        f"Next period ({a.next_period}) budget from a Monte-Carlo of attainment: P50 {h['next_p50']:,.0f} {currency}, "
        f"P10–P90 {h['next_p10']:,.0f} to {h['next_p90']:,.0f} {currency}."
        if a.simulated.size
        else f"No Monte-Carlo budget for {a.next_period}: fewer than five sellers stay on a plan.",
        f"{h['at_quota_share']:.0%} of seller-months in the last {len(a.months)} months reached quota.",
    ]
    if h["reconciliation_cents"] == 0:
        lines.append("Payouts reconcile to credited bookings to the cent.")
    else:
        lines.append(
            f"Reconciliation gap of {h['reconciliation_cents'] / 100:,.2f} {currency}: investigate before paying."
        )
    if h["split_exceptions"]:
        lines.append(
            f"{h['split_exceptions']} won deals have seller splits that do not add up to 100 %: "
            "correct credit_splits (the deals are listed in the private folder)."
        )
    if a.is_closed:
        lines.append(
            f"{a.period} is closed: figures are the locked payouts; later changes are paid in the next open period."
        )
    elif h["adjustment_lines"]:
        lines.append(
            f"{h['adjustment_lines']} adjustment lines for closed periods ({h['adjustment_total']:,.2f} {currency}) "
            "are paid this period."
        )
    return lines


def tables_to_store(a: CompAnalysis) -> dict[str, pd.DataFrame]:
    """The store tables this run records: nothing for a closed period (its payouts stay
    locked; changes to it are paid later as adjustments), and no empty table."""
    if a.is_closed:
        return {}
    tables = {"payouts": a.records, "payout_adjustments": a.adjustments, "comp_audit": a.audit}
    return {name: frame for name, frame in tables.items() if not frame.empty}
