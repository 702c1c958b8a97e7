"""Period close: locked payouts, adjustment lines and the audit trail.

Closing a period (``compass-nb close --period P --by NAME --reason TEXT``) records a
``comp_close`` row in the cycle store that locks the period's payouts: the run of the
``payouts`` table committed for ``P`` at the time of the close. From then on the
compensation notebook shows the locked figures for ``P``; when it recomputes ``P`` from
today's data (a late deal, a cancellation, a corrected split) the difference becomes an
adjustment line in the period being run (the next open period), once: adjustments
already made in earlier periods are netted off. Each adjustment carries an audit row:
who (the run's ``compensation.changed_by``), what (the deal and the change), why
(the reason given, or the kind of change detected).

Everything here is pure: the compensation step (:mod:`compass_nb.steps.compensation`)
reads the store's ``comp_close`` and ``payouts`` rows and passes them in, and writes
what :func:`close_record` returns.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from compass_nb.comp.engine import Payouts, compute_payouts
from compass_nb.comp.plans import Plan
from compass_nb.errors import InputError

KEY = ["rep_id", "pay_period", "measure", "kind", "opportunity_id"]
PAYOUT_COLUMNS = [*KEY, "plan_id", "version", "amount", "amount_cents"]
ADJUSTMENT_COLUMNS = [
    "rep_id",
    "pay_period",
    "adjusts_period",
    "measure",
    "kind",
    "opportunity_id",
    "what",
    "before",
    "after",
    "amount",
    "amount_cents",
]
AUDIT_COLUMNS = [
    "changed_at",
    "changed_by",
    "reason",
    "rep_id",
    "adjusts_period",
    "pay_period",
    "opportunity_id",
    "what",
    "before",
    "after",
    "amount",
]
_NUMERIC = {"amount": "float64", "before": "float64", "after": "float64", "amount_cents": "int64"}


def typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` in order and stable types (text as strings), even when empty,
    so that store tables keep their column types."""
    out = frame.reindex(columns=columns)
    return out.astype({c: _NUMERIC.get(c, "string") for c in columns})


