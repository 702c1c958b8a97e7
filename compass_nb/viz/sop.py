"""Charts of the S&OP notebooks (02–06): one function per chart, data first, returning the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from compass_nb.formatting import axis_money
from compass_nb.viz._common import BLUE as LIGHT
from compass_nb.viz._common import DARK as BLUE
from compass_nb.viz._common import GREEN, GREY, RED


def _axes(ax: Axes | None, size=(9, 3.6)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def consensus_waterfall(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Per family over the horizon: statistical forecast → override adjustment → consensus (units).

    ``data`` is :func:`compass_nb.sop.consensus.waterfall` output. The axis starts near
    the smallest bar so that adjustments of a few percent stay visible; each adjustment
    is labelled in units and percent.
    """
    ax = _axes(ax)
    totals = data.groupby("family")[["stat_forecast", "adjustment", "consensus"]].sum()
    x = np.arange(len(totals))
    ax.bar(x - 0.27, totals["stat_forecast"], width=0.26, color=LIGHT, label="statistical")
    up = totals["adjustment"] >= 0
    bottom = totals["stat_forecast"].where(up, totals["consensus"])
    ax.bar(
        x,
        totals["adjustment"].abs(),
        width=0.26,
        bottom=bottom,
        color=np.where(up, GREEN, RED),
        label="override adjustment",
    )
    ax.bar(x + 0.27, totals["consensus"], width=0.26, color=BLUE, label="consensus")
    for i, (adj, stat) in enumerate(
        zip(totals["adjustment"], totals["stat_forecast"], strict=True)
    ):
        share = adj / stat if stat else 0.0
        ax.annotate(
            f"{adj:+,.0f} ({share:+.1%})",
            (i, max(stat, stat + adj)),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    low = float(totals[["stat_forecast", "consensus"]].min().min())
    high = float(totals[["stat_forecast", "consensus"]].max().max())
    ax.set_ylim(max(0.0, low - 0.25 * (high - low + 0.1 * high)), high * 1.08)
    ax.set_xticks(x, totals.index)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel("units over the horizon")
    ax.set_title("Consensus waterfall by family")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=8, ncols=3, frameon=False)
    return ax


