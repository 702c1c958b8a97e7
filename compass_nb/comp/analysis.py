"""Everything the compensation notebook shows, computed in one call.

:func:`analyse` runs the engine (with changes to closed periods paid as adjustments, pay per
activity, SPIFs and awarded SPIFs), reconciles it to credited bookings, and prepares the
shareable views: totals and cost of sales by team and month for groups of at least
``min_group_size`` sellers, payout against attainment in bands of at least that many
sellers, the signals an analyst acts on, the pay curve of every plan, plan modelling
anchored on what was paid, the cost forecast with common shocks and its backtest, the
comparison with a budget when one is given, and the ASC 340-40 journal. Per-seller figures
stay in ``result`` for the private statements, payroll and ASC 340-40 schedule.

One name per base: **credited bookings** is the credit sellers are paid on
(:func:`compass_nb.crediting.credited_bookings`); cost of sales divides variable pay by the
credited bookings of sellers paid on split credit (overlay and manager credit would count a
deal twice). Nothing here is called revenue.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from compass_nb.bands import merged_bands
from compass_nb.calendar import to_datetime
from compass_nb.comp import asc340, close, curves, modelling, privacy
from compass_nb.comp.engine import Payouts, reconciliation, split_exceptions
from compass_nb.comp.engine import window_months as basis_window
from compass_nb.comp.forecast import (
    CostForecast,
    ForecastSettings,
    backtest_coverage,
    cost_backtest,
    cost_forecast,
)
from compass_nb.comp.plans import Plan, load_plans, require_versions
from compass_nb.crediting import NO_SPLITS, credited_bookings, no_splits
from compass_nb.formatting import assumed_lines, money, pct


@dataclasses.dataclass(frozen=True)
class CompensationSettings:
    """The ``compensation`` section of ``parameters/default.yaml``."""

    statements: bool
    plans: str
    min_group_size: int
    window_months: int
    simulations: int
    seed: int
    history_months: int
    other_months: int
    backtest_months: int
    budget: dict
    customer_life_months: int
    capitalise_types: list[str]
    changed_by: str
    adjustment_reason: str

    @property
    def forecast(self) -> ForecastSettings:
        return ForecastSettings(
            simulations=self.simulations,
            seed=self.seed,
            history_months=self.history_months,
            other_months=self.other_months,
        )


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
    bands: pd.DataFrame
    outliers: pd.DataFrame
    signals: dict
    pay_curves: pd.DataFrame
    measures: pd.DataFrame
    windows: pd.DataFrame
    baseline: Decimal
    scenarios: pd.DataFrame
    forecast: CostForecast
    backtest: pd.DataFrame
    budget: pd.DataFrame
    asc340_journal: pd.DataFrame
    asc340_schedule: pd.DataFrame
    headlines: dict
    settings: CompensationSettings | None = None
    fiscal_year_start: int = 1
    assumptions: list[str] = dataclasses.field(default_factory=list)  # absent optional inputs

    @property
    def closed_shown(self) -> pd.DataFrame:
        """The closed periods as the shareable report lists them (when, not who or why)."""
        return self.closed.loc[:, [c for c in ("period", "closed_at") if c in self.closed]]

    @property
    def percentiles(self) -> pd.DataFrame:
        """Next period's cost at P10, P50, P90 (empty when fewer than five sellers)."""
        return self.forecast.percentiles if self.forecast.draws.size else pd.DataFrame()

    @property
    def credited_bookings(self) -> float:
        """The window's credited bookings of sellers paid on split credit."""
        return float(self.by_month["credited_bookings"].sum()) if len(self.by_month) else 0.0


def _float_money(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].map(float) for c in columns if c in frame})


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


def split_credit(credits: pd.DataFrame, sellers: pd.DataFrame) -> pd.DataFrame:
    """Credited bookings per seller and month of sellers paid on split credit (the base
    cost of sales divides by)."""
    split = sellers.loc[sellers["crediting"] == "split", ["rep_id", "period"]]
    booked = credits.groupby(["rep_id", "period"])["credit"].sum().rename("credited_bookings")
    out = split.merge(booked.reset_index(), on=["rep_id", "period"], how="left")
    return out.fillna({"credited_bookings": 0.0})


