"""Helpers shared by the chart modules: colours, money labels, axes, the empty chart."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from compass_nb.formatting import axis_money as money  # noqa: F401 - the charts' tick labels

#: The one palette of every chart.
DARK, BLUE, GREY, RED, GREEN, AMBER = (
    "#1f4e79",
    "#9ec3e6",
    "#b0b0b0",
    "#d93025",
    "#188038",
    "#f2a900",
)
INK, PAPER = "#555555", "#e6e6e6"  # secondary text; the background of hidden cells


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
