"""Charts of the eNPS notebook: one function per chart, data first, returning the Axes.

Every chart takes results that already passed suppression (`compass_nb.enps.engagement`)
and states its scale and bucket limits in a caption under the title.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from compass_nb.enps.scores import DEFAULT_BUCKETS, Buckets
from compass_nb.viz._common import AMBER, BLUE, DARK, GREEN, GREY, INK, PAPER, RED  # noqa: F401

#: Table formats of eNPS figures (scores on −100…+100, shares as percent numbers 0–100).
SCORE_FORMATS = {
    "invited": "{:,.0f}",
    "pct_promoters": "{:.0f} %",
    "pct_passives": "{:.0f} %",
    "pct_detractors": "{:.0f} %",
    **dict.fromkeys(["enps", "low", "high", "boot_low", "boot_high", "delta"], "{:+.0f}"),
}


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _caption(ax: Axes, text: str) -> None:
    """State the scale and limits as a grey line under the x-axis (below tick labels)."""
    label = ax.get_xlabel()
    ax.set_xlabel(f"{label}\n{text}" if label else text, fontsize=8, color=INK, loc="left")


def _empty(ax: Axes, title: str, caption: str) -> Axes:
    ax.text(
        0.5,
        0.5,
        "nothing that may be shown for this selection",
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=GREY,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    _caption(ax, caption)
    return ax


def enps_trend(
    data: pd.DataFrame,
    *,
    buckets: Buckets = DEFAULT_BUCKETS,
    group: str = "Company",
    ax: Axes | None = None,
) -> Axes:
    """eNPS of one group over the surveys, with its 95 % interval as a band.

    ``data`` is `Engagement.scores`; the bootstrap interval is drawn as thin whiskers.
    """
    ax = _axes(ax, (9, 3.6))
    part = data[data["group"] == group].sort_values("survey_date")
    title = f"eNPS over time — {group}"
    if part.empty:
        return _empty(ax, title, buckets.describe())
    x = pd.to_datetime(part["survey_date"])
    ax.fill_between(
        x, part["low"], part["high"], color=BLUE, alpha=0.6, label="95 % interval (analytic)"
    )
    ax.vlines(
        x,
        part["boot_low"],
        part["boot_high"],
        color=DARK,
        alpha=0.35,
        lw=1,
        label="95 % interval (bootstrap)",
    )
    ax.plot(x, part["enps"], color=DARK, marker="o", ms=3, label="eNPS")
    ax.axhline(0, color=GREY, lw=0.8)
    ax.set_ylim(max(-100, part["low"].min() - 10), min(100, part["high"].max() + 10))
    ax.set_ylabel("eNPS (−100 to 100)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, ncols=3, frameon=False)
    _caption(ax, buckets.describe())
    return ax


def bucket_shares(
    data: pd.DataFrame, *, buckets: Buckets = DEFAULT_BUCKETS, ax: Axes | None = None
) -> Axes:
    """Promoters, passives and detractors of each shown group, as stacked 100 % bars.

    ``data``: one survey's rows of `Engagement.scores`.
    """
    ax = _axes(ax, (9, 0.45 * max(len(data), 3) + 1.2))
    title = "Promoters, passives and detractors by group"
    if data.empty:
        return _empty(ax, title, buckets.describe())
    part = data.sort_values("enps")
    labels = [f"{g} (n={n})" for g, n in zip(part["group"], part["n"], strict=True)]
    left = np.zeros(len(part))
    for column, colour, name in (
        ("pct_detractors", RED, "detractors"),
        ("pct_passives", GREY, "passives"),
        ("pct_promoters", GREEN, "promoters"),
    ):
        ax.barh(labels, part[column], left=left, color=colour, label=name)
        left += part[column].to_numpy()
    for y, (score, low, high) in enumerate(
        zip(part["enps"], part["low"], part["high"], strict=True)
    ):
        ax.text(101, y, f"{score:+.0f} [{low:+.0f}, {high:+.0f}]", va="center", fontsize=8)
    ax.set_xlim(0, 122)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    _caption(ax, buckets.describe() + " · right: eNPS [95 % interval]")
    return ax


def favourability_heatmap(
    data: pd.DataFrame,
    *,
    favourable_min: int = 4,
    labels: dict | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Groups × questions % favourable; hidden cells are grey and unlabelled.

    ``data``: the grid from `compass_nb.enps.pulse.heatmap_data`.
    """
    ax = _axes(ax, (max(6, 1.1 * data.shape[1] + 3), 0.45 * max(len(data), 3) + 1.5))
    caption = (
        f"% favourable = answers {favourable_min}–5 ÷ all answers on a 1–5 scale (neutral 3 included)"
        " · grey: hidden to protect a small group"
    )
    title = "Favourability by group and question"
    if data.empty:
        return _empty(ax, title, caption)
    grid = data.rename(columns=labels or {})
    ax.set_facecolor(PAPER)
    sns.heatmap(
        grid,
        ax=ax,
        vmin=0,
        vmax=100,
        cmap="RdYlGn",
        annot=True,
        fmt=".0f",
        cbar_kws={"label": "% favourable"},
        linewidths=0.5,
        linecolor="white",
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=30)
    plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
    _caption(ax, caption)
    return ax