def _cost_of_sales(frame: pd.DataFrame) -> pd.Series:
    base = frame["credited_bookings"]
    return (frame["payout"] / base.where(base > 0)).astype(float)


def team_month_totals(
    sellers: pd.DataFrame, booked: pd.DataFrame, *, min_sellers: int
) -> pd.DataFrame:
    """Payout, credited bookings and cost of sales by safe team group and month."""
    frame = sellers.merge(booked, on=["rep_id", "period"], how="left")
    frame = frame.fillna({"credited_bookings": 0.0})
    out = privacy.group_totals(
        frame, ["payout", "credited_bookings"], extra=["period"], min_sellers=min_sellers
    )
    out["cost_of_sales"] = _cost_of_sales(out)
    return out


def month_totals(
    sellers: pd.DataFrame, booked: pd.DataFrame, *, min_sellers: int = privacy.MIN_SELLERS
) -> pd.DataFrame:
    """Company payout, credited bookings and cost of sales per month (months with fewer than
    ``min_sellers`` sellers are left out)."""
    pay = sellers.groupby("period").agg(sellers=("rep_id", "nunique"), payout=("payout", "sum"))
    base = booked.groupby("period")["credited_bookings"].sum()
    out = pay.join(base).fillna({"credited_bookings": 0.0}).reset_index()
    out["cost_of_sales"] = _cost_of_sales(out)
    return out.loc[out["sellers"] >= min_sellers].reset_index(drop=True)


def _paid_without_basis(sellers: pd.DataFrame) -> pd.Series:
    units = sellers["units"] if "units" in sellers else 0
    return (sellers["credit"] == 0) & (units == 0) & (sellers["payout"] > 0)


OUTLIER_BANDS = {
    "attainment of 200 % or more": lambda s: s["attainment"] >= 2,
    "paid more than 2× target incentive": lambda s: (
        (s["payout"] > 2 * s["target_incentive"]) & (s["target_incentive"] > 0)
    ),
    "paid with no credit and no counted activity (draws, SPIFs, adjustments)": _paid_without_basis,
    "negative payout (clawbacks, recoveries)": lambda s: s["payout"] < 0,
}


def outlier_counts(sellers: pd.DataFrame, lines: pd.DataFrame, *, min_sellers: int) -> pd.DataFrame:
    """Seller-months in each outlier band, as counts and shares; a band that covers fewer
    than ``min_sellers`` distinct sellers shows no figure (``shown`` is false)."""
    capped = lines.loc[
        lines["kind"].isin(["cap", "deal_cap", "activity_cap"]), ["rep_id", "period"]
    ].drop_duplicates()
    keys = set(zip(capped["rep_id"], capped["period"], strict=True))
    bands = dict(OUTLIER_BANDS)
    bands["a cap applied"] = lambda s: pd.Series(
        [(r, p) in keys for r, p in zip(s["rep_id"], s["period"], strict=True)], index=s.index
    )
    total = len(sellers)
    rows = []
    for band, test in bands.items():
        hit = test(sellers).fillna(False).astype(bool) if total else pd.Series(dtype=bool)
        people = int(sellers.loc[hit, "rep_id"].nunique()) if total else 0
        shown = people >= min_sellers or int(hit.sum()) == 0
        rows.append(
            {
                "band": band,
                "seller_months": int(hit.sum()) if shown else np.nan,
                "share": float(hit.mean()) if shown and total else np.nan,
                "shown": shown,
            }
        )
    return pd.DataFrame(rows)


