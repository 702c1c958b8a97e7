"""Charts of the compensation notebook: one function per chart, data first, returning the Axes.

Every chart takes group totals or anonymous points: no seller name or id reaches a chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from compass_nb.viz._common import BLUE, DARK, GREY
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


def attainment_vs_payout(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each seller-month as a dot (no names): attainment against payout as a share of target."""
    ax = _axes(ax, (7, 4.5))
    title = "Who earns what at which attainment"
    if data.empty:
        return _empty(ax, title)
    clipped = data.assign(
        attainment=data["attainment"].clip(upper=4),
        payout_vs_target=data["payout_vs_target"].clip(-1, 5),
    )
    sns.scatterplot(
        data=clipped, x="attainment", y="payout_vs_target", hue="role", alpha=0.6, s=22, ax=ax
    )
    ax.plot([0, 1], [0, 1], color=GREY, lw=1, ls="--")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("attainment (capped at 400 % for display)")
    ax.set_ylabel("payout ÷ target incentive")
    ax.set_title(title)
    return ax


def payout_distribution(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Payout as a share of target incentive per seller: the current plan against the change."""
    ax = _axes(ax, (7, 3.4))
    title = "Payout ÷ target incentive, current plan and change"
    rows = data.loc[data["target_incentive"] > 0]
    if rows.empty:
        return _empty(ax, title)
    bins = np.linspace(
        0, max(2.0, float((rows["changed"] / rows["target_incentive"]).quantile(0.98))), 20
    )
    ax.hist(
        (rows["current"] / rows["target_incentive"]).clip(0, bins[-1]),
        bins=bins,
        color=BLUE,
        label="current",
    )
    ax.hist(
        (rows["changed"] / rows["target_incentive"]).clip(0, bins[-1]),
        bins=bins,
        histtype="step",
        lw=2,
        color=DARK,
        label="changed",
    )
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("sellers")
    ax.legend(frameon=False)
    ax.set_title(title)
    return ax


def cost_simulation(
    totals: np.ndarray, percentiles: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None
) -> Axes:
    """Distribution of next period's simulated total cost with the budget percentiles marked."""
    ax = _axes(ax, (8, 3.4))
    title = "Next period's variable pay: Monte-Carlo of attainment"
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
