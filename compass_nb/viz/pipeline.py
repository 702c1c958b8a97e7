"""Charts of the pipeline notebook: one function per chart, data first, returning the Axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from compass_nb.viz._common import BLUE, DARK, GREEN, GREY, RED
from compass_nb.viz._common import axes as _axes
from compass_nb.viz._common import empty as _empty
from compass_nb.viz._common import money as _money


def funnel(data: pd.DataFrame, *, title: str = "Funnel", ax: Axes | None = None) -> Axes:
    """Deals reaching each stage (bars) with the stage-to-stage conversion written on each."""
    ax = _axes(ax, (8, 3.4))
    if data.empty or data["reached"].sum() == 0:
        return _empty(ax, title)
    labels = data["stage"].tolist() + [data["next_stage"].iloc[-1]]
    counts = data["reached"].tolist() + [int(data["advanced"].iloc[-1])]
    ax.barh(labels[::-1], counts[::-1], color=[GREEN] + [BLUE] * (len(counts) - 1))
    for i, row in data.reset_index(drop=True).iterrows():
        y = len(labels) - 1 - i - 0.5
        if pd.notna(row["conversion"]):
            ax.text(
                max(counts) * 0.01,
                y,
                f"↓ {row['conversion']:.0%}",
                va="center",
                fontsize=8,
                color=DARK,
            )
    ax.set_xlabel("deals reaching the stage")
    ax.set_title(title)
    return ax


def cohort_conversion(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stage-to-stage conversion by creation-month cohort (rows) and stage (columns)."""
    ax = _axes(ax, (9, 0.32 * data["cohort"].nunique() + 1.5))
    if data.empty:
        return _empty(ax, "Conversion by creation cohort")
    grid = data.pivot(index="cohort", columns="stage", values="conversion")
    grid = grid.loc[:, data.drop_duplicates("stage").sort_values("step")["stage"]]
    sns.heatmap(
        grid,
        annot=True,
        fmt=".0%",
        cmap="Blues",
        vmin=0,
        vmax=1,
        cbar=False,
        ax=ax,
        annot_kws={"fontsize": 7},
    )
    ax.set_xlabel("from stage (to the next)")
    ax.set_ylabel("created in")
    ax.set_title("Conversion by creation cohort (recent cohorts are still in flight)")
    return ax


def win_rate_bars(data: pd.DataFrame, by: str, *, ax: Axes | None = None) -> Axes:
    """Win rate by count and by amount per group."""
    ax = _axes(ax, (8, 0.45 * len(data) + 1.2))
    if data.empty:
        return _empty(ax, f"Win rate by {by}")
    y = np.arange(len(data))
    ax.barh(y + 0.2, data["win_rate"], height=0.4, color=DARK, label="by count")
    ax.barh(y - 0.2, data["win_rate_amount"], height=0.4, color=BLUE, label="by amount")
    ax.set_yticks(y, data[by].astype(str))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title(f"Win rate by {by.replace('_', ' ')}")
    return ax