def attainment_payout_bands(sellers: pd.DataFrame, *, min_sellers: int) -> pd.DataFrame:
    """Payout ÷ target incentive by attainment band (bands merged until each holds at least
    ``min_sellers`` distinct sellers): the shareable view of who earns what at which
    attainment. ``band, low, high, seller_months, sellers, p25, median, p75``."""
    rows = sellers.loc[(sellers["target_incentive"] > 0) & sellers["attainment"].notna()]
    columns = ["band", "low", "high", "seller_months", "sellers", "p25", "median", "p75"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    labels, bands = merged_bands(
        rows["attainment"], privacy.ATTAINMENT_EDGES, min_sellers, rows["rep_id"]
    )
    ratio = rows["payout"] / rows["target_incentive"]
    out = []
    for band in bands.itertuples():
        mine = labels == band.band
        out.append(
            {
                "band": band.band,
                "low": band.low,
                "high": band.high,
                "seller_months": int(mine.sum()),
                "sellers": int(band.count),
                "p25": float(ratio[mine].quantile(0.25)),
                "median": float(ratio[mine].median()),
                "p75": float(ratio[mine].quantile(0.75)),
            }
        )
    return pd.DataFrame(out, columns=columns)


def signals(
    window: pd.DataFrame, by_month: pd.DataFrame, period: str, fys: int, *, min_sellers: int
) -> dict:
    """What an analyst acts on, over the window's seller-months: the shares at 200 % or more
    of quota and paid above 2× target incentive, the sellers paid with no credit and no
    counted activity (a count only when they are at least ``min_sellers``), and cost of
    sales this month against the year to date."""
    rated = window.loc[window["attainment"].notna()]
    with_ti = window.loc[window["target_incentive"] > 0]
    unbacked = window.loc[_paid_without_basis(window)]
    people = int(unbacked["rep_id"].nunique())
    month = by_month.set_index("period") if len(by_month) else pd.DataFrame()
    year = basis_window(period, "year", fys)
    ytd = month.loc[[m for m in month.index if m in year and m <= period]] if len(month) else month
    now = month.loc[period] if period in month.index else None
    base = float(ytd["credited_bookings"].sum()) if len(ytd) else 0.0
    return {
        "seller_months": int(len(window)),
        "share_200": float((rated["attainment"] >= 2).mean()) if len(rated) else np.nan,
        "share_2x_ti": float((with_ti["payout"] > 2 * with_ti["target_incentive"]).mean())
        if len(with_ti)
        else np.nan,
        "unbacked_sellers": people if people >= min_sellers or people == 0 else None,
        "unbacked_seller_months": int(len(unbacked)) if people >= min_sellers else None,
        "cost_of_sales": float(now["cost_of_sales"]) if now is not None else np.nan,
        "cost_of_sales_ytd": float(ytd["payout"].sum()) / base if base > 0 else np.nan,
        "payout": float(now["payout"]) if now is not None else np.nan,
        "sellers_paid": int(now["sellers"]) if now is not None else 0,
        "payout_ytd": float(ytd["payout"].sum()) if len(ytd) else 0.0,
    }


def budget_table(by_month: pd.DataFrame, budget: dict, forecast: CostForecast) -> pd.DataFrame:
    """Variable pay against the budget (``compensation.budget``: ``YYYY-MM`` → amount) for the
    months that have a budget, with the next month's forecast P50 beside its budget."""
    columns = ["period", "payout", "budget", "vs_budget_pct", "payout_ytd", "budget_ytd", "kind"]
    if not budget:
        return pd.DataFrame(columns=columns)
    plan = pd.Series({str(k): float(v) for k, v in budget.items()})
    rows = by_month.loc[by_month["period"].isin(plan.index), ["period", "payout"]]
    rows = rows.assign(kind="actual")
    if forecast.draws.size and forecast.month in plan.index:
        ahead = {
            "period": forecast.month,
            "payout": forecast.percentile(50),
            "kind": "forecast P50",
        }
        rows = pd.concat([rows, pd.DataFrame([ahead])], ignore_index=True)
    rows["budget"] = rows["period"].map(plan)
    rows = rows.sort_values("period").reset_index(drop=True)
    rows["vs_budget_pct"] = rows["payout"] / rows["budget"] - 1
    year = rows["period"].str[:4]
    rows["payout_ytd"] = rows.groupby(year)["payout"].cumsum()
    rows["budget_ytd"] = rows.groupby(year)["budget"].cumsum()
    return rows.loc[:, columns]


def _employed_in(reps: pd.DataFrame, period: str) -> pd.DataFrame:
    """The sellers employed at some point of ``period`` (hired by its end, not gone before it)."""
    month = pd.Period(period, "M")
    hired = to_datetime(reps["hire_date"]) <= month.end_time
    term = to_datetime(reps["termination_date"]) if "termination_date" in reps else None
    stayed = True if term is None else (term.isna() | (term >= month.start_time))
    return reps.loc[hired & stayed]


def analyse(
    tables: dict[str, pd.DataFrame],
    period: str,
    *,
    settings: CompensationSettings,
    plans_dir: str | Path,
    closes: pd.DataFrame | None = None,
    locked: pd.DataFrame | None = None,
    prior_adjustments: pd.DataFrame | None = None,
    awards: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
    views: bool = True,
) -> CompAnalysis:
    """Compute payouts up to ``period`` and every view of the compensation notebook.

    Parameters
    ----------
    tables
        ``opportunities``, ``reps``, ``quotas`` (and, when the source has them,
        ``credit_splits`` and ``activities``) as of the period's cut-off. Without
        ``credit_splits`` every won deal credits its owner in full (stated in ``assumptions``).
    settings
        The ``compensation`` parameter section.
    plans_dir
        The folder of plan files.
    closes, locked, prior_adjustments
        From the store: close records, the locked payouts of closed periods and the
        adjustments already paid (see :mod:`compass_nb.comp.close`).
    awards
        SPIF awards decided outside the plans (store table ``spif_awards``), paid as SPIF
        lines in their pay period.
    fiscal_year_start
        Month number the fiscal year starts in (quarter and year bases, year to date).
    views
        False for a cycle no page shows (a backfill, store only): the plan-modelling
        scenarios, which neither the store nor a headline figure holds, are left empty.
    """
    s = settings
    plans = load_plans(plans_dir)
    reps = tables["reps"].assign(rep_id=tables["reps"]["rep_id"].astype(str))
    require_versions(plans, _employed_in(reps, period)["plan_id"].astype(str), period, str(s.plans))
    activities = tables.get("activities")
    awards = awards if awards is not None and not awards.empty else None
    assumed = [] if "credit_splits" in tables else [NO_SPLITS]
    credits = credited_bookings(
        tables["opportunities"],
        tables.get("credit_splits", no_splits()),
        end=pd.Period(period, "M").end_time,
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
        changed_by=s.changed_by,
        reason=s.adjustment_reason,
        fiscal_year_start=fiscal_year_start,
        activities=activities,
        awards=awards,
    )
    if is_closed:
        adjustments, audit = (
            close.typed(pd.DataFrame(), close.ADJUSTMENT_COLUMNS),
            close.typed(pd.DataFrame(), close.AUDIT_COLUMNS),
        )
    months = [str(p) for p in pd.period_range(end=period, periods=s.window_months, freq="M")]
    sellers = with_locked(result.sellers, locked, closed)
    window = _float_money(
        sellers.loc[sellers["period"].isin(months)],
        ["payout", "target_incentive", "quota", "credit", "commission"],
    )
    booked = split_credit(credits, window)
    by_month = month_totals(window, booked, min_sellers=s.min_group_size)
    measures = modelling.measure_frame(result, plans)
    windows = modelling.basis_frame(
        measures.loc[measures["period"].isin(months)], plans, fiscal_year_start
    )
    next_period = str(pd.Period(period, "M") + 1)
    paid = _float_money(sellers, ["payout"]).groupby("period")["payout"].sum()
    enough = window.loc[window["period"] == period, "rep_id"].nunique() >= s.min_group_size
    forecast = cost_forecast(
        result,
        plans,
        reps,
        tables["quotas"],
        next_period,
        activities=activities,
        awards=awards,
        fiscal_year_start=fiscal_year_start,
        settings=s.forecast,
        measures=measures,
    )
    if not enough:
        forecast = CostForecast(next_period, np.array([]), {}, pd.DataFrame())
    backtest_months = [
        str(p) for p in pd.period_range(end=period, periods=s.backtest_months, freq="M")
    ]
    backtest = (
        cost_backtest(
            result,
            plans,
            reps,
            tables["quotas"],
            backtest_months,
            paid,
            activities=activities,
            awards=awards,
            fiscal_year_start=fiscal_year_start,
            settings=s.forecast,
            measures=measures,
        )
        if enough
        else pd.DataFrame(columns=["month", "p10", "p50", "p90", "mean", "actual", "inside"])
    )
    baseline = sum(sellers.loc[sellers["period"].isin(months), "payout"], Decimal(0))
    schedule = asc340.schedule(
        result.lines,
        result.credits,
        through=period,
        life_months=s.customer_life_months,
        types=tuple(s.capitalise_types),
    )
    journal = asc340.journal(schedule)
    a = CompAnalysis(
        assumptions=assumed,
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
        by_team=team_month_totals(window, booked, min_sellers=s.min_group_size),
        by_month=by_month,
        bands=attainment_payout_bands(window, min_sellers=s.min_group_size),
        outliers=outlier_counts(window, result.lines, min_sellers=s.min_group_size),
        signals=signals(window, by_month, period, fiscal_year_start, min_sellers=s.min_group_size),
        pay_curves=curves.pay_curves(plans, period),
        measures=measures,
        windows=windows,
        baseline=baseline,
        scenarios=modelling.exact_scenarios(
            plans,
            reps,
            tables["quotas"],
            credits,
            months=months,
            baseline=baseline,
            credited_bookings=float(booked["credited_bookings"].sum()),
            fiscal_year_start=fiscal_year_start,
            activities=activities,
            awards=awards,
        )
        if enough and views
        else pd.DataFrame(
            columns=["scenario", "total_cost", "change", "vs_baseline", "cost_of_sales"]
        ),
        forecast=forecast,
        backtest=backtest,
        budget=budget_table(by_month, s.budget, forecast),
        asc340_journal=_float_money(journal, asc340.JOURNAL_COLUMNS[1:])
        if enough
        else pd.DataFrame(columns=asc340.JOURNAL_COLUMNS),
        asc340_schedule=schedule,
        headlines={},
        settings=s,
        fiscal_year_start=fiscal_year_start,
    )
    a.headlines = headlines(a)
    return a


def headlines(a: CompAnalysis) -> dict:
    """The notebook's headline figures (all group totals; no per-seller figure)."""
    rec = a.reconciliation
    here = rec.loc[rec["period"] == a.period, "difference_cents"]
    journal = a.asc340_journal
    return {
        **a.signals,
        "next_p10": a.forecast.percentile(10) if a.forecast.draws.size else np.nan,
        "next_p50": a.forecast.percentile(50) if a.forecast.draws.size else np.nan,
        "next_p90": a.forecast.percentile(90) if a.forecast.draws.size else np.nan,
        "backtest_months": int(len(a.backtest)),
        "backtest_coverage": backtest_coverage(a.backtest),
        "baseline": float(a.baseline),
        "reconciliation_cents": int(here.iloc[0]) if not here.empty else 0,
        "adjustment_total": float(a.adjustments["amount"].sum())
        if not a.adjustments.empty
        else 0.0,
        "adjustment_lines": len(a.adjustments),
        "split_exceptions": len(a.split_exceptions),
        "asc340_balance": float(journal["balance"].iloc[-1]) if len(journal) else np.nan,
        "asc340_amortisation": float(journal["amortisation"].iloc[-1]) if len(journal) else np.nan,
    }


def _share(value) -> str:
    return pct(value, digits=1)


def summary_lines(a: CompAnalysis, currency: str = "EUR") -> list[str]:
    """Headline sentences for the summary box (group figures only); what an absent optional
    input forces comes last (``Assumed: …``)."""
    return _result_lines(a, currency) + assumed_lines(a.assumptions)


def _result_lines(a: CompAnalysis, currency: str) -> list[str]:
    h = a.headlines
    n = a.settings.min_group_size if a.settings else privacy.MIN_SELLERS
    if a.period not in set(a.by_month["period"]):
        return [
            f"Fewer than {n} sellers were on a plan in {a.period}: no totals are shown, to keep pay private."
        ]
    lines = [
        f"Variable pay for {a.period}: {money(h['payout'], currency)} across {h['sellers_paid']} sellers; "
        f"cost of sales {_share(h['cost_of_sales'])} of credited bookings this month against "
        f"{_share(h['cost_of_sales_ytd'])} year to date ({money(h['payout_ytd'], currency)} paid).",
    ]
    if a.forecast.draws.size:
        bt = a.backtest
        inside = int(bt["inside"].sum())
        lines.append(
            f"Next month ({a.next_period}): P50 {money(h['next_p50'], currency)}, P10–P90 "
            f"{money(h['next_p10'], currency)} to {money(h['next_p90'], currency)}, from a Monte-Carlo "
            "with a shared market factor and quarter-end timing. Backtest: "
            f"{inside} of the last {len(bt)} months' actual cost fell inside P10–P90 "
            f"({_share(h['backtest_coverage'])}; the target is 70 % or more)."
        )
    else:
        lines.append(
            f"No cost forecast for {a.next_period}: fewer than {n} sellers stay on a plan."
        )
    lines.append(
        f"Over {a.months[0]} to {a.months[-1]}: {_share(h['share_200'])} of seller-months at 200 % or "
        f"more of quota, {_share(h['share_2x_ti'])} paid more than 2× target incentive, "
        + (
            f"{h['unbacked_sellers']} sellers ({h['unbacked_seller_months']} seller-months) paid "
            "with no credit and no counted activity (draws, SPIFs, adjustments)."
            if h["unbacked_sellers"]
            else (
                "nobody paid without credit or counted activity."
                if h["unbacked_sellers"] == 0
                else f"fewer than {n} sellers paid with no credit and no counted activity "
                "(the number is not shown)."
            )
        )
    )
    if len(a.scenarios):
        lines.append(
            f"Plan modelling starts from what was paid over the window, {money(float(a.baseline), currency)} "
            f"({float(a.baseline):,.2f} {currency}, to the cent); every scenario is a change from it."
        )
    if len(a.budget):
        last = a.budget.loc[a.budget["kind"] == "actual"].tail(1)
        if len(last):
            row = last.iloc[0]
            lines.append(
                f"Against budget: {row['period']} paid {money(row['payout'], currency)} for a budget of "
                f"{money(row['budget'], currency)} ({row['vs_budget_pct']:+.1%}); year to date "
                f"{money(row['payout_ytd'], currency)} against {money(row['budget_ytd'], currency)}."
            )
    else:
        lines.append(
            "No variable-pay budget is given (compensation.budget), so cost is not compared with one."
        )
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


def asc340_note(a: CompAnalysis, currency: str = "EUR") -> str:
    """One sentence on the capitalised commissions (company totals)."""
    j = a.asc340_journal
    if j.empty:
        return "No capitalised commissions to report."
    row = j.iloc[-1]
    return (
        f"Capitalised commissions (ASC 340-40, {a.settings.customer_life_months}-month customer life): "
        f"{money(row['balance'], currency)} on the books at the end of {a.period}; this month "
        f"{money(row['capitalised'], currency)} capitalised, {money(row['amortisation'], currency)} "
        f"amortised, {money(row['impairment'], currency)} impaired on cancelled deals. The schedule "
        "by deal is in the private folder."
    )


def outlier_table(a: CompAnalysis) -> pd.DataFrame:
    """The outlier bands for the pack: a band that covers fewer than the minimum group of
    sellers says so instead of giving its count."""
    n = a.settings.min_group_size if a.settings else privacy.MIN_SELLERS
    out = a.outliers.copy()
    out["seller_months"] = [
        f"{int(v):,}" if shown else f"fewer than {n} sellers: not shown"
        for v, shown in zip(out["seller_months"], out["shown"], strict=True)
    ]
    return out.drop(columns="shown")


def backtest_note(a: CompAnalysis) -> str:
    """How the cost forecast has done on the last months (one sentence)."""
    bt = a.backtest
    if bt.empty:
        return "The cost forecast is not backtested: fewer than five sellers are on a plan."
    inside = int(bt["inside"].sum())
    misses = bt.loc[~bt["inside"], "month"].tolist()
    tail = f" (outside: {', '.join(misses)})" if misses else ""
    error = ((bt["p50"] - bt["actual"]).abs() / bt["actual"]).mean()
    return (
        f"{inside} of the last {len(bt)} months' actual variable pay fell inside the P10–P90 band "
        f"forecast at the end of the month before{tail}; P50 was off by {_share(error)} on average."
    )


def tables_to_store(a: CompAnalysis) -> dict[str, pd.DataFrame]:
    """The store tables this run records: nothing for a closed period (its payouts stay
    locked; changes to it are paid later as adjustments), and no empty table."""
    if a.is_closed:
        return {}
    tables = {
        "payouts": a.records,
        "payout_adjustments": a.adjustments,
        "comp_audit": a.audit,
        "comp_cost_backtest": a.backtest,
    }
    return {name: frame for name, frame in tables.items() if not frame.empty}
