"""Charts of the pipeline notebook: one function per chart, data first, returning the Axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from compass_nb.viz._common import AMBER, BLUE, DARK, GREEN, GREY, INK, RED
from compass_nb.viz._common import axes as _axes
from compass_nb.viz._common import empty as _empty
from compass_nb.viz._common import money as _money


def funnel(
    data: pd.DataFrame,
    *,
    title: str = "Funnel",
    money: bool = False,
    currency: str = "EUR",
    ax: Axes | None = None,
) -> Axes:
    """Deals (or, with ``money``, their amount) reaching each stage, with the stage-to-stage
    conversion written between the bars."""
    ax = _axes(ax, (8, 3.4))
    if data.empty or data["reached"].sum() == 0:
        return _empty(ax, title)
    reached, advanced, rate = (
        ("reached_amount", "advanced_amount", "conversion_amount")
        if money
        else ("reached", "advanced", "conversion")
    )
    labels = data["stage"].tolist() + [data["next_stage"].iloc[-1]]
    counts = data[reached].tolist() + [float(data[advanced].iloc[-1])]
    ax.barh(labels[::-1], counts[::-1], color=[GREEN] + [BLUE] * (len(counts) - 1))
    for i, row in data.reset_index(drop=True).iterrows():
        y = len(labels) - 1 - i - 0.5
        if pd.notna(row[rate]):
            ax.text(
                max(counts) * 0.01, y, f"↓ {row[rate]:.0%}", va="center", fontsize=8, color=DARK
            )
    if money:
        ax.xaxis.set_major_formatter(FuncFormatter(_money))
        ax.set_xlabel(f"amount of the deals reaching the stage ({currency})")
    else:
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


def velocity_trend(
    data: pd.DataFrame, *, team: str = "All teams", currency: str = "EUR", ax: Axes | None = None
) -> Axes:
    """Sales velocity (bookings per day) month by month for one team."""
    ax = _axes(ax, (8, 3))
    rows = data.loc[data["team"] == team].sort_values("month")
    if rows["velocity"].notna().sum() == 0:
        return _empty(ax, f"Sales velocity · {team}")
    ax.plot(rows["month"], rows["velocity"], marker="o", color=DARK)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylabel(f"bookings per day ({currency})")
    ax.tick_params(axis="x", rotation=45)
    ax.set_title(f"Sales velocity · {team}")
    return ax


def velocity_drivers(
    data: pd.DataFrame, *, team: str = "All teams", currency: str = "EUR", ax: Axes | None = None
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
    ax.set_ylabel(f"change in bookings per day ({currency})")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    ax.set_title(f"What moved velocity · {team} (change per day vs previous month)")
    return ax


def _not_measured(ax: Axes, title: str, why: str) -> Axes:
    """A chart that is not drawn because its input is absent, saying why in words."""
    ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_axis_off()
    ax.set_title(title)
    return ax


def coverage_bars(
    data: pd.DataFrame,
    *,
    target: float = 3.0,
    risk: float | None = None,
    missing: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Coverage per team with the usual 3× rule of thumb (and, when given, the at-risk
    threshold) marked; ``missing``: why coverage is not measured (no quotas), said instead."""
    ax = _axes(ax, (8, 0.45 * len(data) + 1.2))
    if missing:
        return _not_measured(ax, "Pipeline coverage", missing)
    rows = data.dropna(subset=["coverage"])
    if rows.empty:
        return _empty(ax, "Pipeline coverage")
    colours = [GREEN if c >= target else (BLUE if c >= 1 else RED) for c in rows["coverage"]]
    ax.barh(rows["team"][::-1], rows["coverage"][::-1], color=colours[::-1])
    ax.axvline(target, color=GREY, linestyle="--")
    ax.axvline(1, color=RED, linestyle=":")
    if risk is not None:
        ax.axvline(risk, color=AMBER, linestyle="-.", label=f"at risk below {risk:g}×")
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.set_xlabel("open pipeline due ÷ quota still to close (×)")
    ax.set_title("Pipeline coverage")
    return ax