def cycle_histogram(cycles: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Distribution of days from creation to won, with the median marked."""
    ax = _axes(ax, (8, 3))
    if cycles.empty:
        return _empty(ax, "Sales cycle")
    ax.hist(cycles["cycle_days"], bins=min(30, max(5, len(cycles) // 5)), color=BLUE)
    median = cycles["cycle_days"].median()
    ax.axvline(median, color=RED, linestyle="--")
    ax.text(median, ax.get_ylim()[1] * 0.9, f" median {median:.0f} days", color=RED, fontsize=8)
    ax.set_xlabel("days from created to won")
    ax.set_ylabel("won deals")
    ax.set_title("Sales cycle of won deals")
    return ax


def stage_durations(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Median days spent in each open stage."""
    ax = _axes(ax, (8, 2.8))
    if data.empty:
        return _empty(ax, "Time in stage")
    ax.barh(data["stage"][::-1], data["median_days"][::-1], color=DARK)
    ax.set_xlabel("median days in stage (completed visits)")
    ax.set_title("Time in each stage")
    return ax


def velocity_trend(data: pd.DataFrame, *, team: str = "All teams", ax: Axes | None = None) -> Axes:
    """Sales velocity (revenue per day) month by month for one team."""
    ax = _axes(ax, (8, 3))
    rows = data.loc[data["team"] == team].sort_values("month")
    if rows["velocity"].notna().sum() == 0:
        return _empty(ax, f"Sales velocity · {team}")
    ax.plot(rows["month"], rows["velocity"], marker="o", color=DARK)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylabel("revenue per day")
    ax.tick_params(axis="x", rotation=45)
    ax.set_title(f"Sales velocity · {team}")
    return ax


def velocity_drivers(
    data: pd.DataFrame, *, team: str = "All teams", ax: Axes | None = None
) -> Axes:
    """Month-on-month change in velocity split among its four factors (stacked bars)."""
    ax = _axes(ax, (8, 3))
    rows = data.loc[data["team"] == team].sort_values("month").dropna(subset=["change"])
    factors = ["opportunities", "win_rate", "avg_deal_size", "cycle_days"]
    parts = rows[[f"from_{f}" for f in factors]].fillna(0.0)
    if parts.empty:
        return _empty(ax, f"What moved velocity · {team}")
    colours = [DARK, GREEN, BLUE, RED]
    pos = np.zeros(len(rows))
    neg = np.zeros(len(rows))
    for factor, colour in zip(factors, colours, strict=True):
        values = parts[f"from_{factor}"].to_numpy()
        base = np.where(values >= 0, pos, neg)
        ax.bar(rows["month"], values, bottom=base, color=colour, label=factor.replace("_", " "))
        pos, neg = pos + np.clip(values, 0, None), neg + np.clip(values, None, 0)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    ax.set_title(f"What moved velocity · {team} (change per day vs previous month)")
    return ax


def coverage_bars(data: pd.DataFrame, *, target: float = 3.0, ax: Axes | None = None) -> Axes:
    """Coverage per team with the usual 3× rule of thumb marked."""
    ax = _axes(ax, (8, 0.45 * len(data) + 1.2))
    rows = data.dropna(subset=["coverage"])
    if rows.empty:
        return _empty(ax, "Pipeline coverage")
    colours = [GREEN if c >= target else (BLUE if c >= 1 else RED) for c in rows["coverage"]]
    ax.barh(rows["team"][::-1], rows["coverage"][::-1], color=colours[::-1])
    ax.axvline(target, color=GREY, linestyle="--")
    ax.axvline(1, color=RED, linestyle=":")
    ax.set_xlabel("open pipeline due ÷ quota still to close (×)")
    ax.set_title("Pipeline coverage")
    return ax


def flow_waterfall(
    data: pd.DataFrame, *, title: str = "Pipeline flow", ax: Axes | None = None
) -> Axes:
    """The pipeline flow as a waterfall: start, what came in, what left, end."""
    ax = _axes(ax, (9, 3.4))
    labels = data["step"].str.replace("_", "\n").tolist()
    values = data["value"].to_numpy(dtype=float)
    bottoms, heights, colours, running = [], [], [], 0.0
    for step, value in zip(data["step"], values, strict=True):
        if step in ("start", "end"):
            bottoms.append(0.0), heights.append(value), colours.append(DARK)
            running = value
        else:
            bottoms.append(running if value >= 0 else running + value)
            heights.append(abs(value))
            colours.append(GREEN if value >= 0 else RED)
            running += value
    ax.bar(labels, heights, bottom=bottoms, color=colours)
    for i, value in enumerate(values):
        ax.text(i, bottoms[i] + heights[i], _money(value), ha="center", va="bottom", fontsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title(title)
    return ax


def slippage_histogram(push_days: pd.Series, *, ax: Axes | None = None) -> Axes:
    """How far deals are pushed: days each close-date push moved the date."""
    ax = _axes(ax, (8, 2.8))
    if push_days.empty:
        return _empty(ax, "Close-date pushes")
    ax.hist(push_days, bins=min(30, max(5, len(push_days) // 4)), color=BLUE)
    ax.set_xlabel("days a push moved the close date")
    ax.set_ylabel("pushes")
    ax.set_title("Close-date slippage")
    return ax


def forecast_rollups(data: pd.DataFrame, *, quarter: str, ax: Axes | None = None) -> Axes:
    """Closed, commit, best case and weighted forecast per product family for one quarter."""
    ax = _axes(ax, (9, 3.2))
    rows = data.loc[data["quarter"] == quarter]
    if rows.empty:
        return _empty(ax, f"Forecast · {quarter}")
    columns = {"closed": DARK, "commit": GREEN, "best_case": BLUE, "weighted": RED}
    x = np.arange(len(rows))
    width = 0.8 / len(columns)
    for i, (column, colour) in enumerate(columns.items()):
        ax.bar(
            x + (i - 1.5) * width,
            rows[column],
            width=width,
            color=colour,
            label=column.replace("_", " "),
        )
    ax.set_xticks(x, rows["product_family"])
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title(f"Forecast roll-ups · {quarter}")
    return ax


def backtest_chart(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Past quarters: what actually closed against the weighted forecast, commit and best case."""
    ax = _axes(ax, (9, 3.2))
    if data.empty:
        return _empty(ax, "Backtest")
    ax.bar(data["quarter"], data["actual"], color=GREY, label="actually won")
    ax.plot(data["quarter"], data["weighted"], marker="o", color=RED, label="weighted forecast")
    ax.plot(
        data["quarter"],
        data["best_case"],
        marker=".",
        linestyle="--",
        color=BLUE,
        label="best case",
    )
    ax.plot(
        data["quarter"], data["commit"], marker=".", linestyle="--", color=GREEN, label="commit"
    )
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.tick_params(axis="x", rotation=30)
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False)
    ax.set_title("Backtest: forecast made before each quarter vs what closed")
    return ax


def stage_win_rates(
    data: pd.DataFrame, in_quarter: pd.DataFrame | None = None, *, ax: Axes | None = None
) -> Axes:
    """Win rate of deals that reached each stage and, when given, the share of each stage's
    pipeline due in a quarter that was won within it (the weights of the forecast)."""
    ax = _axes(ax, (8, 2.8))
    y = np.arange(len(data))[::-1]
    if in_quarter is None:
        ax.barh(y, data["win_rate"], color=DARK)
    else:
        ax.barh(
            y + 0.2, data["win_rate"], height=0.4, color=BLUE, label="won at all, after reaching it"
        )
        weights = in_quarter.set_index("stage")["win_rate"].reindex(data["stage"])
        ax.barh(
            y - 0.2, weights.to_numpy(), height=0.4, color=DARK, label="won within the quarter due"
        )
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_yticks(y, data["stage"])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_title("Win rate by stage")
    return ax


def attainment_histogram(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Distribution of quota attainment across sellers (no names), quota marked at 100 %."""
    ax = _axes(ax, (8, 3))
    if data.empty:
        return _empty(ax, "Quota attainment")
    bins = np.arange(0, max(2.0, float(data["attainment"].max())) + 0.1, 0.1)
    ax.hist(data["attainment"].clip(upper=bins[-1]), bins=bins, color=BLUE)
    ax.axvline(1.0, color=RED, linestyle="--")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("attainment (credited bookings ÷ quota)")
    ax.set_ylabel("sellers")
    ax.set_title("Quota attainment, fiscal year to date")
    return ax


def ramp_curve(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Median attainment of new hires by month of tenure."""
    ax = _axes(ax, (8, 3))
    if data.empty:
        return _empty(ax, "Ramp of new hires")
    ax.plot(data["tenure_month"], data["median_attainment"], marker="o", color=DARK)
    ax.axhline(1.0, color=RED, linestyle="--")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("month of tenure (1 = hire month)")
    ax.set_ylabel("median cumulative attainment")
    ax.set_title("Ramp of new hires")
    return ax
