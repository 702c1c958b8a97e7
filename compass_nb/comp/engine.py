"""The payout engine: payouts per seller and period with a line-by-line trace.

For each seller and each month they are employed, the engine takes the plan version in
effect, the seller's quota and target incentive (prorated, ramped), the credited deals
(:func:`compass_nb.crediting.credited_bookings`, the function the pipeline notebook
uses for attainment) and the activities they logged, and produces lines in this order:
commission per measure (rates, soft cap, per-deal cap, gate, hard cap), pay per activity
(:mod:`compass_nb.comp.activities`), SPIFs (from the plan, then awarded ones such as sales
contest payouts), clawbacks (cancellations, early exit), adjustments from closed periods,
then draws. Every line names its deal (if any), band,
rate and rule. Amounts are :class:`decimal.Decimal`, each line rounded as the plan
states (default half-up to the cent); a payout is the sum of its lines.

Crediting by plan: ``split`` sellers are paid on their split credit (a deal's splits
should sum to 100 %); ``overlay`` sellers on their overlay credit on top; ``team``
(managers) on the credit of every seller below them in the ``manager_id`` tree (their
``team`` when ``manager_id`` is missing), so a head of sales rolls up all teams.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from compass_nb.comp import activities as activity_pay
from compass_nb.comp import clawbacks, draws, measures, quota, tiers
from compass_nb.comp.plans import Plan, PlanVersion, require_plans

ZERO = Decimal(0)
LINE_COLUMNS = [
    "rep_id",
    "period",
    "plan_id",
    "version",
    "measure",
    "kind",
    "opportunity_id",
    "credit",
    "band",
    "rate",
    "rule",
    "amount",
]
DEAL_KINDS = ("commission", "deal_cap", "spif")
CAP_KINDS = ("cap", "deal_cap", "gate", "activity_cap")


@dataclasses.dataclass
class Payouts:
    """The engine's result.

    Attributes
    ----------
    lines
        The trace: one row per line (``LINE_COLUMNS``), amounts as Decimal.
    sellers
        One row per seller and period: quota, target incentive, credit, attainment and
        payout (total and by kind, Decimal).
    credits
        The credited rows the engine saw, each with ``status`` (``commissioned``,
        ``type not in plan``, ``no quota``, ``no active seller``) and ``credit_cents``.
    """

    lines: pd.DataFrame
    sellers: pd.DataFrame
    credits: pd.DataFrame


def _months(start: str, end: str) -> list[str]:
    return [str(p) for p in pd.period_range(start, end, freq="M")]


def _employed_months(rep, start: str, end: str) -> list[str]:
    first = (
        max(pd.Period(start, "M"), pd.Period(pd.Timestamp(rep.hire_date), "M"))
        if pd.notna(rep.hire_date)
        else pd.Period(start, "M")
    )
    last = pd.Period(end, "M")
    term = getattr(rep, "termination_date", None)
    if pd.notna(term):
        last = min(last, pd.Period(pd.Timestamp(term), "M"))
    return [str(p) for p in pd.period_range(first, last, freq="M")] if first <= last else []


def _team_members(reps: pd.DataFrame, manager) -> list[str]:
    """Everyone below ``manager`` in the ``manager_id`` tree (or their team, without one)."""
    if "manager_id" not in reps or reps["manager_id"].isna().all():
        members = reps.loc[(reps["team"] == manager.team) & (reps["rep_id"] != manager.rep_id)]
        return members["rep_id"].astype(str).tolist()
    reports = reps.groupby(reps["manager_id"].astype(str))["rep_id"].apply(list).to_dict()
    found, todo = [], [str(manager.rep_id)]
    while todo:
        for rep_id in reports.get(todo.pop(), []):
            if rep_id not in found:
                found.append(rep_id)
                todo.append(rep_id)
    return found


def _seller_credits(
    credits: pd.DataFrame, reps: pd.DataFrame, rep, crediting: dict[str, str]
) -> pd.DataFrame:
    """The credit rows a seller is paid on under their plan's crediting."""
    if crediting.get(str(rep.rep_id)) != "team":
        return credits.loc[credits["rep_id"] == str(rep.rep_id)]
    members = [m for m in _team_members(reps, rep) if crediting.get(m) in ("split", "overlay")]
    return credits.loc[credits["rep_id"].isin(members)]


def _tag(lines: list[dict], **fields) -> list[dict]:
    return [{**line, **fields} for line in lines]


