"""Charts of the forecasting notebook: one function per chart, data first, returning the Axes."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from compass_nb.forecast.classify import ADI_CUTOFF, CV2_CUTOFF
from compass_nb.viz._common import BLUE, DARK, GREEN, GREY, RED

CLASS_COLOURS = {"smooth": DARK, "erratic": BLUE, "intermittent": GREEN, "lumpy": RED, "none": GREY}


def _axes(ax: Axes | None, size=(8, 3.6)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


#: What a chart of the backtest says when there is none.
NO_BACKTEST = "not measured: too little history for a backtest"


def _empty(ax: Axes, title: str, text: str = "no data yet") -> Axes:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_title(title, loc="left")
    ax.set_axis_off()
    return ax


def demand_classes(classes: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """ADI against CV² per series, with the Syntetos–Boylan cut-offs."""
    ax = _axes(ax, (6, 4))
    data = classes.dropna(subset=["adi", "cv2"])
    if data.empty:
        return _empty(ax, "Demand classes")
    sns.scatterplot(
        data=data, x="adi", y="cv2", hue="demand_class", palette=CLASS_COLOURS, ax=ax, s=30
    )
    ax.axvline(ADI_CUTOFF, color=GREY, ls="--", lw=1)
    ax.axhline(CV2_CUTOFF, color=GREY, ls="--", lw=1)
    ax.set(xlabel="ADI (periods between demands)", ylabel="CV² of demand sizes")
    ax.set_title("Demand classes by ADI and CV²", loc="left")
    ax.legend(title=None, frameon=False)
    return ax


def leaderboard(board: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Median backtest MAE of each candidate relative to the naive forecast (below 1 beats naive)."""
    ax = _axes(ax, (7, 3.4))
    if board.empty:
        return _empty(ax, "Backtest leaderboard", NO_BACKTEST)
    b = board.sort_values("relative_mae")
    colours = [GREEN if v < 1 else RED for v in b["relative_mae"]]
    ax.barh(b["option"], b["relative_mae"], color=colours)
    ax.axvline(1, color=GREY, ls="--", lw=1)
    ax.invert_yaxis()
    ax.set(xlabel="backtest MAE / naive MAE (median over series)")
    ax.set_title("Backtest leaderboard", loc="left")
    return ax


def accuracy_by_family(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Backtest WAPE by family (bars) with the bias marked."""
    ax = _axes(ax, (7, 3.4))
    if table.empty:
        return _empty(ax, "Accuracy by family", NO_BACKTEST)
    ax.bar(table["family"], table["wape"], color=BLUE, label="WAPE")
    ax.scatter(table["family"], table["bias"], color=DARK, zorder=3, label="bias")
    ax.axhline(0, color=GREY, lw=1)
    ax.yaxis.set_major_formatter(PercentFormatter(1))
    ax.tick_params(axis="x", labelrotation=30)
    ax.set(ylabel="% of actual demand")
    ax.set_title("Backtest WAPE (bars) and bias (dots) by family", loc="left")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    return ax


def series_forecast(
    history: pd.DataFrame, forecast: pd.DataFrame, unique_id: str, *, ax: Axes | None = None
) -> Axes:
    """One series' history, forecast and 80 % / 95 % intervals."""
    ax = _axes(ax, (8, 3.2))
    hist = history[history["unique_id"] == unique_id]
    fc = forecast[forecast["unique_id"] == unique_id]
    if hist.empty and fc.empty:
        return _empty(ax, str(unique_id))
    ax.plot(hist["ds"], hist["y"], color=DARK, lw=1.5, label="history")
    if not fc.empty:
        ax.fill_between(
            fc["ds"], fc["yhat_lo_95"], fc["yhat_hi_95"], color=BLUE, alpha=0.35, lw=0, label="95 %"
        )
        ax.fill_between(
            fc["ds"], fc["yhat_lo_80"], fc["yhat_hi_80"], color=BLUE, alpha=0.7, lw=0, label="80 %"
        )
        ax.plot(fc["ds"], fc["yhat"], color=RED, lw=1.5, label="forecast")
        ax.set_title(f"{unique_id} — {fc['model'].iloc[0]}", loc="left")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, ncol=4, fontsize=8)
    return ax