def payout_records(lines: pd.DataFrame, sellers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The trace aggregated to one row per seller, period, measure, kind and deal.

    This is the store's ``payouts`` table (``pay_period`` is the month paid in; the store
    adds the run's ``period``). ``amount_cents`` is exact; ``amount`` is its float. With
    ``sellers`` (the engine's per-seller rows), a seller with no line gets one zero row
    of kind ``none``, so that a period in which nobody earned can still be closed.
    """
    if lines.empty:
        grouped = typed(pd.DataFrame(), PAYOUT_COLUMNS)
    else:
        keyed = lines.assign(
            pay_period=lines["period"], opportunity_id=lines["opportunity_id"].fillna("")
        )
        cents = keyed["amount"].map(lambda a: int(a * 100))
        grouped = (
            keyed.assign(amount_cents=cents)
            .groupby([*KEY, "plan_id", "version"], sort=True, dropna=False)["amount_cents"]
            .sum()
            .reset_index()
        )
        grouped["amount"] = grouped["amount_cents"] / 100
    if sellers is not None and not sellers.empty:
        paid = set(zip(grouped["rep_id"], grouped["pay_period"], strict=True))
        idle = sellers.loc[
            [(r, p) not in paid for r, p in zip(sellers["rep_id"], sellers["period"], strict=True)]
        ]
        zeros = pd.DataFrame(
            {
                "rep_id": idle["rep_id"],
                "pay_period": idle["period"],
                "measure": "",
                "kind": "none",
                "opportunity_id": "",
                "plan_id": idle["plan_id"],
                "version": idle["version"],
                "amount": 0.0,
                "amount_cents": 0,
            }
        )
        grouped = pd.concat(
            [typed(grouped, PAYOUT_COLUMNS), typed(zeros, PAYOUT_COLUMNS)], ignore_index=True
        )
    return typed(grouped, PAYOUT_COLUMNS).sort_values(KEY).reset_index(drop=True)


def _what(kind: str, deal: str, before: int, after: int) -> str:
    if kind == "clawback_cancel":
        return f"deal {deal} cancelled after the period closed"
    if deal and before == 0:
        return f"deal {deal} credited after the period closed (late deal or new split)"
    if deal and after == 0:
        return f"deal {deal} no longer credited (split or deal removed)"
    if deal:
        return f"deal {deal} credit changed (corrected split or amount)"
    return f"{kind.replace('_', ' ')} recomputed"


def adjustments(
    locked: pd.DataFrame,
    recomputed: pd.DataFrame,
    prior: pd.DataFrame,
    *,
    pay_period: str,
    changed_by: str,
    reason: str = "",
    changed_at: str | None = None,
    periods: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adjustment lines (and their audit rows) for changes to closed periods.

    Parameters
    ----------
    locked
        The locked ``payouts`` of the closed periods (:func:`payout_records` format).
    recomputed
        :func:`payout_records` of the same periods computed from today's data.
    prior
        Adjustments already made in earlier periods (``payout_adjustments`` rows).
    pay_period
        The open period the adjustments are paid in.
    changed_by, reason, changed_at
        Who, why and when, for the audit trail.
    periods
        The closed periods to compare (default: those in ``locked``); a closed period
        that paid nothing has no locked rows but can still change.

    Returns
    -------
    tuple of DataFrame
        ``(adjustment lines, audit rows)``; empty when nothing changed.
    """
    if periods is None:
        periods = list(locked["pay_period"].unique()) if not locked.empty else []
    periods = set(periods)
    sides = {
        "before": _cents(locked, periods),
        "after": _cents(recomputed, periods),
        "adjusted": _cents(
            prior.assign(pay_period=prior["adjusts_period"]) if not prior.empty else prior, periods
        ),
    }
    table = pd.concat(sides, axis=1).fillna(0).astype("int64")
    table["delta"] = table["after"] - table["before"] - table["adjusted"]
    changed = table.loc[table["delta"] != 0].reset_index()
    if changed.empty:
        return typed(pd.DataFrame(), ADJUSTMENT_COLUMNS), typed(pd.DataFrame(), AUDIT_COLUMNS)
    out = pd.DataFrame(
        {
            "rep_id": changed["rep_id"],
            "pay_period": pay_period,
            "adjusts_period": changed["pay_period"],
            "measure": changed["measure"],
            "kind": changed["kind"],
            "opportunity_id": changed["opportunity_id"],
            "what": [
                _what(k, d, b + a, f)
                for k, d, b, a, f in zip(
                    changed["kind"],
                    changed["opportunity_id"],
                    changed["before"],
                    changed["adjusted"],
                    changed["after"],
                    strict=True,
                )
            ],
            "before": (changed["before"] + changed["adjusted"]) / 100,
            "after": changed["after"] / 100,
            "amount": changed["delta"] / 100,
            "amount_cents": changed["delta"],
        }
    )
    when = changed_at or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    audit = out.assign(
        changed_at=when, changed_by=changed_by, reason=reason or "recomputed from the latest data"
    ).loc[:, AUDIT_COLUMNS]
    return typed(out, ADJUSTMENT_COLUMNS), typed(audit, AUDIT_COLUMNS)


def _cents(frame: pd.DataFrame, periods: set[str]) -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype="int64", index=pd.MultiIndex.from_tuples([], names=KEY))
    rows = frame.loc[frame["pay_period"].isin(periods) & (frame["kind"] != "adjustment")]
    rows = rows.assign(opportunity_id=rows["opportunity_id"].fillna(""))
    return rows.groupby(KEY)["amount_cents"].sum()


def adjustment_lines_for_engine(adjustments_frame: pd.DataFrame) -> pd.DataFrame:
    """Adjustments in the shape :func:`compass_nb.comp.engine.compute_payouts` pays them."""
    if adjustments_frame.empty:
        return adjustments_frame
    return adjustments_frame.assign(
        amount=adjustments_frame["amount_cents"].map(lambda c: Decimal(int(c)) / 100)
    )


def payouts_after_close(
    plans: dict[str, Plan],
    reps: pd.DataFrame,
    quotas: pd.DataFrame,
    credits: pd.DataFrame,
    *,
    period: str,
    closed: list[str],
    locked: pd.DataFrame,
    prior: pd.DataFrame,
    changed_by: str,
    reason: str = "",
    fiscal_year_start: int = 1,
    activities: pd.DataFrame | None = None,
    awards: pd.DataFrame | None = None,
) -> tuple[Payouts, pd.DataFrame, pd.DataFrame]:
    """Payouts up to ``period`` with changes to ``closed`` periods paid as adjustments in ``period``.

    Returns ``(payouts, adjustment lines, audit rows)``. The payouts of closed periods in
    the result are today's recomputation (for the trace); their locked figures are in
    ``locked``. ``period`` must be open.
    """
    first = compute_payouts(
        plans,
        reps,
        quotas,
        credits,
        end=period,
        fiscal_year_start=fiscal_year_start,
        activities=activities,
        awards=awards,
    )
    done = [p for p in closed if p < period]
    if not done:
        return (
            first,
            typed(pd.DataFrame(), ADJUSTMENT_COLUMNS),
            typed(pd.DataFrame(), AUDIT_COLUMNS),
        )
    recomputed = payout_records(first.lines.loc[first.lines["period"].isin(done)])
    earlier = prior.loc[prior["pay_period"] < period] if not prior.empty else prior
    lines, audit = adjustments(
        locked,
        recomputed,
        earlier,
        pay_period=period,
        changed_by=changed_by,
        reason=reason,
        periods=done,
    )
    if lines.empty:
        return first, lines, audit
    final = compute_payouts(
        plans,
        reps,
        quotas,
        credits,
        end=period,
        adjustments=adjustment_lines_for_engine(lines),
        fiscal_year_start=fiscal_year_start,
        activities=activities,
        awards=awards,
    )
    return final, lines, audit


# --- closing a period ----------------------------------------------------------------


def closed_periods(close_rows: pd.DataFrame) -> pd.DataFrame:
    """Every close record (the store's ``comp_close`` rows): ``period``, ``locked_run_id``,
    ``closed_at``, ``closed_by``, ``reason``, totals."""
    if close_rows is None or close_rows.empty:
        return pd.DataFrame(columns=["period", "locked_run_id"])
    return close_rows.drop(columns=["run_id"], errors="ignore").reset_index(drop=True)


def locked_payouts(payouts_all_runs: pd.DataFrame, closes: pd.DataFrame) -> pd.DataFrame:
    """The ``payouts`` rows (of every stored run) of the runs locked when their periods closed."""
    if closes.empty or payouts_all_runs is None or payouts_all_runs.empty:
        return pd.DataFrame(columns=PAYOUT_COLUMNS)
    payouts = payouts_all_runs
    locks = set(zip(closes["period"], closes["locked_run_id"].astype(int), strict=True))
    keep = [(p, int(r)) in locks for p, r in zip(payouts["period"], payouts["run_id"], strict=True)]
    return payouts.loc[keep].drop(columns=["period", "run_id"]).reset_index(drop=True)


def close_record(
    period: str, payouts: pd.DataFrame, closes: pd.DataFrame, *, by: str, reason: str = ""
) -> dict:
    """The ``comp_close`` row that locks ``period``'s payouts (those of its latest run).

    Parameters
    ----------
    payouts
        The store's latest run of ``payouts`` for ``period`` (with ``run_id``).
    closes
        :func:`closed_periods`.

    Raises
    ------
    compass_nb.errors.InputError
        When the period is already closed, or has no payouts yet.
    """
    if not closes.empty and period in set(closes["period"]):
        done = closes.loc[closes["period"] == period].iloc[0]
        raise InputError(
            f"Compensation period {period} was already closed on {done['closed_at']} by "
            f"{done['closed_by']}; later changes to it are paid as adjustments in the next open period."
        )
    if payouts.empty:
        raise InputError(
            f"No payouts are stored for {period}: run the compensation notebook for {period} "
            f"first (compass-nb run --period {period} --only compensation), then close it."
        )
    return {
        "locked_run_id": int(payouts["run_id"].max()),
        "closed_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "closed_by": by or "unknown",
        "reason": reason or "",
        "sellers": int(payouts["rep_id"].nunique()),
        "total": int(payouts["amount_cents"].sum()) / 100,
    }