def participation_bars(
    data: pd.DataFrame, *, flag_below: float = 0.6, ax: Axes | None = None
) -> Axes:
    """Participation of each shown group, flagged red under ``flag_below``.

    ``data``: one survey's rows of `Engagement.participation`.
    """
    ax = _axes(ax, (9, 0.4 * max(len(data), 3) + 1.2))
    caption = f"participation = respondents ÷ invited · red: under {flag_below:.0%}"
    title = "Participation by group"
    part = data.dropna(subset=["participation"]).sort_values("participation")
    if part.empty:
        return _empty(ax, title, caption)
    colours = [RED if low else BLUE for low in part["low_participation"]]
    labels = [
        f"{g} ({r}/{i:.0f})"
        for g, r, i in zip(part["group"], part["respondents"], part["invited"], strict=True)
    ]
    ax.barh(labels, 100 * part["participation"], color=colours)
    ax.axvline(100 * flag_below, color=RED, ls="--", lw=1)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.set_title(title)
    _caption(ax, caption)
    return ax


def driver_dots(
    data: pd.DataFrame, *, buckets: Buckets = DEFAULT_BUCKETS, ax: Axes | None = None
) -> Axes:
    """Correlation of each item with the eNPS answer, with its 95 % interval and n.

    ``data``: one survey and group of `Engagement.drivers`.
    """
    ax = _axes(ax, (9, 0.45 * max(len(data), 3) + 1.2))
    caption = (
        f"Pearson r between each item (1–5) and the eNPS answer ({buckets.scale_min}–{buckets.scale_max})"
        " · bars: 95 % interval · shown only with 30+ answers"
    )
    title = "What moves with eNPS"
    if data.empty:
        return _empty(ax, title, caption)
    part = data.sort_values("r")
    labels = [
        f"{d if isinstance(d, str) else q} (n={n})"
        for d, q, n in zip(part["driver"], part["question_id"], part["n"], strict=True)
    ]
    ax.hlines(labels, part["low"], part["high"], color=BLUE, lw=4)
    ax.plot(part["r"], labels, "o", color=DARK)
    ax.axvline(0, color=GREY, lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_title(title)
    _caption(ax, caption)
    return ax


def theme_bars(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Comments per theme for one survey and group (`Engagement.themes`)."""
    ax = _axes(ax, (7, 0.4 * max(len(data), 3) + 1.2))
    caption = "themes by keyword rules; a comment can carry several · groups of 10 or more only"
    title = "Comment themes"
    if data.empty:
        return _empty(ax, title, caption)
    part = data.sort_values("comments")
    ax.barh(part["theme"], part["comments"], color=BLUE)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("comments")
    ax.set_title(title)
    _caption(ax, caption)
    return ax