def fva_stairstep(fva: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """WAPE of each forecasting step (lower is better); a step not measured says so."""
    ax = _axes(ax, (7, 3.2))
    if fva.empty or fva["wape"].isna().all():
        return _empty(ax, "Forecast value added", "not measured yet")
    x = np.arange(len(fva))
    measured = fva["wape"].notna().to_numpy()
    colours = [GREY, BLUE, DARK, GREEN][: len(fva)]
    ax.bar(x[measured], fva["wape"][measured], color=np.array(colours)[measured], width=0.6)
    top = float(fva["wape"].max())
    for i in x[~measured]:
        ax.text(i, top * 0.05, "not\nmeasured", ha="center", va="bottom", color=GREY, fontsize=9)
    for i in x[measured]:
        ax.text(i, fva["wape"].iloc[i], f"{fva['wape'].iloc[i]:.1%}", ha="center", va="bottom")
    ax.set_xticks(x, fva["step"])
    ax.set_ylim(0, top * 1.2)
    ax.yaxis.set_major_formatter(PercentFormatter(1))
    ax.set(ylabel="WAPE (% of actual demand)")
    ax.set_title("Forecast value added: naive → statistical → overrides → consensus", loc="left")
    return ax


def tracking_signals(signals: pd.DataFrame, *, limit: float = 4.0, ax: Axes | None = None) -> Axes:
    """Tracking signal per series, sorted, with the ±limit band."""
    ax = _axes(ax, (8, 3.2))
    if signals.empty:
        return _empty(ax, "Tracking signals", "not measured yet: no past cycle in the store")
    s = signals.sort_values("tracking_signal").reset_index(drop=True)
    x = np.arange(len(s))
    ts = s["tracking_signal"].to_numpy(float)
    ax.fill_between(x, ts, step="mid", color=BLUE, lw=0, label="within the band")
    out = s["flagged"].to_numpy(bool)
    if out.any():
        ax.scatter(
            x[out], ts[out], color=RED, s=12, zorder=3, label=f"beyond ±{limit:g} (re-selected)"
        )
    for v in (-limit, limit):
        ax.axhline(v, color=GREY, ls="--", lw=1)
    ax.set_xticks([])
    ax.set(xlabel=f"{len(s)} series, sorted", ylabel="tracking signal (cum. error ÷ MAD)")
    ax.set_title(f"Tracking signals of past cycles' forecasts (red: beyond ±{limit:g})", loc="left")
    return ax


def series_panel(history: pd.DataFrame, forecast: pd.DataFrame, unique_ids, *, axes=None):
    """Several series' history and forecast, one row each; returns the array of Axes."""
    ids = list(unique_ids)
    if axes is None:
        _, axes = plt.subplots(
            max(1, len(ids)), 1, figsize=(8, 2.6 * max(1, len(ids))), squeeze=False
        )
        axes = axes.ravel()
    for uid, ax in zip(ids, axes, strict=False):
        series_forecast(history, forecast, uid, ax=ax)
    plt.gcf().tight_layout()
    return axes


def _units_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set(ylabel="units per month")


def level_forecast(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    unique_id: str,
    *,
    months: int = 36,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One node's last ``months`` of history and its forecast with the 80 % interval."""
    ax = _axes(ax, (8, 3.2))
    hist = history[history["unique_id"] == unique_id].sort_values("ds")
    fc = forecast[forecast["unique_id"] == unique_id].sort_values("ds")
    name = title or str(unique_id)
    if hist.empty and fc.empty:
        return _empty(ax, name)
    if len(hist):
        hist = hist[hist["ds"] > hist["ds"].max() - pd.DateOffset(months=months)]
        ax.plot(hist["ds"], hist["y"], color=DARK, lw=1.5, label="history")
    if len(fc):
        ax.fill_between(
            fc["ds"],
            fc["yhat_lo_80"],
            fc["yhat_hi_80"],
            color=BLUE,
            alpha=0.6,
            lw=0,
            label="80 % interval",
        )
        ax.plot(fc["ds"], fc["yhat"], color=RED, lw=1.5, label="forecast")
    ax.set_ylim(bottom=0)
    _units_axis(ax)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_title(name, loc="left")
    ax.legend(frameon=False, ncol=3, fontsize=8, loc="upper left")
    return ax


def family_forecasts(history: pd.DataFrame, forecast: pd.DataFrame, *, months: int = 36):
    """Every family's history and forecast with the 80 % interval, two per row; returns
    the array of Axes."""
    fams = sorted(forecast.loc[forecast["level"] == "family", "family"].dropna().unique())
    rows = max(1, (len(fams) + 1) // 2)
    fig, axes = plt.subplots(rows, 2, figsize=(11, 2.8 * rows), squeeze=False)
    axes = axes.ravel()
    for fam, ax in zip(fams, axes, strict=False):
        level_forecast(history, forecast, f"family|{fam}", months=months, title=fam, ax=ax)
        ax.tick_params(axis="x", labelsize=8)
    for ax in axes[len(fams) :]:
        ax.set_axis_off()
    if not fams:
        _empty(axes[0], "Families", "no family forecast")
    fig.tight_layout()
    return axes
