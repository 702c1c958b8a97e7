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
    "unique_id", "level", "sku", "location", "family", "ds", "yhat",
    "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95", "model", "demand_class", "flag",
]


@dataclass
class CycleForecast:
    """The cycle's forecast table (store contract) and the engine's measurements."""

    forecast: pd.DataFrame  # FORECAST_COLUMNS (+ yhat_base, candidate_set)
    backtest: pd.DataFrame  # per series: unique_id, level, family, model, wape, bias, mase, coverage
    history: pd.DataFrame  # every node's monthly history: unique_id, level, sku, location, family, ds, y
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
        parts.append(pd.DataFrame({"sku": sku, "location": loc, "ds": full, "y": y.to_numpy(float)}))
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
    rec = reconcile_forecasts(res.forecast, nodes, reconciliation, history=panel[["unique_id", "ds", "y"]])
    fc = rec.merge(nodes, on="unique_id", how="left")
    fc["flag"] = fc["flag"].fillna("")
    cols = FORECAST_COLUMNS + ["yhat_base", "candidate_set"]
    return CycleForecast(fc[cols], backtest_table(res, nodes, panel), panel, res)


def backtest_table(res: ForecastResult, nodes: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """Per series: chosen model and its backtest WAPE, bias, MASE and 80 % coverage."""
    bt = res.backtest
    if bt.empty:
        return pd.DataFrame(columns=["unique_id", "level", "family", "model", "wape", "bias", "mase", "coverage"])
    hist = {u: g["y"].to_numpy(float) for u, g in panel.groupby("unique_id")}
    rows = []
    for uid, g in bt.groupby("unique_id", sort=True):
        y, f = g["y"].to_numpy(float), g["yhat"].to_numpy(float)
        tot = np.abs(y).sum()
        inside = (g["y"] >= g["yhat_lo_80"]) & (g["y"] <= g["yhat_hi_80"])
        rows.append((uid, g["model"].iloc[0], np.abs(y - f).sum() / tot if tot else np.nan,
                     (f - y).sum() / tot if tot else np.nan, mase(y, f, hist[uid], 12), float(inside.mean()),
                     np.abs(y - f).sum(), tot, (f - y).sum()))
    out = pd.DataFrame(rows, columns=["unique_id", "model", "wape", "bias", "mase", "coverage", "abs_error", "actual", "error"])
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
    board = sc.groupby("option").agg(relative_mae=("rel", "median"), series=("unique_id", "nunique")).reset_index()
    board["wins"] = board["option"].map(best).fillna(0).astype(int)
    return board.sort_values("relative_mae").reset_index(drop=True)


def accuracy_by_family(backtest: pd.DataFrame) -> pd.DataFrame:
    """Backtest WAPE and bias of SKU × location series by family, with their most used model."""
    b = backtest[backtest["level"] == "sku_location"]
    g = b.groupby("family")
    return pd.DataFrame({
        "series": g.size(),
        "wape": g["abs_error"].sum() / g["actual"].sum(),
        "bias": g["error"].sum() / g["actual"].sum(),
        "models": g["model"].agg(lambda s: s.str.replace("Combination", "Comb").value_counts().index[0]),
    }).reset_index()


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
        sel &= (fc["sku"] == sku) if isinstance(sku, str) and sku else (fc["family"] == getattr(o, "family", None))
        loc = getattr(o, "location", None)
        if isinstance(loc, str) and loc:
            sel &= fc["location"] == loc
        if not sel.any():
            continue
        base = out[sel]
        out[sel] = base * (o.quantity / base.sum()) if base.sum() > 0 else o.quantity / sel.sum()
    return out


def fva_table(snapshots: pd.DataFrame, demand: pd.DataFrame, overrides: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
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
    actual = demand.assign(unique_id=demand["sku"] + "|" + demand["location"])[["unique_id", "ds", "y"]]
    err = one_step_errors(bottom.rename(columns={"yhat": "statistical"}).assign(yhat=lambda d: d["statistical"]), actual)
    err = err.merge(bottom[["unique_id", "period", "ds", "statistical", "override", "family"]], on=["unique_id", "period", "ds"])
    prev = actual.assign(period=actual["ds"].dt.strftime("%Y-%m")).rename(columns={"y": "naive"})
    err = err.merge(prev[["unique_id", "period", "naive"]], on=["unique_id", "period"], how="left").fillna({"naive": 0})
    return fva_stairstep(err, by=by)


def cycle_tracking(snapshots: pd.DataFrame, demand: pd.DataFrame, window: int = 12) -> pd.DataFrame:
    """Tracking signals of the SKU × location series over past cycles' forecasts."""
    bottom = snapshots[snapshots["level"] == "sku_location"]
    if bottom.empty:
        return pd.DataFrame(columns=["unique_id", "n", "cum_error", "mad", "tracking_signal", "flagged"])
    actual = demand.assign(unique_id=demand["sku"] + "|" + demand["location"])[["unique_id", "ds", "y"]]
    return tracking_signals(one_step_errors(bottom, actual), window=window)


def reselect_ids(signals: pd.DataFrame) -> set:
    """The series to re-select this cycle (tracking signal out of ±4)."""
    return series_to_reselect(signals) if len(signals) else set()
