"""The backtest as the plan sees it, beside the benchmark forecasts at the same origins.

The engine's rolling-origin backtest (:mod:`.backtest`) forecasts each node from what
preceded an origin. Here its bottom-level forecasts go through the same rules as the
cycle's (:func:`.adjust.bottom_forecast`, with the history before the origin and the
demand class at the origin), every forecast is scored against the raw actual (the
engine fits on cleaned history), and the M4 benchmarks are fitted at the same origins on
the same raw history:

* ``Naive``: the last month before the origin;
* ``SNaive``: the same month a year before;
* ``Naive2``: the naive forecast of the seasonally adjusted series, re-seasonalised;
* ``Theta``: the standard Theta method on the seasonally adjusted series.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.forecast.adjust import PlanRules, bottom_forecast
from compass_nb.forecast.backtest import predict_panel
from compass_nb.forecast.classify import classify_series
from compass_nb.forecast.lifecycle import on_sale_share
from compass_nb.forecast.metrics import seasonal_scale

__all__ = ["BENCHMARKS", "evaluated_backtest", "benchmark_forecasts"]

#: The benchmark columns of :func:`evaluated_backtest`, with their names for a reader.
BENCHMARKS = {
    "Naive": "naive (last month)",
    "SNaive": "seasonal naive (same month last year)",
    "Naive2": "Naive2 (seasonally adjusted naive)",
    "Theta": "Theta",
}
_FITTED = ("Naive2", "Theta", "SNaive")


def _origin(ds: pd.Series, step: pd.Series) -> pd.Series:
    """The month ``step`` months before ``ds`` (the last month the forecast saw)."""
    months = ds.dt.year * 12 + ds.dt.month - 1 - step.astype(int)
    return to_datetime(pd.DataFrame({"year": months // 12, "month": months % 12 + 1, "day": 1}))


def benchmark_forecasts(train: pd.DataFrame, h: int, m: int) -> pd.DataFrame:
    """The benchmarks' forecasts ``h`` months past each series of ``train`` (raw history).

    Returns
    -------
    DataFrame
        ``unique_id``, ``ds`` and one column per benchmark (:data:`BENCHMARKS`).
    """
    route = {u: _FITTED for u in train["unique_id"].unique()}
    fc = predict_panel(train, route, h, "MS", m, (), {})
    last = train.sort_values("ds").groupby("unique_id")["y"].last()
    fc["Naive"] = fc["unique_id"].map(last).to_numpy(float)
    return fc[["unique_id", "ds", *BENCHMARKS]]


def evaluated_backtest(
    backtest: pd.DataFrame,
    panel: pd.DataFrame,
    nodes: pd.DataFrame,
    products: pd.DataFrame | None,
    *,
    level,
    m: int,
    rules: PlanRules,
) -> pd.DataFrame:
    """Every backtest forecast as planned, with the raw actual and the benchmarks.

    Parameters
    ----------
    backtest : DataFrame
        The engine's backtest of the chosen forecasts (``unique_id``, ``window``, ``step``,
        ``ds``, ``yhat``, bounds, ``model``).
    panel : DataFrame
        Every node's raw monthly history (``unique_id``, ``ds``, ``y``).
    nodes : DataFrame
        The node table (``unique_id``, ``level``, ``sku``, ``location``, ``family``).
    products : DataFrame or None
        For the life cycle.
    level, rules
        As :func:`.adjust.bottom_forecast`.
    m : int
        Season length (benchmarks, MASE scale).

    Returns
    -------
    DataFrame
        One row per node, origin and step: ``unique_id``, ``level``, ``sku``,
        ``location``, ``family``, ``demand_class`` (at the origin), ``window``,
        ``origin`` (the last month of history), ``step`` (1 = the month after it), ``ds``,
        ``y``, ``yhat``, bounds, ``model``, ``flag``, the benchmarks, ``scale`` (the
        in-sample mean absolute seasonal change before the origin, the MASE scale).
    """
    bounds = [f"yhat_{s}_{lv}" for lv in level for s in ("lo", "hi")]
    cols = ["unique_id", "window", "step", "ds", "yhat", *bounds, "model"]
    if backtest.empty:
        node_cols = [c for c in nodes.columns if c != "unique_id"]
        extra = ["y", *node_cols, "demand_class", "origin", "flag", *BENCHMARKS, "scale"]
        return pd.DataFrame(columns=[*cols, *dict.fromkeys(extra)])
    bt = backtest[cols].copy()
    bt["ds"] = to_datetime(bt["ds"])
    bt["origin"] = _origin(bt["ds"], bt["step"])
    raw = panel[["unique_id", "ds", "y"]]
    bt = bt.merge(raw, on=["unique_id", "ds"], how="left").merge(nodes, on="unique_id")
    parts = [
        _at_origin(g, raw, products, origin, level, m, rules)
        for origin, g in bt.groupby("origin", sort=True)
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["level", "unique_id", "origin", "step"]).reset_index(drop=True)


def _at_origin(g, raw, products, origin, level, m, rules):
    ids = set(g["unique_id"])
    train = raw[raw["unique_id"].isin(ids) & (raw["ds"] <= origin)]
    classes = classify_series(train).set_index("unique_id")["demand_class"]
    g = g.assign(demand_class=g["unique_id"].map(classes), flag="")
    bottom = g["level"] == "sku_location"
    if bottom.any():
        adjusted = bottom_forecast(
            g[bottom],
            train,
            products,
            level=level,
            rules=rules,
        )
        g = pd.concat([adjusted, g[~bottom]], ignore_index=True)
    bench = benchmark_forecasts(train, int(g["step"].max()), m)
    g = g.merge(bench, on=["unique_id", "ds"], how="left")
    g[list(BENCHMARKS)] = g[list(BENCHMARKS)].clip(lower=0)
    low = (g["level"] == "sku_location").to_numpy()
    if products is not None and len(products) and low.any():
        share = on_sale_share(g.loc[low, "sku"], g.loc[low, "ds"], products)["share"]
        g.loc[low, list(BENCHMARKS)] = (
            g.loc[low, list(BENCHMARKS)].to_numpy(float) * share.to_numpy()[:, None]
        )
    scale = (
        train.sort_values("ds")
        .groupby("unique_id")["y"]
        .apply(lambda s: seasonal_scale(s.to_numpy(float), m))
    )
    g["scale"] = g["unique_id"].map(scale)
    return g.assign(origin=origin)
