"""Charts of the forecasting notebook: one function per chart, data first, returning the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from compass_nb.forecast.classify import ADI_CUTOFF, CV2_CUTOFF
from compass_nb.viz._common import BLUE, DARK, GREEN, GREY, RED

CLASS_COLOURS = {"smooth": DARK, "erratic": BLUE, "intermittent": GREEN, "lumpy": RED, "none": GREY}


def _axes(ax: Axes | None, size=(8, 3.6)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _empty(ax: Axes, title: str) -> Axes:
    ax.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=ax.transAxes, color=GREY)
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
        return _empty(ax, "Backtest leaderboard")
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
        return _empty(ax, "Accuracy by family")
    ax.bar(table["family"], table["wape"], color=BLUE, label="WAPE")
    ax.scatter(table["family"], table["bias"], color=DARK, zorder=3, label="bias")
    ax.axhline(0, color=GREY, lw=1)
    ax.yaxis.set_major_formatter(PercentFormatter(1))
    ax.set_title("Backtest accuracy by family", loc="left")
    ax.legend(frameon=False)
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
    """WAPE of the naive, statistical and overridden forecasts (lower is better)."""
    ax = _axes(ax, (6, 3.2))
    data = fva.dropna(subset=["wape"])
    if data.empty:
        return _empty(ax, "Forecast value added")
    ax.step(range(len(data)), data["wape"], where="mid", color=DARK)
    ax.bar(range(len(data)), data["wape"], color=[GREY, BLUE, DARK][: len(data)], width=0.6)
    ax.set_xticks(range(len(data)), data["step"])
    ax.yaxis.set_major_formatter(PercentFormatter(1))
    ax.set(ylabel="WAPE")
    ax.set_title("Forecast value added: naive → statistical → overrides", loc="left")
    return ax


def tracking_signals(signals: pd.DataFrame, *, limit: float = 4.0, ax: Axes | None = None) -> Axes:
    """Tracking signal per series, sorted, with the ±limit band."""
    ax = _axes(ax, (8, 3.2))
    if signals.empty:
        return _empty(ax, "Tracking signals")
    s = signals.sort_values("tracking_signal")
    colours = [RED if f else BLUE for f in s["flagged"]]
    ax.bar(np.arange(len(s)), s["tracking_signal"], color=colours, width=1.0)
    for v in (-limit, limit):
        ax.axhline(v, color=GREY, ls="--", lw=1)
    ax.set_xticks([])
    ax.set(xlabel="series (sorted)", ylabel="tracking signal")
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