def window_months(period: str, basis: str, fiscal_year_start: int = 1) -> list[str]:
    """Every month of the basis window that holds ``period``: the month itself, its fiscal
    quarter or its fiscal year (``fiscal_year_start`` is the month number the year starts in)."""
    if basis == "month":
        return [period]
    length = 3 if basis == "quarter" else 12
    month = pd.Period(period, "M")
    first = month - (month.month - fiscal_year_start) % length
    return [str(first + i) for i in range(length)]


def _line_key(line: dict) -> tuple:
    return line["kind"], line["opportunity_id"], line["band"]


def _less(a, b):
    if a is None and b is None:
        return None
    return (a or ZERO) - (b or ZERO)


def true_up(lines: list[dict], paid: dict[tuple, dict]) -> list[dict]:
    """The lines still owed when ``lines`` are due for the window to date and ``paid`` were
    paid earlier in it: new lines as they are, changed ones as differences ("true-up")."""
    out, due = [], {}
    for line in lines:
        due[_line_key(line)] = line
    for key in [*due, *(k for k in paid if k not in due)]:
        now, before = due.get(key), paid.get(key)
        if before is None:
            out.append(now)
            continue
        amount = (now["amount"] if now else ZERO) - before["amount"]
        credit = _less(now["credit"] if now else None, before["credit"])
        if amount != 0 or (credit or ZERO) != 0:
            base = now or before
            rule = (
                f"true-up for the window to date: {now['rule']}"
                if now
                else f"reversed: {before['rule']}"
            )
            out.append({**base, "amount": amount, "credit": credit, "rule": rule})
    paid.clear()
    paid.update(due)
    return out


def _measure_block(
    deals: dict[str, list],
    period: str,
    targets,
    version: PlanVersion,
    status: dict,
    paid: dict,
    fiscal_year_start: int,
):
    """Commission lines of every measure for ``period``, and the credit they counted.

    ``targets(month)`` gives the seller's quota and target incentive for a month; with a
    quarter or year basis the window's deals are priced on the window's quota and target
    incentive and only what is still owed is paid (``paid`` holds what was, per measure).
    """
    basis = version.quota.basis
    window = window_months(period, basis, fiscal_year_start)
    upto = window[: window.index(period) + 1]
    q = sum((targets(m)[0] for m in window), ZERO)
    ti = sum((targets(m)[1] for m in window), ZERO)
    in_window = [d for m in upto for d in deals.get(m, [])]
    lines, counted = [], ZERO
    for measure in version.measures:
        mq, mti = measures.measure_targets(q, ti, measure)
        out = tiers.measure_lines(
            measures.measure_deals(in_window, measure),
            measure,
            quota=mq,
            target_incentive=mti,
            rounding=version.rounding,
        )
        if basis != "month":
            out = true_up(out, paid.setdefault((window[0], measure.id), {}))
        now = measures.measure_deals(deals.get(period, []), measure)
        counted += sum((c for _, c in now), ZERO)
        commissioned = {line["opportunity_id"] for line in out if line["kind"] == "commission"}
        for deal, _ in now:
            status[deal] = "commissioned" if deal in commissioned else "no quota"
        lines += _tag(out, measure=measure.id)
    return lines, counted


def period_targets(
    rep, plan: Plan, month: str, quotas: dict, fiscal_year_start: int = 1, term=None
) -> tuple[Decimal, Decimal]:
    """A seller's quota and target incentive for ``month`` under the plan version of that
    month: the ``quotas`` row (or the seasonal share of the annual quota), prorated and
    ramped as the plan says; ``term`` is the termination date known (``None``: employed)."""
    version = plan.version_for(month) if _has_version(plan, month) else plan.versions[-1]
    full = quotas.get((str(rep.rep_id), month), ZERO)
    if version.quota.seasonality:
        full = quota.seasonal_quota(
            quotas, str(rep.rep_id), month, version.quota.seasonality, fiscal_year_start
        )
    q = quota.period_quota(full, month, rep.hire_date, term, version.quota)
    ti = quota.period_target_incentive(
        rep.ote, version.variable_share, month, rep.hire_date, term, version.quota
    )
    return q, ti


