"""One S&OP cycle's forecast: demand by SKU × location × month, all levels, reconciled.

This is what the ``forecasting`` notebook runs: monthly demand from clean orders, the
engine on every node of the hierarchy (SKU × location, family, location, total),
MinTrace reconciliation, the store's ``forecast`` and ``forecast_backtest`` tables,
overrides applied for forecast value added, and the tracking signals of past cycles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.forecast.adaptive import one_step_errors, series_to_reselect, tracking_signals
from compass_nb.forecast.engine import ForecastResult, fit_forecast
from compass_nb.forecast.fva import fva_stairstep
from compass_nb.forecast.hierarchy import aggregate, reconcile_forecasts
from compass_nb.forecast.metrics import mase

__all__ = [
    "FORECAST_COLUMNS",
    "CycleForecast",
    "monthly_demand",
    "run_cycle",
    "backtest_table",
    "headline_metrics",
    "apply_overrides",
    "fva_table",
    "cycle_tracking",
    "leaderboard",
    "accuracy_by_family",
]

FORECAST_COLUMNS = [
    "unique_id",
    "level",
    "sku",
    "location",
    "family",
    "ds",
    "yhat",
    "yhat_lo_80",
    "yhat_hi_80",
    "yhat_lo_95",
    "yhat_hi_95",
    "model",
    "demand_class",
    "flag",
]


@dataclass
class CycleForecast:
    """The cycle's forecast table (store contract) and the engine's measurements."""

    forecast: pd.DataFrame  # FORECAST_COLUMNS (+ yhat_base, candidate_set)
    backtest: (
        pd.DataFrame
    )  # per series: unique_id, level, family, model, wape, bias, mase, coverage
    history: (
        pd.DataFrame
    )  # every node's monthly history: unique_id, level, sku, location, family, ds, y
    result: ForecastResult


def monthly_demand(orders: pd.DataFrame, products: pd.DataFrame, cutoff) -> pd.DataFrame:
    """Ordered quantity by SKU × location × month, zero-filled from first order to the cut-off.

    Returns
    -------
    DataFrame
        ``sku``, ``location``, ``family``, ``ds`` (month start), ``y``.
    """
    end = pd.Timestamp(cutoff).to_period("M").to_timestamp()
    o = orders.assign(ds=pd.to_datetime(orders["order_date"]).dt.to_period("M").dt.to_timestamp())
    o = o[o["ds"] <= end]
    m = o.groupby(["sku", "location", "ds"], as_index=False)["quantity"].sum()
    parts = []
    for (sku, loc), g in m.groupby(["sku", "location"], sort=True):
        full = pd.date_range(g["ds"].min(), end, freq="MS")
        y = g.set_index("ds")["quantity"].reindex(full, fill_value=0)
        parts.append(
            pd.DataFrame({"sku": sku, "location": loc, "ds": full, "y": y.to_numpy(float)})
        )
    out = pd.concat(parts, ignore_index=True)
    family = products.drop_duplicates("sku").set_index("sku")["family"]
    out["family"] = out["sku"].map(family).fillna("Unassigned")
    return out[["sku", "location", "family", "ds", "y"]]


def run_cycle(
    demand: pd.DataFrame,
    h: int,
    level=(80, 95),
    *,
    reconciliation: str = "wls_struct",
    **options,
) -> CycleForecast:
    """Forecast every node of the SKU × location → family / location / total hierarchy.

    Parameters
    ----------
    demand : DataFrame
        :func:`monthly_demand`'s output.
    h : int
        Horizon in months.
    level : sequence of int
    reconciliation : str
        ``bottom_up``, ``top_down``, ``ols``, ``wls_struct`` (default) or ``mint_shrink``.
    **options
        Passed to :func:`compass_nb.forecast.fit_forecast` (``candidates``,
        ``backtest_windows``, ``reselect``, ``n_jobs``, ``executor``, ``scheduler`` ...).
    """
    panel, nodes = aggregate(demand)
    family = nodes.set_index("unique_id")["family"].dropna().to_dict()
    res = fit_forecast(panel[["unique_id", "ds", "y"]], h, "MS", level, family=family, **options)
    rec = reconcile_forecasts(
        res.forecast, nodes, reconciliation, history=panel[["unique_id", "ds", "y"]]
    )
    fc = rec.merge(nodes, on="unique_id", how="left")
    fc["flag"] = fc["flag"].fillna("")
    cols = FORECAST_COLUMNS + ["yhat_base", "candidate_set"]
    return CycleForecast(fc[cols], backtest_table(res, nodes, panel), panel, res)


def backtest_table(res: ForecastResult, nodes: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """Per series: chosen model and its backtest WAPE, bias, MASE and 80 % coverage."""
    bt = res.backtest
    if bt.empty:
        return pd.DataFrame(
            columns=["unique_id", "level", "family", "model", "wape", "bias", "mase", "coverage"]
        )
    hist = {u: g["y"].to_numpy(float) for u, g in panel.groupby("unique_id")}
    rows = []
    for uid, g in bt.groupby("unique_id", sort=True):
        y, f = g["y"].to_numpy(float), g["yhat"].to_numpy(float)
        tot = np.abs(y).sum()
        inside = (g["y"] >= g["yhat_lo_80"]) & (g["y"] <= g["yhat_hi_80"])
        rows.append(
            (
                uid,
                g["model"].iloc[0],
                np.abs(y - f).sum() / tot if tot else np.nan,
                (f - y).sum() / tot if tot else np.nan,
                mase(y, f, hist[uid], 12),
                float(inside.mean()),
                np.abs(y - f).sum(),
                tot,
                (f - y).sum(),
            )
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "unique_id",
            "model",
            "wape",
            "bias",
            "mase",
            "coverage",
            "abs_error",
            "actual",
            "error",
        ],
    )
    return nodes[["unique_id", "level", "family"]].merge(out, on="unique_id")


def headline_metrics(backtest: pd.DataFrame, level: str = "sku_location") -> dict:
    """Backtest WAPE, bias, median MASE and 80 % coverage over the series of one level."""
    b = backtest[backtest["level"] == level]
    total = b["actual"].sum()
    return {
        "wape": float(b["abs_error"].sum() / total) if total else float("nan"),
        "bias": float(b["error"].sum() / total) if total else float("nan"),
        "mase": float(b["mase"].median()),
        "coverage": float(b["coverage"].mean()),
    }


def leaderboard(res: ForecastResult) -> pd.DataFrame:
    """Candidates ranked by backtest MAE relative to the naive forecast, with wins."""
    sc = res.scores
    if sc.empty:
        return pd.DataFrame(columns=["option", "relative_mae", "series", "wins"])
    naive = res.backtest.groupby("unique_id").apply(
        lambda g: float(np.mean(np.abs(g["y"] - g["naive_last"]))), include_groups=False
    )
    sc = sc.assign(rel=sc["mae"] / sc["unique_id"].map(naive).replace(0, np.nan))
    best = sc.loc[sc.groupby("unique_id")["mae"].idxmin(), "option"].value_counts()
    board = (
        sc.groupby("option")
        .agg(relative_mae=("rel", "median"), series=("unique_id", "nunique"))
        .reset_index()
    )
    board["wins"] = board["option"].map(best).fillna(0).astype(int)
    return board.sort_values("relative_mae").reset_index(drop=True)


def accuracy_by_family(backtest: pd.DataFrame) -> pd.DataFrame:
    """Backtest WAPE and bias of SKU × location series by family, with their most used model."""
    b = backtest[backtest["level"] == "sku_location"]
    g = b.groupby("family")
    return pd.DataFrame(
        {
            "series": g.size(),
            "wape": g["abs_error"].sum() / g["actual"].sum(),
            "bias": g["error"].sum() / g["actual"].sum(),
            "models": g["model"].agg(
                lambda s: s.str.replace("Combination", "Comb").value_counts().index[0]
            ),
        }
    ).reset_index()


def apply_overrides(fc: pd.DataFrame, overrides: pd.DataFrame, cycle: str) -> pd.Series:
    """Bottom-level forecasts after the overrides made in ``cycle``.

    An override sets the total of the rows it names (a family or a SKU, optionally one
    location, in one month) to its ``quantity``; the rows keep their statistical mix.

    Returns
    -------
    Series
        The overridden forecast, aligned with ``fc`` (rows of ``sku_location`` level).
    """
    out = fc["yhat"].astype(float).copy()
    if overrides is None or overrides.empty:
        return out
    month = pd.to_datetime(fc["ds"]).dt.strftime("%Y-%m")
    mine = overrides[overrides["cycle"].astype(str) == str(cycle)]
    for o in mine.itertuples(index=False):
        sel = (month == str(o.period)) & (fc["level"] == "sku_location")
        sku = getattr(o, "sku", None)
        sel &= (
            (fc["sku"] == sku)
            if isinstance(sku, str) and sku
            else (fc["family"] == getattr(o, "family", None))
        )
        loc = getattr(o, "location", None)
        if isinstance(loc, str) and loc:
            sel &= fc["location"] == loc
        if not sel.any():
            continue
        base = out[sel]
        out[sel] = base * (o.quantity / base.sum()) if base.sum() > 0 else o.quantity / sel.sum()
    return out


def fva_table(
    snapshots: pd.DataFrame, demand: pd.DataFrame, overrides: pd.DataFrame, by: str | None = None
) -> pd.DataFrame:
    """Forecast value added over past cycles: naive → statistical → after overrides.

    Each past cycle's bottom-level forecast of the month after it is compared with the
    actual; the naive forecast is the cycle month's actual.
    """
    bottom = snapshots[snapshots["level"] == "sku_location"].copy()
    if bottom.empty:
        return pd.DataFrame(columns=[by or "group", "step", "wape", "bias", "mae", "fva"])
    bottom["override"] = 0.0
    for cycle, idx in bottom.groupby("period").groups.items():
        bottom.loc[idx, "override"] = apply_overrides(bottom.loc[idx], overrides, cycle).to_numpy()
    actual = demand.assign(unique_id=demand["sku"] + "|" + demand["location"])[
        ["unique_id", "ds", "y"]
    ]
    err = one_step_errors(bottom, actual)
    err = err.merge(
        bottom[["unique_id", "period", "ds", "override", "family"]],
        on=["unique_id", "period", "ds"],
    )
    err["statistical"] = err["yhat"]
    prev = actual.assign(period=actual["ds"].dt.strftime("%Y-%m")).rename(columns={"y": "naive"})
    err = err.merge(
        prev[["unique_id", "period", "naive"]], on=["unique_id", "period"], how="left"
    ).fillna({"naive": 0})
    return fva_stairstep(err, by=by)


def cycle_tracking(snapshots: pd.DataFrame, demand: pd.DataFrame, window: int = 12) -> pd.DataFrame:
    """Tracking signals of the SKU × location series over past cycles' forecasts.

    Only continuous demand (smooth, erratic) is flagged: for intermittent series most
    months are zero against a positive rate forecast, so their cumulative error drifts
    by construction and says nothing about a change of level.
    """
    bottom = snapshots[snapshots["level"] == "sku_location"]
    if bottom.empty:
        return pd.DataFrame(
            columns=[
                "unique_id",
                "n",
                "cum_error",
                "mad",
                "tracking_signal",
                "flagged",
                "demand_class",
            ]
        )
    actual = demand.assign(unique_id=demand["sku"] + "|" + demand["location"])[
        ["unique_id", "ds", "y"]
    ]
    signals = tracking_signals(one_step_errors(bottom, actual), window=window)
    latest = bottom.sort_values("period").drop_duplicates("unique_id", keep="last")
    signals["demand_class"] = signals["unique_id"].map(
        latest.set_index("unique_id")["demand_class"]
    )
    signals["flagged"] &= signals["demand_class"].isin(["smooth", "erratic"])
    return signals


def reselect_ids(signals: pd.DataFrame) -> set:
    """The series to re-select this cycle (tracking signal out of ±4)."""
    return series_to_reselect(signals) if len(signals) else set()


def fva_from_backtest(cycle: CycleForecast, by: str | None = None) -> pd.DataFrame:
    """Naive → statistical stairstep on the backtest, for a store without past cycles.

    The naive forecast is the last actual before the backtest origin; no overrides were
    made at backtest origins, so the override step equals the statistical one.
    """
    bt = cycle.result.backtest
    nodes = cycle.backtest[["unique_id", "level", "family"]]
    bt = bt.merge(nodes, on="unique_id")
    bt = bt[bt["level"] == "sku_location"]
    frame = pd.DataFrame(
        {
            "family": bt["family"],
            "y": bt["y"],
            "naive": bt["naive_last"],
            "statistical": bt["yhat"],
            "override": bt["yhat"],
        }
    )
    return fva_stairstep(frame, by=by)


def cycle_nowcast(fc: pd.DataFrame, mtd_orders: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Nowcast of the first forecast month of every SKU × location from its month-to-date orders.

    The elapsed share of the month follows the weekday pattern of the order history.
    """
    from compass_nb.forecast.nowcast import nowcast, weekday_weights

    bottom = fc[fc["level"] == "sku_location"]
    if bottom.empty or mtd_orders is None or mtd_orders.empty:
        return pd.DataFrame(
            columns=["unique_id", "forecast", "mtd", "share_elapsed", "run_rate", "nowcast"]
        )
    first = bottom[bottom["ds"] == bottom["ds"].min()]
    month = first["ds"].iloc[0].strftime("%Y-%m")
    mtd = mtd_orders.assign(
        unique_id=mtd_orders["sku"].astype(str) + "|" + mtd_orders["location"].astype(str)
    )
    recent = orders[
        pd.to_datetime(orders["order_date"])
        >= pd.to_datetime(orders["order_date"]).max() - pd.Timedelta(days=364)
    ]
    return nowcast(first[["unique_id", "yhat"]], mtd, month, weights=weekday_weights(recent))


