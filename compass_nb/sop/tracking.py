"""Plan against actual over past cycles: accuracy by lag, tracking signal, FVA, adherence.

A cycle ``p`` plans the months after ``p``; the forecast it made for month ``p + L`` is
its *lag-L* forecast. Errors are summed at SKU × location level, then per family:

* WAPE = Σ|actual − forecast| / Σ actual, bias = Σ(forecast − actual) / Σ actual;
* tracking signal = Σ(actual − forecast) / mean |actual − forecast|, over the months so
  far (outside ±4 = biased);
* forecast value added (FVA): WAPE of naive (last actual known at the cycle) →
  statistical → consensus; a step that lowers WAPE adds value;
* plan adherence = Σ min(actual, plan) / Σ plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import month_of, months_apart, period_month, period_months, to_datetime

KEYS = ["sku", "location", "month"]


def with_lag(snapshots: pd.DataFrame, lags=(1, 3)) -> pd.DataFrame:
    """Rows of cycle snapshots (``period`` + ``month``) whose lag is in ``lags``, with ``lag``."""
    df = snapshots.copy()
    if "month" not in df and "ds" in df:
        df["month"] = month_of(df["ds"]).to_numpy()
    cycle = period_months(df["period"])
    df["lag"] = months_apart(cycle, df["month"]).to_numpy()
    return df[df["lag"].isin(list(lags))]


def _joined(snapshots: pd.DataFrame, actuals: pd.DataFrame, value: str, last_month) -> pd.DataFrame:
    df = snapshots[snapshots["month"] <= pd.Timestamp(last_month)]
    df = df.merge(actuals[KEYS + ["actual"]], on=KEYS, how="left").fillna({"actual": 0.0})
    return df.assign(forecast=df[value].astype(float))


def error_summary(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """WAPE, bias and totals of ``actual`` against ``forecast`` per group."""
    e = df.assign(
        abs_error=(df["actual"] - df["forecast"]).abs(), error=df["forecast"] - df["actual"]
    )
    out = e.groupby(by, as_index=False).agg(
        actual=("actual", "sum"),
        forecast=("forecast", "sum"),
        abs_error=("abs_error", "sum"),
        error=("error", "sum"),
    )
    denom = out["actual"].where(out["actual"] > 0)
    out["wape"] = out["abs_error"] / denom
    out["bias"] = out["error"] / denom
    return out


def accuracy_by_lag(
    snapshots: pd.DataFrame,
    actuals: pd.DataFrame,
    last_month,
    *,
    value: str = "consensus",
    lags=(1, 3),
    by: tuple[str, ...] = ("family",),
) -> pd.DataFrame:
    """WAPE and bias per ``by`` × lag × target month, for months that have actuals.

    Parameters
    ----------
    snapshots
        Every cycle's plan rows: ``period``, ``sku``, ``location``, ``month``, ``family``, ``value``.
    actuals
        ``sku``, ``location``, ``month``, ``actual`` (missing = nothing ordered).
    last_month
        Last month with complete actuals.
    """
    df = _joined(with_lag(snapshots, lags), actuals, value, last_month)
    return error_summary(df, [*by, "lag", "month"])


def tracking_signal(accuracy: pd.DataFrame, by: tuple[str, ...] = ("family",)) -> pd.DataFrame:
    """Running tracking signal per group over target months: Σ(actual − forecast) / MAD.

    ``accuracy`` is one lag of :func:`accuracy_by_lag`. MAD is the mean absolute error of
    the months so far (each month's Σ|error| at SKU level). Adds ``tracking_signal``.
    """
    df = accuracy.sort_values([*by, "month"]).copy()
    g = df.groupby(list(by), sort=False)
    cum_error = g["error"].cumsum() * -1.0
    mad = g["abs_error"].cumsum() / (g.cumcount() + 1)
    df["tracking_signal"] = cum_error / mad.where(mad > 0)
    return df


def fva_by_month(
    consensus: pd.DataFrame, actuals: pd.DataFrame, last_month, *, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Lag-1 WAPE of naive, statistical and consensus forecasts per target month (the FVA stairstep).

    The naive forecast of cycle ``p`` is each SKU × location's actual of month ``p``.
    Returns ``by`` + ``month``, ``naive``, ``statistical``, ``consensus``,
    ``fva_stat`` (naive − statistical) and ``fva_override`` (statistical − consensus).
    """
    lag1 = with_lag(consensus, (1,))
    cycle_month = period_months(lag1["period"])
    naive = (
        lag1.assign(month=cycle_month.to_numpy())[["sku", "location", "month"]]
        .merge(actuals[KEYS + ["actual"]], on=KEYS, how="left")["actual"]
        .fillna(0.0)
    )
    lag1 = lag1.assign(naive=naive.to_numpy())
    parts = []
    for name, col in (
        ("naive", "naive"),
        ("statistical", "stat_forecast"),
        ("consensus", "consensus"),
    ):
        s = error_summary(_joined(lag1, actuals, col, last_month), [*by, "month"])
        parts.append(s.set_index([*by, "month"])["wape"].rename(name))
    out = pd.concat(parts, axis=1).reset_index()
    out["fva_stat"] = out["naive"] - out["statistical"]
    out["fva_override"] = out["statistical"] - out["consensus"]
    return out


def override_value_added(
    consensus: pd.DataFrame, actuals: pd.DataFrame, last_month
) -> pd.DataFrame:
    """Per family over past cycles: lag-1 WAPE before and after overrides, and the value added.

    Only rows where an override changed the forecast count, so a family's figure says
    whether its sales input helped. Returns ``family``, ``rows``, ``wape_statistical``,
    ``wape_consensus``, ``fva`` (positive = overrides improved the forecast).
    """
    lag1 = with_lag(consensus, (1,))
    lag1 = lag1[(lag1["consensus"] - lag1["stat_forecast"]).abs() > 1e-9]
    if lag1.empty:
        return pd.DataFrame(columns=["family", "rows", "wape_statistical", "wape_consensus", "fva"])
    stat = error_summary(_joined(lag1, actuals, "stat_forecast", last_month), ["family"])
    cons = error_summary(_joined(lag1, actuals, "consensus", last_month), ["family"])
    rows = _joined(lag1, actuals, "consensus", last_month).groupby("family").size()
    out = pd.DataFrame(
        {
            "family": stat["family"],
            "wape_statistical": stat["wape"].to_numpy(),
            "wape_consensus": cons.set_index("family").loc[stat["family"], "wape"].to_numpy(),
        }
    )
    out["rows"] = out["family"].map(rows).fillna(0).astype(int)
    out["fva"] = out["wape_statistical"] - out["wape_consensus"]
    return out[["family", "rows", "wape_statistical", "wape_consensus", "fva"]]


def plan_adherence(actual, plan) -> float:
    """Σ min(actual, plan) / Σ plan: the share of the plan that actually happened."""
    a = np.asarray(actual, dtype=float)
    p = np.asarray(plan, dtype=float)
    total = p.sum()
    return float(np.minimum(a, p).sum() / total) if total > 0 else float("nan")


def adherence_by_month(
    consensus: pd.DataFrame, actuals: pd.DataFrame, last_month, *, by: tuple[str, ...] = ("family",)
) -> pd.DataFrame:
    """Lag-1 plan adherence per group and target month (SKU × location terms)."""
    df = _joined(with_lag(consensus, (1,)), actuals, "consensus", last_month)
    df = df.assign(kept=np.minimum(df["actual"], df["forecast"]))
    out = df.groupby([*by, "month"], as_index=False).agg(
        kept=("kept", "sum"), plan=("forecast", "sum")
    )
    out["adherence"] = out["kept"] / out["plan"].where(out["plan"] > 0)
    return out


def achieved_fill_rate(
    supply: pd.DataFrame, actuals: pd.DataFrame, last_month, *, by: tuple[str, ...] = ("family",)
) -> pd.DataFrame:
    """Share of actual demand the lag-1 supply plan could serve, per group and month.

    Supply available in month ``m`` is what cycle ``m − 1`` planned to have: its opening
    on-hand plus receipts plus production for ``m``. Fill rate = Σ min(actual, available)
    / Σ actual.
    """
    lag1 = with_lag(supply, (1,))
    lag1 = lag1.assign(
        available=lag1["opening"].clip(lower=0.0) + lag1["receipts"] + lag1["production"]
    )
    df = _joined(lag1, actuals, "available", last_month)
    df = df.assign(served=np.minimum(df["actual"], df["forecast"]))
    out = df.groupby([*by, "month"], as_index=False).agg(
        served=("served", "sum"), actual=("actual", "sum")
    )
    out["fill_rate"] = out["served"] / out["actual"].where(out["actual"] > 0)
    return out


def inventory_vs_plan(
    supply: pd.DataFrame, inventory: pd.DataFrame, products: pd.DataFrame, last_month
) -> pd.DataFrame:
    """Actual month-end inventory value against the lag-1 plan's projected on-hand value.

    Returns ``month``, ``planned_value``, ``actual_value``, ``difference``.
    """
    lag1 = with_lag(supply, (1,))
    lag1 = lag1[lag1["month"] <= pd.Timestamp(last_month)]
    planned = lag1.assign(v=lag1["on_hand"] * lag1["unit_cost"]).groupby("month")["v"].sum()
    snaps = inventory.assign(snapshot_date=to_datetime(inventory["snapshot_date"]))
    snaps = snaps.assign(month=month_of(snaps["snapshot_date"]).to_numpy())
    snaps = (
        snaps.sort_values("snapshot_date")
        .groupby(["sku", "location", "month"], as_index=False)
        .last()
    )
    cost = products.drop_duplicates("sku").set_index("sku")["unit_cost"]
    snaps["v"] = snaps["on_hand"] * snaps["sku"].map(cost).fillna(0.0)
    actual = snaps.groupby("month")["v"].sum()
    out = pd.DataFrame({"planned_value": planned}).join(actual.rename("actual_value"), how="left")
    out["difference"] = out["actual_value"] - out["planned_value"]
    return out.rename_axis("month").reset_index()


def decision_outcomes(
    decisions: pd.DataFrame,
    consensus: pd.DataFrame,
    actuals: pd.DataFrame,
    last_month,
    months: int = 3,
) -> pd.DataFrame:
    """Each past cycle's decisions beside what followed in the next ``months`` months.

    Returns ``period``, ``approved_scenario``, ``decisions``, ``months_observed``,
    ``planned_revenue``, ``actual_revenue``, ``revenue_vs_plan``, ``planned_units``,
    ``actual_units``, ``adherence``.
    """
    if decisions is None or decisions.empty:
        return pd.DataFrame(
            columns=[
                "period",
                "approved_scenario",
                "decisions",
                "months_observed",
                "planned_revenue",
                "actual_revenue",
                "revenue_vs_plan",
                "planned_units",
                "actual_units",
                "adherence",
            ]
        )
    last = pd.Timestamp(last_month)
    rows = []
    for period, d in decisions.groupby("period", sort=True):
        start = period_month(period)
        window = pd.date_range(start + pd.DateOffset(months=1), periods=months, freq="MS")
        window = window[window <= last]
        plan = consensus[(consensus["period"] == period) & consensus["month"].isin(window)]
        plan = plan.merge(actuals[KEYS + ["actual", "actual_revenue"]], on=KEYS, how="left").fillna(
            {"actual": 0.0, "actual_revenue": 0.0}
        )
        act = actuals[actuals["month"].isin(window)]
        scen = d.loc[d["kind"] == "scenario", "option"]
        texts = d.loc[d["kind"] == "decision", "title"].astype(str).tolist()
        planned = float(plan["revenue"].sum())
        actual_rev = float(act["actual_revenue"].sum())
        rows.append(
            {
                "period": period,
                "approved_scenario": scen.iloc[0] if len(scen) else "",
                "decisions": "; ".join(texts),
                "months_observed": len(window),
                "planned_revenue": planned,
                "actual_revenue": actual_rev,
                "revenue_vs_plan": actual_rev / planned - 1
                if planned > 0 and len(window)
                else np.nan,
                "planned_units": float(plan["consensus"].sum()),
                "actual_units": float(act["actual"].sum()),
                "adherence": plan_adherence(plan["actual"], plan["consensus"])
                if len(window)
                else np.nan,
            }
        )
    return pd.DataFrame(rows)


LEDGER_COLUMNS = [
    "cycle",
    "decision_id",
    "title",
    "status",
    "option",
    "at_stake",
    "measure",
    "at_decision",
    "two_cycles_later",
    "three_cycles_later",
]


def _later(period: str, k: int) -> str:
    return str(pd.Period(str(period), freq="M") + k)


def decision_ledger(
    decisions: pd.DataFrame | None,
    consensus: pd.DataFrame,
    supply: pd.DataFrame | None,
    actuals: pd.DataFrame,
    last_month,
) -> pd.DataFrame:
    """Every past decision beside what followed two and three cycles later.

    Each decision is scored on one measure, as it was known at the cycle it was taken
    in and two and three cycles later:

    * an action (``kind`` ``action``, with ``family``, ``first_month``, ``last_month``):
      the family's revenue at risk (unmet demand at net price) in the action's months,
      from the supply plan of each cycle (months that cycle still plans);
    * the plan (``kind`` ``scenario``): the net revenue of the three months after the
      cycle — planned at the decision, then actuals for the months that have them plus
      the later cycle's plan for the rest.

    A later cycle that is not in the store yet (or after ``last_month``) gives NaN.
    Returns :data:`LEDGER_COLUMNS`.
    """
    if decisions is None or decisions.empty or "kind" not in decisions:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    last = pd.Timestamp(last_month)
    cycles = set(consensus["period"].astype(str))
    plans = set(supply["period"].astype(str)) if supply is not None and not supply.empty else set()
    rows = []
    for d in decisions.itertuples():
        cycle = str(d.period)
        if period_month(cycle) >= last:
            continue
        row = {
            "cycle": cycle,
            "decision_id": getattr(d, "decision_id", ""),
            "title": d.title,
            "status": getattr(d, "status", "decided"),
            "option": d.option,
            "at_stake": getattr(d, "at_stake", np.nan),
        }
        if d.kind == "action" and pd.notna(getattr(d, "first_month", pd.NaT)):
            row["measure"] = (
                f"revenue at risk, {d.family} {pd.Timestamp(d.first_month):%Y-%m} to "
                f"{pd.Timestamp(d.last_month):%Y-%m}"
            )
            for column, k in (
                ("at_decision", 0),
                ("two_cycles_later", 2),
                ("three_cycles_later", 3),
            ):
                later = _later(cycle, k)
                if later not in plans or period_month(later) > last:
                    row[column] = np.nan
                    continue
                p = supply[(supply["period"].astype(str) == later) & (supply["family"] == d.family)]
                p = p[p["month"].between(pd.Timestamp(d.first_month), pd.Timestamp(d.last_month))]
                row[column] = float(p["unmet_revenue"].sum()) if len(p) else np.nan
        elif d.kind == "scenario":
            window = pd.date_range(
                period_month(cycle) + pd.DateOffset(months=1), periods=3, freq="MS"
            )
            row["measure"] = f"net revenue {window[0]:%Y-%m} to {window[-1]:%Y-%m}"
            for column, k in (
                ("at_decision", 0),
                ("two_cycles_later", 2),
                ("three_cycles_later", 3),
            ):
                later = _later(cycle, k)
                if later not in cycles or period_month(later) > last:
                    row[column] = np.nan
                    continue
                known = window[window <= period_month(later)]
                ahead = window[window > period_month(later)]
                actual = actuals.loc[actuals["month"].isin(known), "actual_revenue"].sum()
                plan = consensus[
                    (consensus["period"].astype(str) == later) & consensus["month"].isin(ahead)
                ]["revenue"].sum()
                row[column] = float(actual + plan)
        else:
            continue
        rows.append(row)
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)