def seller_payouts(
    rep,
    plan: Plan,
    rep_credits: pd.DataFrame,
    quotas: dict,
    months: list[str],
    adjustments: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
    rep_activities: list | None = None,
    awards: pd.DataFrame | None = None,
) -> tuple[list[dict], list[dict], dict]:
    """Lines, period summaries and credit statuses of one seller over ``months`` (in order)."""
    lines_out, summary, status = [], [], {}
    logged: dict[str, list] = {}
    for activity in rep_activities or []:
        logged.setdefault(activity.period, []).append(activity)
    spif_paid: dict[str, Decimal] = {}
    paid: dict[str, Decimal] = {}
    clawed: set[str] = set()
    balance = ZERO
    deals = measures.deals_from(rep_credits)
    awarded = _by_pay_period(awards)
    by_period: dict[str, list] = {}
    for deal in deals:
        by_period.setdefault(deal.period, []).append(deal)
    term = getattr(rep, "termination_date", None)
    exit_month = pd.Timestamp(term).strftime("%Y-%m") if pd.notna(term) else None

    known: dict[str, tuple[Decimal, Decimal]] = {}

    def targets(month: str) -> tuple[Decimal, Decimal]:
        if month not in known:
            known[month] = period_targets(rep, plan, month, quotas, fiscal_year_start, term)
        return known[month]

    window_paid: dict = {}
    for period in months:
        version = plan.version_for(period)
        q, ti = targets(period)
        now = by_period.get(period, [])
        period_status = {d.opportunity_id: "type not in plan" for d in now}
        lines, counted = _measure_block(
            by_period, period, targets, version, period_status, window_paid, fiscal_year_start
        )
        status.update({(period, d): s for d, s in period_status.items()})
        acts = logged.get(period, [])
        units = 0
        for component in version.activities:
            pay, counted_units = activity_pay.activity_lines(acts, component, version.rounding)
            lines += _tag(pay, measure=component.id)
            units += counted_units
        lines += _tag(
            measures.spif_lines(
                now, version.spifs, version.rounding, activities=acts, paid=spif_paid
            ),
            measure="spif",
        )
        lines += _tag(
            measures.award_lines(awarded.get(period), str(rep.rep_id), period, version.rounding),
            measure="spif",
        )
        for line in lines:
            if line["kind"] in DEAL_KINDS and (
                line["kind"] != "spif" or line["credit"] is not None
            ):
                paid[line["opportunity_id"]] = (
                    paid.get(line["opportunity_id"], ZERO) + line["amount"]
                )
        cancels = clawbacks.cancellation_lines(deals, paid, version.clawback, period)
        for line in cancels:
            paid[line["opportunity_id"]] = ZERO
            clawed.add(line["opportunity_id"])
        lines += _tag(cancels, measure="clawback")
        if period == exit_month:
            lines += _tag(
                clawbacks.early_exit_line(
                    deals, paid, version.clawback, term, version.rounding, clawed
                ),
                measure="clawback",
            )
        if adjustments is not None and not adjustments.empty:
            lines += _adjustment_lines(adjustments, str(rep.rep_id), period)
        if version.draw is not None and not (exit_month and period > exit_month):
            earned = sum((line["amount"] for line in lines), ZERO)
            window = draws.in_draw_window(
                version.draw, quota.months_since_hire(period, rep.hire_date)
            )
            drawn, balance = draws.draw_lines(
                earned,
                version.draw,
                in_window=window,
                exiting=period == exit_month,
                balance=balance,
            )
            lines += _tag(drawn, measure="draw")
        lines = _tag(
            lines,
            rep_id=str(rep.rep_id),
            period=period,
            plan_id=plan.plan_id,
            version=version.version,
        )
        lines_out += lines
        row = _summary_row(rep, plan, version, period, q, ti, counted, lines, balance)
        row["units"] = units
        if not version.measures:
            row["attainment"] = _activity_attainment(version, units, period, rep, term)
        summary.append(row)
    return lines_out, summary, status


def _activity_attainment(version: PlanVersion, units: int, period: str, rep, term) -> float:
    """Units counted ÷ the components' monthly targets (prorated like the quota)."""
    target = sum((a.target for a in version.activities if a.target is not None), ZERO)
    if version.quota.prorate:
        target *= quota.active_fraction(period, rep.hire_date, term)
    return float(Decimal(units) / target) if target > 0 else float("nan")


def _adjustment_lines(adjustments: pd.DataFrame, rep_id: str, period: str) -> list[dict]:
    rows = adjustments.loc[
        (adjustments["rep_id"].astype(str) == rep_id) & (adjustments["pay_period"] == period)
    ]
    return [
        {
            "kind": "adjustment",
            "measure": "adjustment",
            "opportunity_id": row.opportunity_id,
            "credit": None,
            "band": f"adjusts {row.adjusts_period}",
            "rate": None,
            "rule": f"adjustment to closed period {row.adjusts_period}: {row.what}",
            "amount": Decimal(str(row.amount)),
        }
        for row in rows.itertuples()
    ]


