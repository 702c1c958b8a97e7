"""Charts of the compensation notebook: one function per chart, data first, returning the Axes.

Every chart takes group totals or anonymous points: no seller name or id reaches a chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from compass_nb.viz._common import BLUE, DARK, GREY, RED
from compass_nb.viz._common import axes as _axes
from compass_nb.viz._common import empty as _empty
from compass_nb.viz._common import money as _money


def payout_by_team(data: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """Monthly payout stacked by team group (groups of ≥ 5 sellers)."""
    ax = _axes(ax, (10, 3.6))
    title = "Variable pay by team and month"
    if data.empty:
        return _empty(ax, title)
    grid = data.pivot_table(index="period", columns="group", values="payout", aggfunc="sum").fillna(
        0.0
    )
    bottom = np.zeros(len(grid))
    colours = sns.color_palette("Blues_r", n_colors=max(3, grid.shape[1] + 1))
    for colour, column in zip(colours, grid.columns, strict=False):
        ax.bar(grid.index, grid[column], bottom=bottom, label=column, color=colour)
        bottom += grid[column].to_numpy()
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylabel(currency)
    ax.tick_params(axis="x", rotation=45)
    ax.legend(frameon=False, fontsize=8, ncols=min(4, grid.shape[1]))
    ax.set_title(title)
    return ax


def cost_of_sales(
    data: pd.DataFrame, *, by_team: pd.DataFrame | None = None, ax: Axes | None = None
) -> Axes:
    """Cost of sales (variable pay ÷ credited bookings) per month, company and team groups."""
    ax = _axes(ax, (10, 3.2))
    title = "Cost of sales: variable pay ÷ credited bookings"
    if data.empty:
        return _empty(ax, title)
    ax.plot(data["period"], data["cost_of_sales"], color=DARK, marker="o", lw=2, label="Company")
    if by_team is not None and not by_team.empty:
        for group, rows in by_team.groupby("group"):
            if rows["cost_of_sales"].notna().any():
                ax.plot(rows["period"], rows["cost_of_sales"], lw=1, alpha=0.8, label=group)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.tick_params(axis="x", rotation=45)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title)
    return ax


def attainment_payout_bands(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Payout ÷ target incentive by attainment band (each band holds at least the minimum
    group of sellers): the median as a dot, the middle half as a bar; no seller is a mark."""
    ax = _axes(ax, (8, 3.6))
    title = "Who earns what at which attainment (bands of five sellers or more)"
    if data.empty:
        return _empty(ax, title)
    x = np.arange(len(data))
    ax.vlines(x, data["p25"], data["p75"], color=BLUE, lw=10, label="middle half (P25–P75)")
    ax.scatter(x, data["median"], color=DARK, zorder=3, label="median")
    mid = [
        min(
            max(
                (lo if np.isfinite(lo) else 0.0)
                + 0.5 * ((hi if np.isfinite(hi) else lo + 1) - (lo if np.isfinite(lo) else 0.0)),
                0,
            ),
            3,
        )
        for lo, hi in zip(data["low"], data["high"], strict=True)
    ]
    ax.plot(x, mid, color=GREY, ls="--", lw=1, label="payout = attainment")
    labels = [f"{b}\n{n} sellers" for b, n in zip(data["band"], data["sellers"], strict=True)]
    ax.set_xticks(x, labels, fontsize=8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("attainment band (credited bookings ÷ quota; activities ÷ target for SDRs)")
    ax.set_ylabel("payout ÷ target incentive")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.set_title(title)
    return ax


def pay_curves(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each plan's pay curve: payout as a share of target incentive against attainment (a
    component paid per activity: against its target units, as a share of what the target
    pays)."""
    ax = _axes(ax, (8, 4))
    title = "Pay curve of every plan: tiers, accelerators, gates and caps"
    if data.empty:
        return _empty(ax, title)
    for (plan, component), rows in data.groupby(["plan", "component"], sort=True):
        basis = rows["basis"].iloc[0]
        label = f"{plan} · {component.replace('_', ' ')}" + (
            "" if basis == "month" else f" ({basis})"
        )
        ax.plot(rows["attainment"], rows["payout_share"], lw=1.8, label=label)
    ax.plot([0, 1], [0, 1], color=GREY, ls=":", lw=1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("attainment of the measure (or of target units)")
    ax.set_ylabel("payout ÷ target incentive")
    ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title)
    return ax


def cost_backtest(data: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """The last months: the forecast's P10–P90 band and P50, made the month before, against
    the actual cost (black dots; red when outside the band)."""
    ax = _axes(ax, (10, 3.4))
    title = "Cost forecast backtest: P10–P90 made the month before vs actual"
    if data.empty:
        return _empty(ax, title)
    x = np.arange(len(data))
    ax.vlines(x, data["p10"], data["p90"], color=BLUE, lw=8, label="P10–P90")
    ax.scatter(x, data["p50"], marker="_", s=120, color=DARK, label="P50")
    colours = [DARK if inside else RED for inside in data["inside"]]
    ax.scatter(x, data["actual"], color=colours, zorder=3, s=24, label="actual")
    ax.set_xticks(x, data["month"], rotation=45)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylabel(f"variable pay ({currency})")
    ax.legend(frameon=False, fontsize=8, ncols=3, loc="upper left")
    ax.set_title(title)
    return ax


def budget_chart(data: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """Variable pay (and next month's P50) against the budget, month by month."""
    ax = _axes(ax, (9, 3))
    title = "Variable pay against budget"
    if data.empty:
        return _empty(ax, title)
    colours = [DARK if k == "actual" else BLUE for k in data["kind"]]
    ax.bar(data["period"], data["payout"], color=colours, label="paid (light: forecast P50)")
    ax.plot(data["period"], data["budget"], color=RED, marker="o", lw=1.5, label="budget")
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylabel(currency)
    ax.tick_params(axis="x", rotation=45)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title)
    return ax


def scenario_by_group(data: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """Variable pay of each team group (five sellers or more) under the current plan and the change."""
    ax = _axes(ax, (8, 3.4))
    title = "Variable pay by team group: current plan and change"
    if data.empty:
        return _empty(ax, title)
    y = np.arange(len(data))
    ax.barh(y + 0.2, data["current"], height=0.4, color=BLUE, label="current")
    ax.barh(y - 0.2, data["changed"], height=0.4, color=DARK, label="changed")
    ax.set_yticks(y, data["group"])
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel(f"variable pay over the window ({currency}; period-level pricing)")
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title)
    return ax


def cost_simulation(
    totals: np.ndarray, percentiles: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None
) -> Axes:
    """Distribution of next period's simulated total cost with the budget percentiles marked."""
    ax = _axes(ax, (8, 3.4))
    title = "Next month's variable pay: Monte-Carlo with a shared market factor"
    if len(totals) == 0:
        return _empty(ax, title)
    ax.hist(totals, bins=40, color=BLUE)
    for _, row in percentiles.iterrows():
        ax.axvline(row["total_cost"], color=DARK, ls="--", lw=1)
        ax.text(
            row["total_cost"],
            ax.get_ylim()[1] * 0.95,
            f" {row['percentile']} {_money(row['total_cost'])}",
            color=DARK,
            fontsize=8,
            va="top",
        )
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel(f"total variable pay ({currency})")
    ax.set_ylabel("simulations")
    ax.set_title(title)
    return ax
