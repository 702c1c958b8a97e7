"""Charts of the incentives notebook: one function per chart, the review first, returning
the Axes (or the figure's first Axes for small multiples, one panel per contest).

No seller name or id reaches a chart: the standings are quantiles of at least the minimum
group, the lift trend is the mean per seller of groups of at least the minimum.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from compass_nb.viz._common import AMBER, BLUE, DARK, GREY, INK
from compass_nb.viz._common import money as _money


def _panels(n: int, height: float = 3.2):
    fig, axes = plt.subplots(1, max(n, 1), figsize=(4.2 * max(n, 1), height), squeeze=False)
    return fig, list(axes[0])


def _say(ax: Axes, text: str, title: str) -> Axes:
    """A panel that says in words why it has no chart."""
    ax.text(
        0.5,
        0.5,
        textwrap.fill(text, 44),
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=INK,
        fontsize=8,
    )
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    return ax


def _money_ticks(ax_axis, largest: float) -> None:
    """Money ticks: whole amounts below 10,000 (``axis_money`` would print 1,500 as "2 k")."""
    if largest < 10_000:
        ax_axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    else:
        ax_axis.set_major_formatter(FuncFormatter(_money))


def _title(contest) -> str:
    return f"{contest.name}\n({contest.start:%d %b %Y} – {contest.end:%d %b %Y})"


def design_costs(review, *, min_group_size: int, currency: str = "EUR") -> Axes:
    """Per contest, each structure's expected cost (bar) and P90 cost (tick), with the number
    of sellers with a real chance of a prize written on the bar."""
    fig, axes = _panels(len(review.contests), 3.6)
    for ax, r in zip(axes, review.contests, strict=False):
        if not r.designs:
            _say(ax, f"fewer than {min_group_size} eligible sellers: not shown", _title(r.contest))
            continue
        names = list(r.designs)
        mean = [r.designs[n].expected_cost for n in names]
        p90 = [r.designs[n].p90_cost for n in names]
        y = np.arange(len(names))
        ax.barh(y, mean, color=[DARK] + [BLUE] * (len(names) - 1))
        ax.scatter(p90, y, marker="|", s=300, color=AMBER, zorder=3, label="P90 cost")
        for k, n in enumerate(names):
            d = r.designs[n]
            ax.text(
                mean[k],
                k,
                f" {d.motivated}/{len(d.sellers)} with a chance",
                va="center",
                fontsize=7,
                color=INK,
            )
        ax.set_yticks(y, names, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, max(p90 + mean) * 1.6 or 1)
        _money_ticks(ax.xaxis, ax.get_xlim()[1])
        ax.set_xlabel(f"expected cost ({currency})")
        ax.legend(frameon=False, fontsize=7, loc="lower right")
        ax.set_title(_title(r.contest), fontsize=10)
    fig.tight_layout()
    return axes[0]


def standings_spread(review, *, min_group_size: int, currency: str = "EUR") -> Axes:
    """Per contest, the spread of the eligible sellers' scores (P10–P90 line, P25–P75 box,
    median tick), with the threshold or milestones where the structure has them."""
    fig, axes = _panels(len(review.contests), 2.6)
    for ax, r in zip(axes, review.contests, strict=False):
        q = r.distribution
        if q is None:
            _say(ax, f"fewer than {min_group_size} eligible sellers: not shown", _title(r.contest))
            continue
        v = dict(zip(q["quantile"], q["score"], strict=True))
        ax.plot([v["P10"], v["P90"]], [0, 0], color=GREY, lw=2)
        ax.barh(0, v["P75"] - v["P25"], left=v["P25"], height=0.4, color=BLUE)
        ax.plot([v["median"]] * 2, [-0.2, 0.2], color=DARK, lw=3)
        marks = [r.contest.threshold] if r.contest.threshold else []
        marks += [m.at for m in r.contest.milestones]
        for mark in marks:
            ax.axvline(mark, color=AMBER, ls="--", lw=1)
        ax.set_yticks([])
        ax.set_ylim(-0.6, 0.6)
        ax.set_xlim(left=0)
        if r.contest.is_money:
            _money_ticks(ax.xaxis, max(abs(v) for v in ax.get_xlim()))
        hand = "" if r.contest.handicap == "none" else f" ÷ {r.contest.handicap} factor"
        so_far = "so far" if r.status == "running" else "final"
        unit = f"bookings ({currency})" if r.contest.is_money else r.contest.unit
        ax.set_xlabel(f"score: {unit}{hand} ({so_far})", fontsize=8)
        ax.set_title(_title(r.contest), fontsize=10)
    fig.tight_layout()
    return axes[0]


def lift_trend(review, *, currency: str = "EUR") -> Axes:
    """Per contest, the metric per seller and month of the eligible and the comparison
    sellers, from the pre-period to the post window; the window shaded."""
    fig, axes = _panels(len(review.contests), 3.2)
    for ax, r in zip(axes, review.contests, strict=False):
        data = r.trend
        if r.lift is None or data is None or data.empty:
            _say(ax, f"lift not measured: {r.not_measured}", _title(r.contest))
            continue
        for group, colour in (("eligible", DARK), ("comparison", GREY)):
            rows = data.loc[data["group"] == group]
            if not rows.empty:
                ax.plot(rows["month"], rows["per_seller"], marker="o", color=colour, label=group)
        ax.axvspan(
            pd.Timestamp(r.contest.start),
            pd.Timestamp(r.contest.end),
            color=BLUE,
            alpha=0.3,
            label="contest window",
        )
        if r.contest.is_money:
            _money_ticks(ax.yaxis, max(abs(v) for v in ax.get_ylim()))
        unit = f"bookings ({currency})" if r.contest.is_money else r.contest.unit
        ax.set_ylabel(f"{unit} per seller per month", fontsize=8)
        ax.tick_params(axis="x", rotation=45, labelsize=7)
        ax.legend(frameon=False, fontsize=7)
        ax.set_title(_title(r.contest), fontsize=10)
    fig.tight_layout()
    return axes[0]


def lift_intervals(review, *, currency: str = "EUR") -> Axes:
    """Per measured contest: the gross lift in the window, the post-window change and the
    lift net of them (with its interval), in units of the contest's metric."""
    fig, axes = _panels(len(review.contests), 3.0)
    for ax, r in zip(axes, review.contests, strict=False):
        m = r.lift
        if m is None:
            _say(ax, f"lift not measured: {r.not_measured}", _title(r.contest))
            continue
        labels = ["gross in window", "post-window change", "net lift"]
        values = [m.gross, m.post, m.total]
        ax.barh(range(3), values, color=[BLUE, GREY, DARK])
        ax.errorbar(
            m.total,
            2,
            xerr=[[m.total - m.low], [m.high - m.total]],
            fmt="none",
            ecolor=AMBER,
            capsize=6,
            lw=2,
            label=f"{m.confidence:.0%} interval",
        )
        ax.axvline(0, color=INK, lw=0.8)
        ax.set_yticks(range(3), labels, fontsize=8)
        ax.invert_yaxis()
        if r.contest.is_money:
            _money_ticks(ax.xaxis, max(abs(v) for v in ax.get_xlim()))
            ax.set_xlabel(f"bookings ({currency})", fontsize=8)
        else:
            ax.set_xlabel(r.contest.unit, fontsize=8)
        ax.legend(frameon=False, fontsize=7, loc="lower right")
        ax.set_title(f"{_title(r.contest)}: {r.verdict}", fontsize=9)
    fig.tight_layout()
    return axes[0]