def _summary_row(rep, plan, version, period, q, ti, counted, lines, balance) -> dict:
    by_kind: dict[str, Decimal] = {}
    for line in lines:
        group = "cap" if line["kind"] in CAP_KINDS else line["kind"].split("_")[0]
        by_kind[group] = by_kind.get(group, ZERO) + line["amount"]
    total = sum(by_kind.values(), ZERO)
    return {
        "rep_id": str(rep.rep_id),
        "period": period,
        "team": rep.team,
        "role": rep.role,
        "plan_id": plan.plan_id,
        "version": version.version,
        "crediting": version.crediting,
        "quota": q,
        "target_incentive": ti,
        "credit": counted,
        "attainment": float(counted / q) if q > 0 else float("nan"),
        "commission": by_kind.get("commission", ZERO),
        "activity": by_kind.get("activity", ZERO),
        "spif": by_kind.get("spif", ZERO),
        "caps": by_kind.get("cap", ZERO),
        "clawback": by_kind.get("clawback", ZERO),
        "adjustment": by_kind.get("adjustment", ZERO),
        "draw": by_kind.get("draw", ZERO),
        "draw_balance": balance,
        "payout": total,
    }


def compute_payouts(
    plans: dict[str, Plan],
    reps: pd.DataFrame,
    quotas: pd.DataFrame,
    credits: pd.DataFrame,
    *,
    end: str,
    start: str | None = None,
    adjustments: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
    activities: pd.DataFrame | None = None,
    awards: pd.DataFrame | None = None,
) -> Payouts:
    """Payouts of every seller for every month from ``start`` to ``end``.

    Parameters
    ----------
    plans
        Plans by plan id (:func:`compass_nb.comp.plans.load_plans`).
    reps, quotas
        The ``reps`` and ``quotas`` tables.
    credits
        :func:`compass_nb.crediting.credited_bookings` of the won deals.
    end, start
        The months to compute (``YYYY-MM``); ``start`` defaults to the first month with
        credit or quota, so draws and clawbacks see their history.
    adjustments
        Adjustment lines from closed periods (:func:`compass_nb.comp.close.adjustments`),
        paid in their ``pay_period``.
    fiscal_year_start
        Month number the fiscal year starts in (windows of plans with a quarter or
        year basis, seasonality weights).
    activities
        The optional ``activities`` table (pay per activity, activity SPIFs).
    awards
        SPIF awards decided outside the plan files (store table ``spif_awards``: a sales
        contest's payouts), ``rep_id, pay_period, spif_id, amount, rule, source``; each is a
        SPIF line in its pay period.

    Returns
    -------
    Payouts
    """
    require_plans(plans, reps["plan_id"].astype(str))
    credits = credits.assign(
        rep_id=credits["rep_id"].astype(str), opportunity_id=credits["opportunity_id"].astype(str)
    )
    if start is None:
        firsts = [
            p
            for p in (credits["period"].min(), quotas["period"].min() if not quotas.empty else None)
            if isinstance(p, str)
        ]
        start = min(firsts) if firsts else end
    credits = credits.loc[(credits["period"] >= start) & (credits["period"] <= end)]
    lookup = quota.quota_lookup(quotas)
    reps = reps.assign(rep_id=reps["rep_id"].astype(str))
    crediting = {
        r.rep_id: plans[str(r.plan_id)].version_for(end).crediting
        if _has_version(plans[str(r.plan_id)], end)
        else "split"
        for r in reps.itertuples()
    }
    logged = activity_pay.activities_from(activities)
    awarded = _by_rep(awards)
    all_lines, all_summary, statuses = [], [], {}
    for rep in reps.itertuples():
        months = sorted(
            set(_employed_months(rep, start, end))
            | _adjusted_months(adjustments, rep.rep_id, end)
            | _adjusted_months(awarded.get(rep.rep_id), rep.rep_id, end, start)
        )
        if not months:
            continue
        own = _seller_credits(credits, reps, rep, crediting)
        lines, summary, status = seller_payouts(
            rep,
            plans[str(rep.plan_id)],
            own,
            lookup,
            months,
            adjustments,
            fiscal_year_start,
            logged.get(rep.rep_id, []),
            awarded.get(rep.rep_id),
        )
        all_lines += lines
        all_summary += summary
        if crediting[rep.rep_id] != "team":
            statuses.update({(rep.rep_id, period, deal): s for (period, deal), s in status.items()})
    lines = pd.DataFrame(all_lines, columns=LINE_COLUMNS)
    sellers = pd.DataFrame(all_summary)
    return Payouts(lines, sellers, _credit_status(credits, statuses))


