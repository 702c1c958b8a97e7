"""Charts of the eNPS notebook: one function per chart, data first, returning the Axes.

Every chart takes results that already passed suppression (`compass_nb.enps.engagement`),
labels its axes with their units, says what its intervals are, and states the scale and
bucket limits in a caption under the axis. Cells hidden to protect a small group are drawn
hatched and named as hidden, never left blank.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from compass_nb.calendar import to_datetime
from compass_nb.enps.scores import DEFAULT_BUCKETS, Buckets
from compass_nb.viz._common import BLUE, DARK, GREEN, GREY, INK, PAPER, RED, axes

#: Table formats of eNPS figures (scores in points −100…+100, shares as percent numbers 0–100).
SCORE_FORMATS = {
    "invited": "{:,.0f}",
    "pct_promoters": "{:.0f} %",
    "pct_passives": "{:.0f} %",
    "pct_detractors": "{:.0f} %",
    "pct_favourable": "{:.0f} %",
    "level": "{:.1%}",
    "p_adjusted": "{:.3f}",
    "slope": "{:+.1f}",
    **dict.fromkeys(["enps", "low", "high", "delta", "first", "last"], "{:+.0f}"),
}
HIDDEN_HATCH = "////"
ENPS_AXIS = "eNPS (points, −100 to +100)"


def _caption(ax: Axes, text: str) -> None:
    """State the scale and limits as a grey line under the x-axis (below tick labels)."""
    label = ax.get_xlabel()
    ax.set_xlabel(f"{label}\n{text}" if label else text, fontsize=8, color=INK, loc="left")


def _empty(
    ax: Axes, title: str, caption: str, text: str = "nothing that may be shown for this selection"
) -> Axes:
    ax.text(
        0.5,
        0.5,
        text,
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


def _hidden_background(ax: Axes) -> None:
    """Hidden (NaN) cells of a heatmap show the hatched background."""
    ax.set_facecolor(PAPER)
    ax.patch.set_hatch(HIDDEN_HATCH)
    ax.patch.set_edgecolor(GREY)


def enps_trend(
    data: pd.DataFrame,
    *,
    buckets: Buckets = DEFAULT_BUCKETS,
    group: str = "Company",
    level: float = 0.95,
    ax: Axes | None = None,
) -> Axes:
    """eNPS of one group over the surveys, with its respondent-bootstrap interval as a band.

    ``data`` is `Engagement.scores`.
    """
    ax = axes(ax, (9, 3.6))
    part = data[data["group"] == group].sort_values("survey_date")
    title = f"eNPS over time — {group}"
    if part.empty:
        return _empty(ax, title, buckets.describe())
    x = to_datetime(part["survey_date"])
    ax.fill_between(
        x,
        part["low"],
        part["high"],
        color=BLUE,
        alpha=0.6,
        label=f"{level:.0%} interval (respondent bootstrap)",
    )
    ax.plot(x, part["enps"], color=DARK, marker="o", ms=3, label="eNPS")
    ax.axhline(0, color=GREY, lw=0.8)
    ax.set_ylim(max(-100, part["low"].min() - 10), min(100, part["high"].max() + 10))
    ax.set_ylabel(ENPS_AXIS)
    ax.set_xlabel("survey date")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, ncols=2, frameon=False)
    _caption(ax, buckets.describe())
    return ax


def enps_heatmap(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Teams × surveys eNPS; cells hidden to keep answers anonymous are hatched.

    ``data``: the grid from `compass_nb.enps.pulse.enps_grid` (NaN = hidden in that survey).
    """
    ax = axes(ax, (max(7, 0.7 * data.shape[1] + 3), 0.38 * max(len(data), 3) + 1.6))
    title = "eNPS by team and survey"
    caption = (
        "eNPS in points (−100 to +100) · hatched: hidden in that survey (too few respondents,"
        " or it would let a small group be worked out)"
    )
    if data.empty:
        return _empty(ax, title, caption)
    grid = data.rename(columns=lambda s: str(s).removeprefix("pulse-"))
    _hidden_background(ax)
    sns.heatmap(
        grid,
        ax=ax,
        vmin=-100,
        vmax=100,
        center=0,
        cmap="RdYlGn",
        annot=True,
        fmt="+.0f",
        annot_kws={"fontsize": 7},
        cbar_kws={"label": "eNPS (points)"},
        linewidths=0.5,
        linecolor="white",
    )
    ax.set_xlabel("survey (month)")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(
        handles=[Patch(facecolor=PAPER, hatch=HIDDEN_HATCH, edgecolor=GREY, label="hidden")],
        loc="lower right",
        bbox_to_anchor=(1.3, 1.0),
        fontsize=8,
        frameon=False,
    )
    _caption(ax, caption)
    return ax