def budget_gap(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Consensus revenue against the budget by month (all families), the gap as bars.

    ``data`` is :func:`compass_nb.sop.consensus.budget_gap` output.
    """
    ax = _axes(ax)
    month = data.groupby("month")[["revenue", "budget_revenue"]].sum(min_count=1)
    gap = month["revenue"] - month["budget_revenue"]
    ax.bar(
        month.index,
        gap,
        width=20,
        color=np.where(gap >= 0, GREEN, RED),
        alpha=0.6,
        label="gap to budget",
    )
    ax.plot(month.index, month["revenue"], color=BLUE, marker="o", ms=3, label="consensus revenue")
    ax.plot(month.index, month["budget_revenue"], color=GREY, ls="--", label="budget revenue")
    ax.axhline(0, color="black", lw=0.6)
    ax.yaxis.set_major_formatter(FuncFormatter(axis_money))
    ax.set_title("Consensus revenue against budget")
    ax.legend(fontsize=8, ncols=3)
    return ax


def revenue_by_family(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked consensus revenue by family and month, with the total margin as a line.

    ``data`` is :func:`compass_nb.sop.value.value_by_family` output.
    """
    ax = _axes(ax)
    wide = data.pivot_table(
        index="month", columns="family", values="revenue", aggfunc="sum"
    ).fillna(0.0)
    ax.stackplot(wide.index, wide.T.to_numpy(), labels=wide.columns, alpha=0.8)
    ax.plot(
        wide.index,
        data.groupby("month")["margin"].sum().reindex(wide.index),
        color="black",
        lw=1.5,
        label="margin",
    )
    ax.yaxis.set_major_formatter(FuncFormatter(axis_money))
    ax.set_title("Revenue by family and total margin")
    ax.legend(fontsize=8, ncols=min(len(wide.columns) + 1, 5), loc="upper left")
    return ax


def inventory_projection(
    data: pd.DataFrame, *, family: str | None = None, ax: Axes | None = None
) -> Axes:
    """Projected on-hand against safety stock by month, backlog below zero.

    ``data`` is ``SupplyPlan.plan``; ``family`` restricts it to one family.
    """
    ax = _axes(ax)
    df = data if family is None else data[data["family"] == family]
    month = df.groupby("month")[["on_hand", "safety_stock", "backlog", "max_stock"]].sum()
    ax.bar(month.index, month["on_hand"], width=20, color=LIGHT, label="projected on hand")
    ax.bar(month.index, -month["backlog"], width=20, color=RED, label="backlog")
    ax.plot(month.index, month["safety_stock"], color=BLUE, ls="--", label="safety stock")
    ax.plot(month.index, month["max_stock"], color=GREY, ls=":", label="maximum cover")
    ax.axhline(0, color="black", lw=0.6)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel("units")
    ax.set_title("Projected inventory" + (f" · {family}" if family else ""))
    ax.legend(fontsize=8, ncols=4)
    return ax


def capacity_load(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Utilisation per resource and month: unconstrained (dashed) and constrained plan (solid).

    ``data`` is :func:`compass_nb.sop.capacity.resource_load` of ``SupplyPlan.load``.
    """
    ax = _axes(ax)
    for i, (resource, rows) in enumerate(data.groupby("resource")):
        color = plt.cm.tab10(i)
        ax.plot(rows["month"], rows["utilisation"], ls="--", color=color, alpha=0.7)
        ax.plot(rows["month"], rows["planned_utilisation"], color=color, label=str(resource))
    ax.axhline(1.0, color=RED, lw=1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("Rough-cut capacity: load (dashed) and constrained plan (solid)")
    ax.legend(fontsize=8, ncols=4)
    return ax


def scenario_deltas(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each scenario's change against base, per metric, as a share of the base figure.

    ``data`` is :func:`compass_nb.sop.scenarios.scenario_table` output.
    """
    ax = _axes(ax, (9, 0.6 + 0.45 * data["label"].nunique()))
    df = data[data["scenario"] != "base"].copy()
    df["relative"] = df["delta"] / df["base_value"].abs().where(df["base_value"].abs() > 1e-9)
    wide = df.pivot_table(index="label", columns="scenario", values="relative", sort=False).fillna(
        0.0
    )
    wide.plot.barh(ax=ax, width=0.8)
    ax.axvline(0, color="black", lw=0.6)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("change against base")
    ax.set_ylabel("")
    ax.set_title("Scenarios against base")
    ax.legend(fontsize=8)
    return ax


def accuracy_trend(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """WAPE by target month at lag 1 and lag 3 (all families).

    ``data`` is :func:`compass_nb.sop.tracking.accuracy_by_lag` with ``by=()``.
    """
    ax = _axes(ax)
    for lag, rows in data.groupby("lag"):
        ax.plot(rows["month"], rows["wape"], marker="o", ms=3, label=f"lag {lag}")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("WAPE")
    ax.set_title("Forecast error by lag over past cycles")
    ax.legend(fontsize=8)
    return ax


def fva_stairstep(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Lag-1 WAPE of naive, statistical and consensus forecasts per month.

    ``data`` is :func:`compass_nb.sop.tracking.fva_by_month` output.
    """
    ax = _axes(ax)
    for col, color in (("naive", GREY), ("statistical", LIGHT), ("consensus", BLUE)):
        ax.plot(data["month"], data[col], marker="o", ms=3, color=color, label=col)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("WAPE (lag 1)")
    ax.set_title("Forecast value added over time")
    ax.legend(fontsize=8, ncols=3)
    return ax


def adherence_and_fill(
    adherence: pd.DataFrame,
    fill: pd.DataFrame,
    *,
    target: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plan adherence and achieved fill rate per month (all families), with the fill-rate target.

    ``adherence`` is :func:`~compass_nb.sop.tracking.adherence_by_month`, ``fill``
    :func:`~compass_nb.sop.tracking.achieved_fill_rate`, both with ``by=()``.
    """
    ax = _axes(ax)
    ax.plot(
        adherence["month"],
        adherence["adherence"],
        marker="o",
        ms=3,
        color=BLUE,
        label="plan adherence",
    )
    ax.plot(
        fill["month"], fill["fill_rate"], marker="s", ms=3, color=GREEN, label="achieved fill rate"
    )
    if target is not None:
        ax.axhline(target, color=RED, ls="--", lw=1, label="fill-rate target")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("Plan adherence and fill rate")
    ax.legend(fontsize=8, ncols=3)
    return ax


def inventory_vs_plan(
    data: pd.DataFrame, *, target: float | None = None, ax: Axes | None = None
) -> Axes:
    """Actual month-end inventory value against the lag-1 plan (and a target, if set)."""
    ax = _axes(ax)
    ax.plot(
        data["month"], data["planned_value"], color=LIGHT, marker="o", ms=3, label="planned (lag 1)"
    )
    ax.plot(data["month"], data["actual_value"], color=BLUE, marker="o", ms=3, label="actual")
    if target is not None:
        ax.axhline(target, color=RED, ls="--", lw=1, label="target")
    ax.yaxis.set_major_formatter(FuncFormatter(axis_money))
    ax.set_title("Inventory value: actual against plan")
    ax.legend(fontsize=8, ncols=3)
    return ax
