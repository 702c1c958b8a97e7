"""Charts of the S&OP notebooks (02–06): one function per chart, data first, returning the Axes.

Every axis says its unit (money with its currency, units, percent). A chart without data
says so in words instead of drawing empty axes; the tracking charts (06) draw nothing on a
store without history (the page says once how to backfill) and return ``None``.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import FuncFormatter, PercentFormatter

from compass_nb.display import SafeHTML, show
from compass_nb.formatting import money
from compass_nb.viz._common import AMBER, GREEN, GREY, RED, empty
from compass_nb.viz._common import BLUE as LIGHT
from compass_nb.viz._common import DARK as BLUE

UNITS = FuncFormatter(lambda v, _: f"{v + 0.0:,.0f}")


class _Money(FuncFormatter):
    """Money ticks (``950``, ``12 k``, ``3.25 M``) with as many decimals as the tick spacing
    needs, so that no two ticks read the same."""

    def __init__(self):
        super().__init__(self._label)

    def _label(self, value, _=None):
        ticks = [t for t in self.axis.get_majorticklocs()] if self.axis is not None else []
        step = min((b - a for a, b in zip(ticks, ticks[1:], strict=False) if b > a), default=0.0)
        largest = max((abs(t) for t in ticks), default=abs(value))
        value = float(value) + 0.0
        if abs(value) < 1e-9:
            return "0"
        for scale, suffix in ((1e6, " M"), (1e3, " k")):
            if largest >= scale:
                digits = 0 if step <= 0 else max(0, int(np.ceil(-np.log10(step / scale) - 1e-9)))
                return f"{value / scale:,.{min(digits, 3)}f}{suffix}"
        return f"{value:,.0f}"


def _axes(ax: Axes | None, size=(9, 3.6)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _money_axis(ax: Axes, currency: str, axis: str = "y", what: str = "") -> None:
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(_Money())
    label = f"{what} ({currency})".strip() if what else currency
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(label)


def _months(ax: Axes, months=None) -> None:
    """Label a month axis; a single month gets a window around it, not years of empty axis."""
    ax.set_xlabel("month")
    if months is not None:
        months = pd.DatetimeIndex(pd.Series(months).dropna().unique()).sort_values()
        if len(months) == 0:
            return
        if len(months) == 1:
            ax.set_xlim(months[0] - pd.DateOffset(months=2), months[0] + pd.DateOffset(months=2))
        first, last = months[0], months[-1]
        span = (last.year - first.year) * 12 + last.month - first.month + 1
        # whole months only, at most about eight labels (a short span would get daily ticks)
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, -(-span // 8))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))


def _nothing(data: pd.DataFrame | None, ax: Axes | None, title: str, why: str) -> Axes | None:
    if data is None or data.empty:
        ax = _axes(ax, (9, 1.2))
        empty(ax, title)
        ax.texts[-1].set_text(why)
        return ax
    return None


# -- 02 demand planning ----------------------------------------------------------------------
def consensus_waterfall(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Per family over the horizon: statistical forecast, life cycle, overrides, consensus (units).

    ``data`` is :func:`compass_nb.sop.consensus.waterfall` output. The axis starts near
    the smallest bar so that adjustments of a few percent stay visible; each change is
    labelled in units.
    """
    title = "Statistical forecast → life cycle → overrides → consensus, by family"
    blank = _nothing(data, ax, title, "no plan rows")
    if blank is not None:
        return blank
    ax = _axes(ax)
    totals = data.groupby("family")[["stat_forecast", "lifecycle", "adjustment", "consensus"]].sum()
    x = np.arange(len(totals))
    w = 0.2
    ax.bar(x - 1.5 * w, totals["stat_forecast"], width=w, color=LIGHT, label="statistical forecast")
    level = totals["stat_forecast"].copy()
    for offset, column, name in (
        (-0.5, "lifecycle", "life cycle"),
        (0.5, "adjustment", "overrides"),
    ):
        step = totals[column]
        bottom = np.where(step >= 0, level, level + step)
        ax.bar(
            x + offset * w,
            step.abs(),
            width=w,
            bottom=bottom,
            color=np.where(step >= 0, GREEN, RED),
            edgecolor=AMBER if column == "lifecycle" else "none",
            label=f"{name} (green up, red down)",
        )
        for i, value in enumerate(step):
            if abs(value) >= 0.5:
                ax.annotate(
                    f"{value:+,.0f}",
                    (x[i] + offset * w, max(level.iloc[i], level.iloc[i] + value)),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
        level = level + step
    ax.bar(x + 1.5 * w, totals["consensus"], width=w, color=BLUE, label="consensus")
    low = float(totals[["stat_forecast", "consensus"]].min().min())
    high = float(totals[["stat_forecast", "consensus"]].max().max())
    ax.set_ylim(max(0.0, low - 0.25 * (high - low + 0.1 * high)), high * 1.1)
    ax.set_xticks(x, totals.index)
    ax.yaxis.set_major_formatter(UNITS)
    ax.set_ylabel("units over the horizon")
    ax.set_xlabel("family")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=8, ncols=4, frameon=False)
    return ax


