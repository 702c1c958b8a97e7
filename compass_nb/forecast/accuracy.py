"""What the forecasting report says about accuracy, from the evaluated backtest and the
stored forecasts of past cycles.

Every table here is computed from :func:`.evaluation.evaluated_backtest` (the planned
forecast at past origins against raw actuals) or from the forecast snapshots the store
keeps by cycle; a figure that cannot be measured is NaN with a ``note`` saying why.

MASE (mean absolute scaled error) divides a forecast's mean absolute error by the mean
absolute change between the same months of consecutive years in the series' history
before the origin: below 1, the forecast missed by less than a seasonal naive forecast
moved in-sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import month_numbers, to_datetime
from compass_nb.forecast.classify import INTERMITTENT_CLASSES
from compass_nb.forecast.evaluation import BENCHMARKS

__all__ = [
    "MASE_SENTENCE",
    "CLASSES",
    "series_accuracy",
    "headline",
    "benchmark_table",
    "accuracy_by",
    "coverage_table",
    "accuracy_by_lag",
    "forecast_residuals",
]

MASE_SENTENCE = (
    "MASE is the forecast's mean absolute error divided by the mean absolute change between "
    "the same months of consecutive years in the series' history before the origin: below 1, "
    "the forecast missed by less than a seasonal naive forecast moved in-sample."
)

#: The hierarchy levels as the report names them.
LEVEL_NAMES = {
    "sku_location": "SKU × location",
    "family": "family",
    "location": "location",
    "total": "total",
}

#: Demand classes of SKU × location series, in the order the report shows them.
CLASSES = ("smooth", "erratic", "intermittent", "lumpy")

_SERIES_COLUMNS = [
    "unique_id",
    "level",
    "sku",
    "location",
    "family",
    "demand_class",
    "model",
    "points",
    "wape",
    "bias",
    "mase",
    "coverage",
    "coverage_95",
    "abs_error",
    "actual",
    "error",
]


def _bottom(ev: pd.DataFrame) -> pd.DataFrame:
    return ev[ev["level"] == "sku_location"]


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else float("nan")


def _inside(ev: pd.DataFrame, lv: int) -> pd.Series:
    return (ev["y"] >= ev[f"yhat_lo_{lv}"]) & (ev["y"] <= ev[f"yhat_hi_{lv}"])


def _scaled_error(ev: pd.DataFrame, col: str) -> pd.Series:
    s = ev["scale"].where(ev["scale"] > 0)
    return (ev["y"] - ev[col]).abs() / s


def series_accuracy(ev: pd.DataFrame) -> pd.DataFrame:
    """Per series: its backtest WAPE, bias, MASE and 80 % / 95 % coverage (the
    ``forecast_backtest`` store table)."""
    if ev.empty:
        return pd.DataFrame(columns=_SERIES_COLUMNS)
    f = ev.assign(
        abs_error=(ev["y"] - ev["yhat"]).abs(),
        error=ev["yhat"] - ev["y"],
        in80=_inside(ev, 80),
        in95=_inside(ev, 95),
        scaled=_scaled_error(ev, "yhat"),
    )
    last = f.sort_values("origin").groupby("unique_id").last()
    g = f.groupby("unique_id")
    out = pd.DataFrame(
        {
            "points": g.size(),
            "abs_error": g["abs_error"].sum(),
            "actual": g["y"].sum(),
            "error": g["error"].sum(),
            "mase": g["scaled"].mean(),
            "coverage": g["in80"].mean(),
            "coverage_95": g["in95"].mean(),
        }
    )
    out["wape"] = out["abs_error"] / out["actual"].where(out["actual"] > 0)
    out["bias"] = out["error"] / out["actual"].where(out["actual"] > 0)
    keep = ["level", "sku", "location", "family", "demand_class", "model"]
    out = last[keep].join(out).reset_index()
    out["points"] = out["points"].astype(int)
    return out[_SERIES_COLUMNS]


def headline(ev: pd.DataFrame) -> dict:
    """Backtest WAPE, bias, median MASE and coverage of the SKU × location forecasts."""
    b = _bottom(ev)
    total = float(b["y"].sum()) if len(b) else 0.0
    per = series_accuracy(b)
    return {
        "wape": _ratio(float((b["y"] - b["yhat"]).abs().sum()), total) if len(b) else np.nan,
        "bias": _ratio(float((b["yhat"] - b["y"]).sum()), total) if len(b) else np.nan,
        "mase": float(per["mase"].median()) if len(per) else np.nan,
        "coverage": float(_inside(b, 80).mean()) if len(b) else np.nan,
        "coverage_95": float(_inside(b, 95).mean()) if len(b) else np.nan,
        "series": int(b["unique_id"].nunique()),
        "origins": int(b["origin"].nunique()) if len(b) else 0,
        "horizon": int(b["step"].max()) if len(b) else 0,
    }


def benchmark_table(ev: pd.DataFrame) -> pd.DataFrame:
    """The chosen forecast beside the benchmarks on the SKU × location backtest.

    Returns
    -------
    DataFrame
        One row per forecast (``chosen forecast`` first, then :data:`.BENCHMARKS`):
        ``forecast``, ``wape``, ``bias``, ``median_mase``, ``beaten_share`` (share of
        series where the chosen forecast's mean absolute error is lower than this one's),
        ``tied_share`` (equal), ``series``.
    """
    cols = ["forecast", "wape", "bias", "median_mase", "beaten_share", "tied_share", "series"]
    b = _bottom(ev)
    if b.empty:
        return pd.DataFrame(columns=cols)
    total = b["y"].sum()
    mae = b.assign(**{c: (b["y"] - b[c]).abs() for c in ["yhat", *BENCHMARKS]})
    mae = mae.groupby("unique_id")[["yhat", *BENCHMARKS]].mean()
    rows = []
    for col, name in [("yhat", "chosen forecast"), *BENCHMARKS.items()]:
        mase = b.assign(s=_scaled_error(b, col)).groupby("unique_id")["s"].mean()
        both = mae[["yhat", col]].dropna()
        close = np.isclose(both["yhat"], both[col], rtol=1e-9, atol=1e-9)
        beaten = np.nan if col == "yhat" else float(((both["yhat"] < both[col]) & ~close).mean())
        tied = np.nan if col == "yhat" else float(close.mean())
        rows.append(
            (
                name,
                _ratio(float((b["y"] - b[col]).abs().sum()), total),
                _ratio(float((b[col] - b["y"]).sum()), total),
                float(mase.median()),
                beaten,
                tied,
                int(len(both)),
            )
        )
    return pd.DataFrame(rows, columns=cols)


def accuracy_by(ev: pd.DataFrame, by: str) -> pd.DataFrame:
    """Backtest WAPE, bias, median MASE and 80 % coverage of SKU × location series by
    ``by`` (``family`` or ``location``), with the model most used."""
    cols = [by, "series", "wape", "bias", "median_mase", "coverage", "models"]
    b = _bottom(ev)
    if b.empty:
        return pd.DataFrame(columns=cols)
    per = series_accuracy(b)
    g = per.groupby(by)
    out = pd.DataFrame(
        {
            "series": g.size(),
            "wape": g["abs_error"].sum() / g["actual"].sum(),
            "bias": g["error"].sum() / g["actual"].sum(),
            "median_mase": g["mase"].median(),
            "coverage": b.assign(i=_inside(b, 80)).groupby(by)["i"].mean(),
            "models": g["model"].agg(
                lambda s: s.str.replace("Combination", "Comb").value_counts().index[0]
            ),
        }
    ).reset_index()
    return out[cols]


def coverage_table(ev: pd.DataFrame, methods: dict | None = None, level=(80, 95)) -> pd.DataFrame:
    """Backtest interval coverage by demand class (SKU × location) and by upper level,
    beside the target.

    Parameters
    ----------
    ev : DataFrame
        :func:`.evaluation.evaluated_backtest`.
    methods : dict, optional
        Demand class (or level) → how its intervals are made, shown in ``method``.
    level : sequence of int

    Returns
    -------
    DataFrame
        ``level``, ``demand_class``, ``series``, ``points``, ``coverage_<l>`` and
        ``target_coverage_<l>`` for each level, ``method``, ``note`` (why a cell is empty).
    """
    methods = methods or {}
    rows = []
    b = _bottom(ev)
    classes = [*CLASSES, *sorted(set(b["demand_class"].dropna()) - set(CLASSES))]
    groups = [("sku_location", c, b[b["demand_class"] == c]) for c in classes]
    for lvl in ("family", "location", "total"):
        groups.append((lvl, "all", ev[ev["level"] == lvl]))
    for lvl, cls, g in groups:
        row = {"level": LEVEL_NAMES[lvl], "demand_class": cls}
        row["series"] = g["unique_id"].nunique()
        row["points"] = len(g)
        for lv in level:
            row[f"coverage_{lv}"] = float(_inside(g, lv).mean()) if len(g) else np.nan
            row[f"target_coverage_{lv}"] = lv / 100
        row["method"] = methods.get(cls if lvl == "sku_location" else lvl, "")
        row["note"] = "" if len(g) else "not measured: no series of this class in the backtest"
        rows.append(row)
    return pd.DataFrame(rows)


def accuracy_by_lag(
    snapshots: pd.DataFrame, demand: pd.DataFrame, period: str, lags
) -> pd.DataFrame:
    """Accuracy of the forecasts stored by past cycles, by how far ahead they were made.

    Parameters
    ----------
    snapshots : DataFrame
        Past cycles' forecast tables (``period`` = the cycle, ``level``, ``unique_id``,
        ``ds``, ``yhat``).
    demand : DataFrame
        Bottom-level actuals: ``sku``, ``location``, ``ds``, ``y`` (up to ``period``).
    period : str
        This cycle; only months up to it have actuals.
    lags : sequence of int
        Months between the cycle and the month forecast (1 = the month after the cycle).

    Returns
    -------
    DataFrame
        ``lag``, ``cycles``, ``months`` (the forecast months measured, ``YYYY-MM`` list),
        ``wape`` and ``bias`` (SKU × location, a series missing on either side counts as
        0), ``total_bias`` (the total's forecast − actual over the actual), ``note``.
    """
    cols = ["lag", "cycles", "months", "wape", "bias", "total_bias", "note"]
    actual = demand.assign(unique_id=demand["sku"].astype(str) + "|" + demand["location"])
    actual = actual[["unique_id", "ds", "y"]].assign(ds=lambda d: to_datetime(d["ds"]))
    last = pd.Period(period, freq="M")
    snaps = snapshots.copy()
    if len(snaps):
        snaps["ds"] = to_datetime(snaps["ds"])
        snaps["lag"] = month_numbers(snaps["ds"]) - month_numbers(snaps["period"])
        snaps = snaps[snaps["ds"].dt.to_period("M") <= last]
    rows = []
    for lag in lags:
        s = snaps[snaps["lag"] == int(lag)] if len(snaps) else snaps
        bottom = s[s["level"] == "sku_location"] if len(s) else s
        if bottom.empty:
            rows.append(
                (
                    int(lag),
                    0,
                    "",
                    np.nan,
                    np.nan,
                    np.nan,
                    f"not measured: needs a forecast stored {int(lag)} month(s) before a "
                    f"closed month (run with --backfill {int(lag)} or more)",
                )
            )
            continue
        months = sorted(bottom["ds"].unique())
        act = actual[actual["ds"].isin(months)]
        both = (
            bottom[["unique_id", "ds", "yhat"]]
            .merge(act, on=["unique_id", "ds"], how="outer")
            .fillna({"yhat": 0.0, "y": 0.0})
        )
        total_y = float(both["y"].sum())
        tot = s[s["level"] == "total"]
        total_err = (
            _ratio(float(tot["yhat"].sum()) - float(act["y"].sum()), float(act["y"].sum()))
            if len(tot)
            else np.nan
        )
        rows.append(
            (
                int(lag),
                int(bottom["period"].nunique()),
                ", ".join(pd.DatetimeIndex(months).strftime("%Y-%m")),
                _ratio(float((both["y"] - both["yhat"]).abs().sum()), total_y),
                _ratio(float((both["yhat"] - both["y"]).sum()), total_y),
                total_err,
                "",
            )
        )
    return pd.DataFrame(rows, columns=cols)


def forecast_residuals(ev: pd.DataFrame) -> pd.DataFrame:
    """The ``forecast_residuals`` store table: one series' backtest error at one origin
    and horizon (error = actual − forecast; horizon 1 = the month after the origin)."""
    cols = ["unique_id", "level", "sku", "location", "family", "origin", "horizon"]
    if ev.empty:
        return pd.DataFrame(columns=[*cols, "actual", "forecast"])
    out = ev.rename(columns={"step": "horizon", "y": "actual", "yhat": "forecast"})
    out["horizon"] = out["horizon"].astype(int)
    out["origin"] = to_datetime(out["origin"])
    out[["actual", "forecast"]] = out[["actual", "forecast"]].astype(float)
    return out[[*cols, "actual", "forecast"]].reset_index(drop=True)


def interval_methods(coverage: pd.DataFrame, factors: dict | None = None) -> dict:
    """How the intervals of each demand class and upper level are made, for a reader.

    ``coverage`` is the engine's calibration report (``group``, ``method``); intermittent
    and lumpy series use empirical quantiles (:mod:`.empirical`) whatever the engine did;
    ``factors`` are the upper levels' widening factors (:mod:`.calibration`).
    """
    by_group = {}
    if len(coverage):
        by_group = coverage.groupby("group")["method"].agg(lambda s: "/".join(sorted(set(s))))
    continuous = by_group.get("continuous", "model")
    label = {"model": "model intervals", "conformal": "conformal (backtest errors)"}
    text = "/".join(label.get(m, m) for m in str(continuous).split("/"))
    out = {c: text for c in ("smooth", "erratic")}
    for lvl in ("family", "location", "total"):
        k = (factors or {}).get(lvl, {})
        widths = ", ".join(f"{lv} % ×{v:.2f}" for lv, v in sorted(k.items()))
        out[lvl] = f"{text}, widened for the level ({widths})" if widths else text
    out.update({c: "empirical quantiles of monthly demand" for c in INTERMITTENT_CLASSES})
    out["none"] = "no demand: 0"
    out["new"] = "family's relative width"
    return out
