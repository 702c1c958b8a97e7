"""One S&OP cycle's forecast: demand by SKU × location × month, all levels, reconciled.

This is what the ``forecasting`` step runs: monthly demand from clean orders, the engine
on every node of the hierarchy (SKU × location, family, location, total), MinTrace
reconciliation, then the planned level: the SKU × location forecasts after the rules of
:mod:`.adjust` (no negative demand, empirical intervals for intermittent series, thin
series capped, the product life cycle), launches started from their family, and every
upper level as their exact sum, each with its own interval calibrated on its backtest
(:mod:`.calibration`). The backtest is scored the
same way (:mod:`.evaluation`); the tracking signals of past cycles re-select drifting
series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.forecast.accuracy import series_accuracy
from compass_nb.forecast.adaptive import one_step_errors, series_to_reselect, tracking_signals
from compass_nb.forecast.adjust import PlanRules, bottom_forecast
from compass_nb.forecast.calibration import cross_fitted, widen, widening_factors
from compass_nb.forecast.engine import ForecastResult, fit_forecast
from compass_nb.forecast.evaluation import evaluated_backtest
from compass_nb.forecast.fva import apply_overrides
from compass_nb.forecast.hierarchy import aggregate, coherent_forecasts, reconcile_forecasts
from compass_nb.forecast.lifecycle import launch_forecasts, lifecycle_table

__all__ = [
    "FORECAST_COLUMNS",
    "CycleForecast",
    "monthly_demand",
    "run_cycle",
    "apply_overrides",
    "cycle_tracking",
    "leaderboard",
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

    forecast: pd.DataFrame  # FORECAST_COLUMNS (+ yhat_base, candidate_set), every level
    backtest: pd.DataFrame  # per series: accuracy.series_accuracy (forecast_backtest)
    history: pd.DataFrame  # every node's monthly history: unique_id, level, sku, ..., ds, y
    result: ForecastResult  # what the engine measured (base forecasts, raw backtest, ...)
    evaluated: pd.DataFrame  # evaluation.evaluated_backtest: planned backtest + benchmarks
    lifecycle: pd.DataFrame  # lifecycle.lifecycle_table: phase-outs, pre-launch, launches
    interval_factors: dict  # calibration.widening_factors of the upper levels


def monthly_demand(orders: pd.DataFrame, products: pd.DataFrame, cutoff) -> pd.DataFrame:
    """Ordered quantity by SKU × location × month, zero-filled from first order to the cut-off.

    Returns
    -------
    DataFrame
        ``sku``, ``location``, ``family``, ``ds`` (month start), ``y``.
    """
    end = pd.Timestamp(cutoff).to_period("M").to_timestamp()
    o = orders.assign(ds=to_datetime(orders["order_date"]).dt.to_period("M").dt.to_timestamp())
    o = o[o["ds"] <= end]
    m = o.groupby(["sku", "location", "ds"], as_index=False)["quantity"].sum()
    first = m.groupby(["sku", "location"], sort=True)["ds"].min()
    start = first.to_numpy().astype("datetime64[M]")
    count = (end.to_datetime64().astype("datetime64[M]") - start).astype(int) + 1
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    keys = first.index.repeat(count)
    grid = pd.DataFrame(
        {
            "sku": keys.get_level_values("sku"),
            "location": keys.get_level_values("location"),
            "ds": (np.repeat(start, count) + offset).astype("datetime64[ns]"),
        }
    )
    out = grid.merge(m, on=["sku", "location", "ds"], how="left")
    out["y"] = out["quantity"].fillna(0).to_numpy(float)
    family = products.drop_duplicates("sku").set_index("sku")["family"]
    out["family"] = out["sku"].map(family).fillna("Unassigned")
    return out[["sku", "location", "family", "ds", "y"]]


def run_cycle(
    demand: pd.DataFrame,
    h: int,
    level=(80, 95),
    *,
    products: pd.DataFrame | None,
    rules: PlanRules,
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
    products : DataFrame or None
        ``sku``, ``family`` and the optional ``launch_date`` / ``discontinue_date``
        (``None``: no life cycle, no launches).
    rules : PlanRules
        The knobs of the bottom-level rules.
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
    is_bottom = fc["level"] == "sku_location"
    history = panel.loc[panel["level"] == "sku_location", ["unique_id", "ds", "y"]]
    args = dict(level=level, rules=rules)
    before = bottom_forecast(fc[is_bottom], history, None, **args)
    bottom = bottom_forecast(fc[is_bottom], history, products, **args)
    if products is not None and len(products):
        launches = launch_forecasts(bottom, demand, products, rules.launch_ramp)
        if len(launches):
            launches = launches.assign(
                level="sku_location", candidate_set=fc["candidate_set"].iloc[0]
            )
            bottom = pd.concat([bottom, launches], ignore_index=True)
    ev = evaluated_backtest(
        res.backtest,
        panel,
        nodes,
        products,
        level=level,
        m=res.settings["season_length"],
        rules=rules,
    )
    factors = widening_factors(ev, level)
    upper = widen(coherent_forecasts(bottom, fc[~is_bottom]), factors, level)
    out = pd.concat([upper, bottom], ignore_index=True)
    order = {u: i for i, u in enumerate(nodes["unique_id"])}
    out = out.assign(_o=out["unique_id"].map(order).fillna(len(order)))
    out = out.sort_values(["_o", "unique_id", "ds"]).drop(columns="_o").reset_index(drop=True)
    cols = FORECAST_COLUMNS + ["yhat_base", "candidate_set"]
    changes = lifecycle_table(bottom, before, products)
    ev = cross_fitted(ev, level)
    return CycleForecast(out[cols], series_accuracy(ev), panel, res, ev, changes, factors)


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


def cycle_nowcast(fc: pd.DataFrame, mtd_orders: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Nowcast of the first forecast month of every SKU × location from its month-to-date orders.

    The elapsed share of the month follows the weekday pattern of the order history.

    Returns
    -------
    DataFrame
        :func:`.nowcast.nowcast`'s columns with ``sku``, ``location``, ``family``, ``month``.
    """
    from compass_nb.forecast.nowcast import nowcast, weekday_weights

    bottom = fc[fc["level"] == "sku_location"]
    cols = ["unique_id", "sku", "location", "family", "month", "forecast", "mtd"]
    cols += ["share_elapsed", "run_rate", "nowcast"]
    if bottom.empty or mtd_orders is None or mtd_orders.empty:
        return pd.DataFrame(columns=cols)
    first = bottom[bottom["ds"] == bottom["ds"].min()]
    month = first["ds"].iloc[0].strftime("%Y-%m")
    mtd = mtd_orders.assign(
        unique_id=mtd_orders["sku"].astype(str) + "|" + mtd_orders["location"].astype(str)
    )
    day = to_datetime(orders["order_date"])
    recent = orders[day >= day.max() - pd.Timedelta(days=364)]
    now = nowcast(first[["unique_id", "yhat"]], mtd, month, weights=weekday_weights(recent))
    keys = first[["unique_id", "sku", "location", "family", "ds"]].rename(columns={"ds": "month"})
    return now.merge(keys, on="unique_id", how="left")[cols]


def past_snapshots(snapshots: pd.DataFrame, period: str) -> pd.DataFrame:
    """Forecast snapshots of the cycles before ``period`` (empty frame when there are none)."""
    if snapshots is None or snapshots.empty or "period" not in snapshots:
        return pd.DataFrame(columns=FORECAST_COLUMNS + ["period"])
    past = snapshots[snapshots["period"].astype(str) < str(period)].copy()
    past["ds"] = to_datetime(past["ds"])
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
