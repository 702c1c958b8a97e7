"""Helpers shared by the chart modules: colours, money labels, axes, the empty chart."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

DARK, BLUE, GREY, RED, GREEN = "#1f4e79", "#9ec3e6", "#b0b0b0", "#d93025", "#188038"


def money(value: float, _=None) -> str:
    """A short money label: 950, 12 k, 3.2 M (usable as a matplotlib tick formatter)."""
    value = float(value) + 0.0  # no "-0"
    if abs(value) < 0.5:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:,.1f} M"
    if magnitude >= 1e3:
        return f"{value / 1e3:,.0f} k"
    return f"{value:,.0f}"


def axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or new axes of ``size`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def empty(ax: Axes, title: str) -> Axes:
    """An empty chart that says so, instead of a blank frame."""
    ax.text(
        0.5,
        0.5,
        "no data for this selection",
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=GREY,
    )
    ax.set_axis_off()
    ax.set_title(title)
    return ax