def budget_gap(data: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Plan revenue against the budget by month (all families), the gap as bars.

    ``data`` is :func:`compass_nb.sop.consensus.budget_gap` output; months without a
    budget show the plan alone.
    """
    title = "Plan revenue (net price) against budget"
    covered = data.dropna(subset=["budget_revenue"]) if "budget_revenue" in data else data.iloc[:0]
    blank = _nothing(covered, ax, title, "no budget for the plan's months: nothing to compare")
    if blank is not None:
        return blank
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
    ax.plot(month.index, month["revenue"], color=BLUE, marker="o", ms=3, label="plan revenue")
    ax.plot(month.index, month["budget_revenue"], color=GREY, ls="--", label="budget revenue")
    ax.axhline(0, color="black", lw=0.6)
    _money_axis(ax, currency, what="revenue a month")
    _months(ax, month.index)
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=3)
    return ax


def revenue_by_family(data: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Stacked plan revenue by family and month, with the total margin as a line (net price).

    ``data`` is :func:`compass_nb.sop.value.value_by_family` output.
    """
    title = "Plan revenue by family and total margin (net price)"
    blank = _nothing(data, ax, title, "no plan rows")
    if blank is not None:
        return blank
    ax = _axes(ax)
    wide = data.pivot_table(
        index="month", columns="family", values="revenue", aggfunc="sum"
    ).fillna(0.0)
    ax.stackplot(wide.index, wide.T.to_numpy(), labels=wide.columns, alpha=0.8)
    margin = data.groupby("month")["margin"].sum().reindex(wide.index)
    ax.plot(wide.index, margin, color="black", lw=1.5, label="margin")
    _money_axis(ax, currency, what="revenue and margin a month")
    _months(ax, wide.index)
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=min(len(wide.columns) + 1, 5), loc="upper left")
    return ax


# -- 03 supply planning ----------------------------------------------------------------------
def inventory_by_family(data: pd.DataFrame, *, columns: int = 2) -> Axes:
    """Projected on-hand per family against its safety stock and maximum cover (units).

    ``data`` is :func:`compass_nb.sop.supply.inventory_by_family` output: one small chart
    per family, backlog below zero. Returns the first Axes.
    """
    title = "Projected inventory against safety stock and maximum cover"
    blank = _nothing(data, None, title, "no plan rows")
    if blank is not None:
        return blank
    families = sorted(data["family"].unique())
    rows = int(np.ceil(len(families) / columns))
    fig, grid = plt.subplots(rows, columns, figsize=(10, 2.6 * rows), squeeze=False, sharex=True)
    for ax, family in zip(grid.ravel(), families, strict=False):
        f = data[data["family"] == family]
        ax.bar(f["month"], f["on_hand"], width=20, color=LIGHT, label="projected on hand")
        ax.bar(f["month"], -f["backlog"], width=20, color=RED, label="backlog")
        ax.plot(f["month"], f["safety_stock"], color=BLUE, ls="--", label="safety stock")
        ax.plot(f["month"], f["max_stock"], color=GREY, ls=":", label="maximum cover")
        ax.axhline(0, color="black", lw=0.5)
        ax.yaxis.set_major_formatter(UNITS)
        ax.set_title(str(family), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_ylabel("units", fontsize=8)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    for ax in grid.ravel()[len(families) :]:
        ax.set_axis_off()
    handles, labels = grid.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=4, fontsize=8, frameon=False)
    fig.suptitle(title + " (units, by month)", fontsize=11)
    fig.tight_layout(rect=(0, 0.5 / (2.6 * rows), 1, 1 - 0.25 / (2.6 * rows)))
    return grid.ravel()[0]


FULL = 0.995  # a cell at least this full is drawn red: the resource cannot serve more