def _by_rep(awards: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The awards of each seller (by ``rep_id`` as text), split once for the whole run."""
    if awards is None or awards.empty:
        return {}
    keyed = awards.assign(rep_id=awards["rep_id"].astype(str))
    return {str(rep): rows for rep, rows in keyed.groupby("rep_id", sort=False)}


def _by_pay_period(awards: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """One seller's awards by the month they are paid in."""
    if awards is None or awards.empty:
        return {}
    return {str(month): rows for month, rows in awards.groupby("pay_period", sort=False)}


def _adjusted_months(
    adjustments: pd.DataFrame | None, rep_id: str, end: str, start: str = ""
) -> set[str]:
    """Months a seller is paid adjustments (or awards) in (a leaver still receives them)."""
    if adjustments is None or adjustments.empty:
        return set()
    rows = adjustments.loc[
        (adjustments["rep_id"].astype(str) == rep_id)
        & (adjustments["pay_period"] <= end)
        & (adjustments["pay_period"] >= start)
    ]
    return set(rows["pay_period"])


def _has_version(plan: Plan, period: str) -> bool:
    day = _first_day(period)
    return any(v.covers(day) for v in plan.versions)


@lru_cache(maxsize=4096)
def _first_day(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[5:7]), 1)


def _credit_status(credits: pd.DataFrame, statuses: dict) -> pd.DataFrame:
    keys = zip(credits["rep_id"], credits["period"], credits["opportunity_id"], strict=True)
    out = credits.assign(status=[statuses.get(k, "no active seller") for k in keys])
    out["credit_cents"] = [int(measures.credit_amount(c) * 100) for c in out["credit"]]
    return out


def reconciliation(result: Payouts) -> pd.DataFrame:
    """Per period: credited bookings, the credit commissioned in the trace, the credit not
    commissioned (by reason) and the difference, which is zero when the engine ties out.

    Credit is in integer cents so that the tie is exact. Manager (team) credit is a
    roll-up of sellers' credit and is not part of the tie.
    """
    credits = result.credits
    credited = credits.groupby("period")["credit_cents"].sum().rename("credited_cents")
    unpaid_rows = credits.loc[credits["status"] != "commissioned"]
    unpaid = (
        unpaid_rows.groupby(["period", "status"])["credit_cents"].sum().unstack(fill_value=0)
        if not unpaid_rows.empty
        else pd.DataFrame(index=credited.index)
    )
    unpaid.columns = [f"{c.replace(' ', '_')}_cents" for c in unpaid.columns]
    unpaid.columns.name = None
    lines = result.lines
    sellers = result.sellers
    team_reps = (
        set(sellers.loc[sellers["crediting"] == "team", "rep_id"]) if not sellers.empty else set()
    )
    deal_lines = lines.loc[(lines["kind"] == "commission") & ~lines["rep_id"].isin(team_reps)]
    commissioned = (
        deal_lines.groupby("period")["credit"]
        .apply(lambda s: int(sum(s, ZERO) * 100))
        .rename("commissioned_cents")
    )
    out = pd.concat([credited, commissioned, unpaid], axis=1).fillna(0).astype("int64")
    out["difference_cents"] = out["credited_cents"] - out.drop(columns="credited_cents").sum(axis=1)
    return out.reset_index(names="period")


def split_exceptions(result: Payouts) -> pd.DataFrame:
    """Won deals whose credit to sellers on ``split`` plans does not add up to 100 % of the
    deal (overlay and manager credit excluded): ``opportunity_id``, ``period``, ``split_pct``."""
    sellers = result.sellers
    split_reps = (
        set(sellers.loc[sellers["crediting"] == "split", "rep_id"]) if not sellers.empty else set()
    )
    credits = result.credits
    core = credits.loc[credits["rep_id"].isin(split_reps)]
    total = core.groupby(["opportunity_id", "period"])["split_pct"].sum().reset_index()
    return total.loc[(total["split_pct"] - 100).abs() > 1e-9].reset_index(drop=True)