def past_snapshots(snapshots: pd.DataFrame, period: str) -> pd.DataFrame:
    """Forecast snapshots of the cycles before ``period`` (empty frame when there are none)."""
    if snapshots is None or snapshots.empty or "period" not in snapshots:
        return pd.DataFrame(columns=FORECAST_COLUMNS + ["period"])
    past = snapshots[snapshots["period"].astype(str) < str(period)].copy()
    past["ds"] = pd.to_datetime(past["ds"])
    return past


def class_counts(cycle: CycleForecast) -> pd.DataFrame:
    """Number of series per demand class and hierarchy level."""
    firsts = cycle.forecast.drop_duplicates("unique_id")
    return (
        firsts.pivot_table(
            index="demand_class", columns="level", values="unique_id", aggfunc="count", fill_value=0
        )
        .reset_index()
        .rename_axis(columns=None)
    )


def largest_series(cycle: CycleForecast, n: int) -> list[str]:
    """The ``n`` SKU × location series with the most demand over the last year."""
    h = cycle.history[cycle.history["level"] == "sku_location"]
    recent = h[h["ds"] > h["ds"].max() - pd.DateOffset(months=12)]
    return list(recent.groupby("unique_id")["y"].sum().nlargest(int(n)).index)


def flagged_series(cycle: CycleForecast, signals: pd.DataFrame) -> pd.DataFrame:
    """Series flagged this cycle (re-selected, outlier, new item), with their tracking signal."""
    f = cycle.forecast[(cycle.forecast["level"] == "sku_location") & (cycle.forecast["flag"] != "")]
    f = f.drop_duplicates("unique_id")[["unique_id", "family", "model", "demand_class", "flag"]]
    ts = (
        signals[["unique_id", "tracking_signal"]]
        if len(signals)
        else pd.DataFrame(columns=["unique_id", "tracking_signal"])
    )
    out = f.merge(ts, on="unique_id", how="left")
    signal = pd.to_numeric(out["tracking_signal"], errors="coerce").abs().fillna(0.0)
    order = out["flag"].str.contains("re-selected").astype(int) * 10 + signal
    return (
        out.assign(_o=order)
        .sort_values("_o", ascending=False)
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def nowcast_summary(now: pd.DataFrame) -> pd.DataFrame:
    """Nowcast beside the forecast, largest relative gaps first."""
    if now.empty:
        return now
    out = now[["unique_id", "forecast", "mtd", "share_elapsed", "nowcast"]].copy()
    out["gap"] = (out["nowcast"] / out["forecast"].where(out["forecast"] > 0)) - 1
    return out.sort_values(
        "gap", key=lambda s: s.abs(), ascending=False, na_position="last"
    ).reset_index(drop=True)


def summary_lines(
    cycle: CycleForecast, head: dict, signals: pd.DataFrame, now: pd.DataFrame
) -> list[str]:
    """Headline sentences of the forecasting notebook."""
    fc = cycle.forecast
    total = fc[fc["level"] == "total"]
    bottom = fc[fc["level"] == "sku_location"].drop_duplicates("unique_id")
    first = total["ds"].min()
    lines = [
        f"{bottom['unique_id'].nunique()} SKU × location series forecast {total['ds'].nunique()} months ahead "
        f"({first:%b %Y} to {total['ds'].max():%b %Y}): {total['yhat'].sum():,.0f} units in total, "
        f"{total.loc[total['ds'] == first, 'yhat'].sum():,.0f} in {first:%b %Y}.",
        f"Backtest accuracy: WAPE {head['wape']:.1%}, bias {head['bias']:+.1%}, median MASE {head['mase']:.2f}; "
        f"80 % intervals covered {head['coverage']:.0%} of backtest actuals.",
    ]
    flagged = int(signals["flagged"].sum()) if len(signals) else 0
    if len(signals):
        lines.append(
            f"{flagged} of {len(signals)} series left the ±4 tracking-signal band and were re-selected."
        )
    else:
        lines.append(
            "No past cycles in the store yet: tracking signals start with the next cycle (or --backfill)."
        )
    n_out = int(bottom["flag"].str.contains("outlier").sum())
    n_new = int(bottom["flag"].str.contains("new-item").sum())
    lines.append(
        f"{n_out} series had outliers cleaned for fitting; {n_new} new items borrow their family's seasonality."
    )
    if len(now):
        share = now["share_elapsed"].iloc[0]
        lines.append(
            f"Nowcast with {share:.0%} of {first:%b %Y} elapsed: {now['nowcast'].sum():,.0f} units "
            f"against a forecast of {now['forecast'].sum():,.0f}."
        )
    if fc["candidate_set"].iloc[0] == "fast":
        lines.append("A very large panel: the cheaper 'fast' candidate set was used.")
    return lines


def forecast_value_added(
    past: pd.DataFrame,
    demand: pd.DataFrame,
    overrides: pd.DataFrame,
    cycle: CycleForecast,
    by: str | None = None,
) -> pd.DataFrame:
    """Forecast value added: on past cycles' forecasts when the store holds any, else on
    this cycle's backtest (where no override was made, so that step is not measured)."""
    if len(past):
        return fva_table(past, demand, overrides, by=by)
    return fva_from_backtest(cycle, by=by)


@dataclass
class ForecastReview:
    """Everything the forecasting notebook shows, computed once."""

    cycle: CycleForecast
    signals: pd.DataFrame
    fva: pd.DataFrame
    fva_family: pd.DataFrame
    nowcast: pd.DataFrame
    headline: dict
    leaderboard: pd.DataFrame
    accuracy_by_family: pd.DataFrame
    class_counts: pd.DataFrame
    flagged: pd.DataFrame
    largest: list[str]
    nowcast_table: pd.DataFrame
    summary: list[str]


def review(
    orders: pd.DataFrame,
    products: pd.DataFrame,
    overrides: pd.DataFrame,
    snapshots: pd.DataFrame,
    mtd_orders: pd.DataFrame,
    *,
    period: str,
    cutoff: pd.Timestamp,
    horizon: int,
    level,
    show_series: int,
    **options,
) -> ForecastReview:
    """The forecasting step: demand, the cycle's forecast, tracking, FVA and the nowcast.

    ``snapshots`` are the stored forecasts of every cycle (the earlier ones are used);
    ``options`` go to :func:`run_cycle` (``candidates``, ``backtest_windows``, ``n_jobs``,
    ``executor``, ``scheduler``).
    """
    demand = monthly_demand(orders, products, cutoff)
    past = past_snapshots(snapshots, period)
    signals = cycle_tracking(past, demand)
    cycle = run_cycle(demand, horizon, level, reselect=reselect_ids(signals), **options)
    now = cycle_nowcast(cycle.forecast, mtd_orders, orders)
    head = headline_metrics(cycle.backtest)
    return ForecastReview(
        cycle=cycle,
        signals=signals,
        fva=forecast_value_added(past, demand, overrides, cycle),
        fva_family=forecast_value_added(past, demand, overrides, cycle, by="family"),
        nowcast=now,
        headline=head,
        leaderboard=leaderboard(cycle.result),
        accuracy_by_family=accuracy_by_family(cycle.backtest),
        class_counts=class_counts(cycle),
        flagged=flagged_series(cycle, signals),
        largest=largest_series(cycle, show_series),
        nowcast_table=nowcast_summary(now),
        summary=summary_lines(cycle, head, signals, now),
    )