def capacity_heatmap(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Utilisation of each resource by each family and month with the constrained plan.

    ``data`` is ``SupplyPlan.load`` (``resource``, ``family``, ``month``,
    ``planned_units``, ``capacity_units``). A cell at 100 % is a family the resource
    cannot serve more of that month; the label shows the share.
    """
    title = "Capacity used by the constrained plan, resource × family × month"
    blank = _nothing(
        data, ax, title, "no capacity data: unlimited capacity assumed, nothing to show"
    )
    if blank is not None:
        return blank
    df = data.assign(
        share=data["planned_units"] / data["capacity_units"].where(data["capacity_units"] > 0),
        row=data["resource"].astype(str) + " · " + data["family"].astype(str),
    )
    grid = df.pivot_table(index="row", columns="month", values="share", aggfunc="sum")
    ax = _axes(ax, (10, 0.8 + 0.32 * len(grid)))
    cmap = LinearSegmentedColormap.from_list("load", ["#ffffff", LIGHT, BLUE], N=256)
    values = grid.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0)
    full = np.where(values >= FULL, 1.0, np.nan)
    ax.imshow(
        full,
        aspect="auto",
        cmap=LinearSegmentedColormap.from_list("full", [RED, RED]),
        vmin=0,
        vmax=1,
    )
    ax.set_yticks(range(len(grid)), grid.index, fontsize=8)
    ax.set_xticks(
        range(len(grid.columns)), [f"{m:%Y-%m}" for m in grid.columns], fontsize=7, rotation=45
    )
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value) and value >= FULL:
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=6, color="white")
    bar = plt.colorbar(image, ax=ax, format=PercentFormatter(1.0), pad=0.01)
    bar.set_label("share of capacity used (red: full)", fontsize=8)
    ax.set_xlabel("month")
    ax.set_ylabel("resource · family")
    ax.set_title(title)
    ax.grid(False)
    return ax


def demand_supply_balance(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Demand against supply served in its month, per family over the horizon (units).

    ``data`` is :func:`compass_nb.sop.gaps.demand_supply_gaps` by ``family``.
    """
    title = "Demand against supply served in its month, by family"
    blank = _nothing(data, ax, title, "no plan rows")
    if blank is not None:
        return blank
    ax = _axes(ax)
    df = data.sort_values("demand", ascending=False)
    x = np.arange(len(df))
    ax.bar(x - 0.2, df["demand"], width=0.4, color=LIGHT, label="demand (consensus)")
    ax.bar(x + 0.2, df["supply"], width=0.4, color=BLUE, label="served in its month")
    for i, (gap, top) in enumerate(zip(df["gap_units"], df["demand"], strict=True)):
        if gap >= 0.5:
            ax.annotate(
                f"−{gap:,.0f} unmet", (x[i], top), ha="center", va="bottom", fontsize=8, color=RED
            )
    ax.set_xticks(x, df["family"])
    ax.yaxis.set_major_formatter(UNITS)
    ax.set_ylabel("units over the horizon")
    ax.set_xlabel("family")
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=2)
    return ax


# -- 04 pre-S&OP review ----------------------------------------------------------------------
def scenario_comparison(data: pd.DataFrame, *, currency: str) -> Axes:
    """Each scenario's revenue and margin served (money) and fill rate (percent).

    ``data`` is :func:`compass_nb.sop.scenarios.scenario_table` output. Returns the money Axes.
    """
    wide = data.pivot_table(index="scenario", columns="metric", values="value", sort=False)
    fig, (money_ax, fill_ax) = plt.subplots(
        1, 2, figsize=(10, 0.9 + 0.45 * len(wide)), width_ratios=(2, 1)
    )
    y = np.arange(len(wide))
    money_ax.barh(y - 0.2, wide["revenue"], height=0.4, color=LIGHT, label="revenue served")
    money_ax.barh(y + 0.2, wide["margin"], height=0.4, color=BLUE, label="margin served")
    money_ax.set_yticks(y, wide.index)
    money_ax.invert_yaxis()
    _money_axis(money_ax, currency, axis="x", what="over the horizon")
    money_ax.set_title("Revenue and margin served, by scenario")
    money_ax.legend(fontsize=8, loc="lower right")
    fill_ax.barh(y, wide["fill_rate"], color=GREEN, height=0.5)
    fill_ax.set_yticks(y, [""] * len(y))
    fill_ax.invert_yaxis()
    fill_ax.set_xlim(min(0.8, float(wide["fill_rate"].min()) - 0.02), 1.0)
    fill_ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    fill_ax.set_xlabel("fill rate (share of demand served in its month)")
    fill_ax.set_title("Fill rate")
    fig.tight_layout()
    return money_ax