def flow_waterfall(
    data: pd.DataFrame,
    *,
    title: str = "Pipeline flow",
    currency: str = "EUR",
    ax: Axes | None = None,
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
    ax.set_ylabel(f"open pipeline due in the quarter ({currency})")
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


def forecast_rollups(
    data: pd.DataFrame, *, quarter: str, currency: str = "EUR", ax: Axes | None = None
) -> Axes:
    """Closed, commit, best case and the expected bookings (with their P10–P90) per product
    family for one quarter."""
    ax = _axes(ax, (9, 3.2))
    rows = data.loc[data["quarter"] == quarter]
    if rows.empty:
        return _empty(ax, f"Forecast · {quarter}")
    columns = {"closed": DARK, "commit": GREEN, "best_case": BLUE, "weighted": AMBER}
    names = {"weighted": "expected (P10–P90)"}
    x = np.arange(len(rows))
    width = 0.8 / len(columns)
    for i, (column, colour) in enumerate(columns.items()):
        ax.bar(
            x + (i - 1.5) * width,
            rows[column],
            width=width,
            color=colour,
            label=names.get(column, column.replace("_", " ")),
        )
    centre = x + 1.5 * width
    ax.vlines(centre, rows["p10"], rows["p90"], color=INK, lw=1.2)
    ax.set_xticks(x, rows["product_family"])
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylabel(f"bookings ({currency})")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title(f"Forecast by product family · {quarter}")
    return ax


def backtest_chart(data: pd.DataFrame, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """Past quarters: the P10–P90 band and P50 of the forecast at each horizon (a colour each)
    against what actually closed (black dots)."""
    ax = _axes(ax, (10, 3.6))
    if data.empty:
        return _empty(ax, "Backtest of the bookings forecast")
    quarters = list(dict.fromkeys(data["quarter"]))
    horizons = sorted(data["horizon"].unique(), reverse=True)
    colours = [GREY, BLUE, DARK, GREEN, AMBER][: len(horizons)]
    width = 0.8 / len(horizons)
    x0 = {q: k for k, q in enumerate(quarters)}
    for k, (h, colour) in enumerate(zip(horizons, colours, strict=False)):
        rows = data.loc[data["horizon"] == h]
        x = rows["quarter"].map(x0).to_numpy(float) + (k - (len(horizons) - 1) / 2) * width
        ax.vlines(
            x, rows["p10"], rows["p90"], color=colour, lw=5, alpha=0.8, label=_horizon_name(int(h))
        )
        ax.scatter(x, rows["p50"], marker="_", s=80, color=INK, zorder=3)
    actual = data.drop_duplicates("quarter")
    ax.scatter(
        actual["quarter"].map(x0),
        actual["actual"],
        color="black",
        zorder=4,
        s=22,
        label="actually won",
    )
    ax.set_xticks(range(len(quarters)), quarters, rotation=30)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylabel(f"bookings ({currency})")
    ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False)
    ax.set_title("Backtest: P10–P90 (bars) and P50 (ticks) made at each horizon vs what closed")
    return ax


def _horizon_name(h: int) -> str:
    if h == 3:
        return "month 1 (eve)"
    if h in (1, 2):
        return f"month {4 - h}"
    return f"{h - 3} months before"


def outcome_distribution(outcome, *, currency: str = "EUR", ax: Axes | None = None) -> Axes:
    """The simulated bookings of a quarter with P10, P50, P90 and the quota marked; a quarter
    that is over shows its actual instead."""
    ax = _axes(ax, (8, 3))
    title = f"{outcome.quarter} bookings"
    if outcome.is_over:
        ax.text(
            0.5,
            0.5,
            f"{title}: quarter over, actual {_money(outcome.actual)} {currency}",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color=DARK,
        )
        ax.set_axis_off()
        ax.set_title(f"{title} (actual)")
        return ax
    ax.hist(outcome.draws, bins=50, color=BLUE)
    top = ax.get_ylim()[1]
    for p, style, height in ((10, ":", 0.95), (50, "-", 0.86), (90, ":", 0.95)):
        value = outcome.percentile(p)
        ax.axvline(value, color=DARK, linestyle=style)
        ax.text(value, top * height, f" P{p} {_money(value)}", fontsize=8, color=DARK)
    if outcome.quota > 0:
        ax.axvline(outcome.quota, color=RED, linestyle="--")
        ax.text(
            outcome.quota,
            ax.get_ylim()[1] * 0.75,
            f" quota {_money(outcome.quota)} · {outcome.p_quota:.0%} chance",
            fontsize=8,
            color=RED,
        )
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel(f"bookings in the quarter ({currency})")
    ax.set_ylabel("simulations")
    ax.set_title(f"{title}: {len(outcome.draws):,} simulations seen from {outcome.as_of:%Y-%m-%d}")
    return ax


def reliability_chart(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Reliability diagram: share won against forecast probability, per bin, for the calibrated
    and the CRM's static stage probabilities (dot size = deal-months); the diagonal is perfect."""
    ax = _axes(ax, (5.5, 4.5))
    title = "Are the stage probabilities right?"
    if data.empty:
        return _empty(ax, title)
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", lw=1)
    styles = {
        "calibrated": (DARK, "calibrated (stage × age × segment)"),
        "static": (RED, "CRM static by stage"),
    }
    biggest = float(data["deal_months"].max())
    for method, rows in data.groupby("method"):
        colour, name = styles.get(method, (INK, method))
        ax.plot(rows["forecast"], rows["won_share"], color=colour, lw=1, alpha=0.6)
        ax.scatter(
            rows["forecast"],
            rows["won_share"],
            s=20 + 180 * rows["deal_months"] / biggest,
            color=colour,
            alpha=0.8,
            label=name,
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("forecast win probability")
    ax.set_ylabel("share of deal-months won")
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.set_title(title)
    return ax


def stage_probabilities(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Calibrated win probability per stage (bar, with the range over its segment × age
    cells) beside the CRM's static probability (red tick)."""
    ax = _axes(ax, (8, 2.8))
    if data.empty:
        return _empty(ax, "Win probability by stage")
    y = np.arange(len(data))[::-1]
    ax.barh(y, data["probability"], color=BLUE, label="calibrated")
    ax.hlines(
        y,
        data["lowest_probability"],
        data["highest_probability"],
        color=DARK,
        lw=1.5,
        label="range over segment × days in stage",
    )
    if data["static_probability"].notna().any():
        ax.scatter(
            data["static_probability"],
            y,
            marker="|",
            s=300,
            color=RED,
            label="CRM static",
            zorder=3,
        )
    ax.set_yticks(y, data["stage"])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability of being won")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Win probability by stage")
    return ax


def attainment_bands(
    data: pd.DataFrame, *, missing: str | None = None, ax: Axes | None = None
) -> Axes:
    """Sellers per attainment band (bands merged so that each holds at least the minimum
    group), quota at 100 % in red; ``missing``: why attainment is not measured, said instead."""
    ax = _axes(ax, (8, 3))
    title = "Quota attainment of ramped sellers, fiscal year to date"
    if missing:
        return _not_measured(ax, title, missing)
    if data.empty:
        return _empty(ax, title)
    colours = [
        GREEN if low >= 1.0 else (RED if high <= 1.0 else BLUE)
        for low, high in zip(data["low"], data["high"], strict=True)
    ]
    ax.bar(data["band"], data["sellers"], color=colours)
    ax.set_xlabel("attainment band of at least five sellers (credited bookings ÷ quota)")
    ax.set_ylabel("sellers")
    ax.set_title(title)
    return ax


def ramp_curve(data: pd.DataFrame, *, missing: str | None = None, ax: Axes | None = None) -> Axes:
    """Median attainment of new hires by month of tenure; ``missing``: why it is not
    measured (no quotas), said instead."""
    ax = _axes(ax, (8, 3))
    if missing:
        return _not_measured(ax, "Ramp of new hires", missing)
    if data.empty:
        return _empty(ax, "Ramp of new hires")
    ax.plot(data["tenure_month"], data["median_attainment"], marker="o", color=DARK)
    ax.axhline(1.0, color=RED, linestyle="--")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("month of tenure (1 = hire month)")
    ax.set_ylabel("median cumulative attainment")
    ax.set_title("Ramp of new hires")
    return ax