def bucket_shares(
    data: pd.DataFrame, *, buckets: Buckets = DEFAULT_BUCKETS, ax: Axes | None = None
) -> Axes:
    """Promoters, passives and detractors of each shown group, as stacked 100 % bars.

    ``data``: one survey's rows of `Engagement.scores`. A group whose split is withheld
    (a small group with an empty category) shows a hatched bar and its score only.
    """
    ax = axes(ax, (9, 0.45 * max(len(data), 3) + 1.4))
    title = "Promoters, passives and detractors by group"
    caption = (
        buckets.describe() + " · right: eNPS [interval] · hatched: split withheld (a small"
        " group with an empty category: the split would tell each member how the others answered)"
    )
    if data.empty:
        return _empty(ax, title, caption)
    part = data.sort_values("enps")
    labels = [f"{g} (n={n})" for g, n in zip(part["group"], part["n"], strict=True)]
    split = part["split"].astype(bool).to_numpy()
    left = np.zeros(len(part))
    for column, colour, name in (
        ("pct_detractors", RED, "detractors"),
        ("pct_passives", GREY, "passives"),
        ("pct_promoters", GREEN, "promoters"),
    ):
        width = np.where(split, part[column].fillna(0).to_numpy(dtype=float), 0.0)
        ax.barh(labels, width, left=left, color=colour, label=name)
        left += width
    ax.barh(
        labels,
        np.where(split, 0.0, 100.0),
        color=PAPER,
        hatch=HIDDEN_HATCH,
        edgecolor=GREY,
        label="split withheld",
    )
    for y, (score, low, high) in enumerate(
        zip(part["enps"], part["low"], part["high"], strict=True)
    ):
        ax.text(101, y, f"{score:+.0f} [{low:+.0f}, {high:+.0f}]", va="center", fontsize=8)
    ax.set_xlim(0, 124)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.set_xlabel("share of answers (%)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    _caption(ax, caption)
    return ax


def favourability_heatmap(
    data: pd.DataFrame,
    *,
    favourable_min: int = 4,
    labels: dict | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Groups × questions % favourable; withheld cells are hatched.

    ``data``: the grid from `compass_nb.enps.pulse.favourability_grid`.
    """
    ax = axes(ax, (max(6, 1.1 * data.shape[1] + 3), 0.45 * max(len(data), 3) + 1.5))
    caption = (
        f"% favourable = answers {favourable_min}–5 ÷ all answers on a 1–5 scale (neutral 3"
        " included) · hatched: withheld (a small group with an empty category)"
    )
    title = "Favourability by group and question"
    if data.empty:
        return _empty(ax, title, caption)
    grid = data.rename(columns=labels or {})
    _hidden_background(ax)
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
    data: pd.DataFrame,
    *,
    flag_below: float = 0.6,
    missing: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Participation of each shown group, flagged red under ``flag_below``.

    ``data``: one survey's rows of `Engagement.participation`; ``missing``: why participation
    is not measured (no invitation counts), said in words instead of an empty chart.
    """
    ax = axes(ax, (9, 0.4 * max(len(data), 3) + 1.2))
    caption = f"participation = respondents ÷ invited · red: under {flag_below:.0%}"
    title = "Participation by group"
    if missing:
        return _empty(ax, title, caption, text=f"participation {missing}")
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
    ax.set_xlabel("respondents (% of invited)")
    ax.set_title(title)
    _caption(ax, caption)
    return ax


def driver_bars(data: pd.DataFrame, *, level: float = 0.95, ax: Axes | None = None) -> Axes:
    """Relative weight of each pulse item for the eNPS answer, with its bootstrap interval.

    ``data``: one survey and group of `Engagement.drivers`.
    """
    ax = axes(ax, (9, 0.45 * max(len(data), 3) + 1.4))
    title = "What accounts for the eNPS answer (relative weights)"
    if data.empty:
        return _empty(ax, title, "relative weights need enough complete answers")
    part = data.sort_values("weight")
    labels = [
        f"{d if isinstance(d, str) else q} (n={n})"
        for d, q, n in zip(part["driver"], part["question_id"], part["n"], strict=True)
    ]
    colours = [DARK if clear else BLUE for clear in part["clear"]]
    ax.barh(labels, 100 * part["weight"], color=colours)
    ax.hlines(labels, 100 * part["low"], 100 * part["high"], color=INK, lw=1.5)
    ax.set_xlim(0, max(5.0, 100 * float(part["high"].max()) * 1.1))
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_xlabel("share of the variance of eNPS answers it accounts for (%)")
    ax.set_title(title)
    r2 = float(part["r2"].iloc[0])
    _caption(
        ax,
        f"relative weights (Johnson) of the regression of the 0–10 answer on all items; they"
        f" add up to R² = {r2:.0%} · lines: {level:.0%} respondent-bootstrap interval · dark: a"
        " clear driver (its interval above every other item's)",
    )
    return ax


def theme_bars(data: pd.DataFrame, *, min_group: int = 10, ax: Axes | None = None) -> Axes:
    """Comments per theme for one survey and group (`Engagement.themes`)."""
    ax = axes(ax, (7, 0.35 * max(len(data), 4) + 1.2))
    caption = (
        f"themes by keyword rules; a comment can carry several · groups of {min_group} or"
        " more respondents only"
    )
    title = "Comment themes"
    if data.empty:
        return _empty(ax, title, caption)
    part = data.sort_values("comments")
    ax.barh(part["theme"], part["comments"], color=BLUE, height=0.6)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("comments")
    ax.set_title(title)
    _caption(ax, caption)
    return ax