def recommendation_values(data: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Gross value, cost and net value of each recommendation (money), ranked by net value."""
    title = "Recommendations: gross value, cost and net value"
    blank = _nothing(data, ax, title, "no recommendation this cycle")
    if blank is not None:
        return blank
    df = data.head(8)
    ax = _axes(ax, (9, 0.9 + 0.5 * len(df)))
    y = np.arange(len(df))
    ax.barh(y - 0.27, df["gross_value"], height=0.26, color=LIGHT, label="gross value")
    ax.barh(y, -df["cost"], height=0.26, color=RED, label="cost (shown below zero)")
    ax.barh(
        y + 0.27,
        df["net_value"],
        height=0.26,
        color=np.where(df["net_value"] >= 0, GREEN, RED),
        label="net value",
    )
    ax.axvline(0, color="black", lw=0.6)
    ax.set_yticks(
        y,
        [
            f"#{int(r)} {k} · {f}"
            for r, k, f in zip(df["rank"], df["kind"], df["family"], strict=True)
        ],
        fontsize=8,
    )
    ax.invert_yaxis()
    _money_axis(ax, currency, axis="x", what="over the horizon")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return ax


# -- 05 executive S&OP ----------------------------------------------------------------------
def revenue_plan_budget_last_year(
    data: pd.DataFrame, *, currency: str, ax: Axes | None = None
) -> Axes:
    """Plan revenue, budget and last year's actual revenue by month (net, money).

    ``data`` is :func:`compass_nb.sop.cycle.revenue_by_month` output.
    """
    title = "Revenue by month: plan, budget and last year"
    blank = _nothing(data, ax, title, "no plan months")
    if blank is not None:
        return blank
    ax = _axes(ax)
    ax.plot(data["month"], data["plan"], color=BLUE, marker="o", ms=3, label="plan (net price)")
    if data["budget"].notna().any():
        ax.plot(data["month"], data["budget"], color=GREY, ls="--", label="budget")
    if data["last_year"].notna().any():
        ax.plot(
            data["month"],
            data["last_year"],
            color=AMBER,
            marker="s",
            ms=3,
            label="same month last year (actual)",
        )
    ax.set_ylim(bottom=0)
    _money_axis(ax, currency, what="net revenue a month")
    _months(ax, data["month"])
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=3)
    return ax


def bridge(
    data: pd.DataFrame, *, currency: str, title: str, empty_note: str, ax: Axes | None = None
) -> Axes:
    """A waterfall in money: the first and last bars are totals, the others the steps between.

    ``data`` is :func:`compass_nb.sop.bridge.budget_bridge` or
    :func:`~compass_nb.sop.bridge.plan_change` (``step``, ``value``, ``total``).
    """
    blank = _nothing(data, ax, title, empty_note)
    if blank is not None:
        return blank
    ax = _axes(ax)
    level, bottoms, heights, colours = 0.0, [], [], []
    for value, total in zip(data["value"], data["total"], strict=True):
        if total:
            bottoms.append(0.0)
            heights.append(value)
            colours.append(BLUE)
            level = value
        else:
            bottoms.append(level if value >= 0 else level + value)
            heights.append(abs(value))
            colours.append(GREEN if value >= 0 else RED)
            level += value
    x = np.arange(len(data))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    for i, (value, total) in enumerate(zip(data["value"], data["total"], strict=True)):
        text = money(value) if total else ("+" if value >= 0 else "−") + money(abs(value))
        ax.annotate(
            text,
            (i, bottoms[i] + heights[i]),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    totals = data.loc[data["total"], "value"]
    low = min(
        float(totals.min()),
        min(b for b in bottoms if b > 0) if any(b > 0 for b in bottoms) else 0.0,
    )
    high = max(b + h for b, h in zip(bottoms, heights, strict=True))
    ax.set_ylim(max(0.0, low - 0.15 * (high - low + 0.05 * high)), high * 1.06)
    ax.set_xticks(x, data["step"], fontsize=8)
    _money_axis(ax, currency, what="revenue")
    ax.set_xlabel("")
    ax.set_title(title)
    return ax


# -- 06 implementation tracking ----------------------------------------------------------------
def accuracy_trend(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes | None:
    """WAPE by target month at each lag (all families); nothing without tracked months.

    ``data`` is :func:`compass_nb.sop.tracking.accuracy_by_lag` with ``by=()``.
    """
    if data is None or data.empty:
        return None
    ax = _axes(ax)
    for lag, rows in data.groupby("lag"):
        ax.plot(rows["month"], rows["wape"], marker="o", ms=3, label=f"lag {lag}")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("WAPE (share of actual units)")
    _months(ax, data["month"])
    ax.set_title("Consensus forecast error by lag over past cycles")
    ax.legend(fontsize=8)
    return ax


def fva_stairstep(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes | None:
    """Lag-1 WAPE of naive, statistical and consensus forecasts per month; nothing without data.

    ``data`` is :func:`compass_nb.sop.tracking.fva_by_month` output.
    """
    if data is None or data.empty:
        return None
    ax = _axes(ax)
    for col, color in (("naive", GREY), ("statistical", LIGHT), ("consensus", BLUE)):
        ax.plot(data["month"], data[col], marker="o", ms=3, color=color, label=col)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("WAPE, lag 1 (share of actual units)")
    _months(ax, data["month"])
    ax.set_title("Forecast value added over time")
    ax.legend(fontsize=8, ncols=3)
    return ax


def adherence_and_fill(
    adherence: pd.DataFrame,
    fill: pd.DataFrame,
    *,
    target: float | None = None,
    ax: Axes | None = None,
) -> Axes | None:
    """Plan adherence and achieved fill rate per month (all families), with the fill-rate target.

    ``adherence`` is :func:`~compass_nb.sop.tracking.adherence_by_month`, ``fill``
    :func:`~compass_nb.sop.tracking.achieved_fill_rate`, both with ``by=()``; nothing
    when both are empty.
    """
    if (adherence is None or adherence.empty) and (fill is None or fill.empty):
        return None
    ax = _axes(ax)
    if adherence is not None and not adherence.empty:
        ax.plot(
            adherence["month"],
            adherence["adherence"],
            marker="o",
            ms=3,
            color=BLUE,
            label="plan adherence",
        )
    has_fill = fill is not None and not fill.empty
    if has_fill:
        ax.plot(
            fill["month"],
            fill["fill_rate"],
            marker="s",
            ms=3,
            color=GREEN,
            label="achieved fill rate",
        )
    if target is not None and has_fill:
        ax.axhline(target, color=RED, ls="--", lw=1, label="fill-rate target")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share (of plan kept / of demand served)" if has_fill else "share of plan kept")
    seen = [] if adherence is None else list(adherence["month"])
    _months(ax, seen + ([] if fill is None else list(fill["month"])))
    ax.set_title("Plan adherence and fill rate" if has_fill else "Plan adherence")
    ax.legend(fontsize=8, ncols=3)
    return ax


def inventory_vs_plan(
    data: pd.DataFrame, *, currency: str, target: float | None = None, ax: Axes | None = None
) -> Axes | None:
    """Actual month-end inventory value against the lag-1 plan (and a target); nothing without data."""
    if data is None or data.empty or data["actual_value"].isna().all():
        return None
    ax = _axes(ax)
    ax.plot(
        data["month"], data["planned_value"], color=LIGHT, marker="o", ms=3, label="planned (lag 1)"
    )
    ax.plot(data["month"], data["actual_value"], color=BLUE, marker="o", ms=3, label="actual")
    if target is not None:
        ax.axhline(target, color=RED, ls="--", lw=1, label="target")
    ax.set_ylim(bottom=0)
    _money_axis(ax, currency, what="inventory value at cost")
    _months(ax, data["month"])
    ax.set_title("Inventory value: actual against plan")
    ax.legend(fontsize=8, ncols=3)
    return ax


def plan_change(data: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes | None:
    """Why the plan changed since last cycle, in money; nothing without a previous cycle."""
    if data is None or data.empty:
        return None
    return bridge(
        data,
        currency=currency,
        title="Why the plan changed since last cycle",
        empty_note="no previous cycle",
        ax=ax,
    )


def tracked(frame: pd.DataFrame, *, history: bool, **options) -> SafeHTML:
    """A table of the tracking page (:func:`compass_nb.display.show`), or nothing at all on a
    store without history (the summary then says once how to backfill)."""
    return show(frame, **options) if history else SafeHTML("")
