"""Charts of 01 data collection."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from compass_nb.viz._common import BLUE, DARK, RED, axes, empty, money


def order_volume(data: pd.DataFrame, *, currency: str, ax: Axes | None = None) -> Axes:
    """Monthly order volume: units as bars, net revenue (in ``currency``) as a line on a
    second axis; a source without orders gets a chart that says so."""
    if data is None or data.empty:
        ax = axes(ax, (9, 1.2))
        empty(ax, "Monthly order volume")
        ax.texts[-1].set_text("no orders in the source")
        return ax
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.4))
    ax.bar(data["month"], data["quantity"], width=20, color=BLUE, label="units")
    ax.set_ylabel("units per month")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    twin = ax.twinx()
    twin.plot(data["month"], data["net_revenue"], color=DARK, label="net revenue")
    twin.set_ylabel(f"net revenue ({currency})")
    twin.yaxis.set_major_formatter(FuncFormatter(lambda v, _: money(v)))
    twin.grid(False)
    ax.set_title("Monthly order volume")
    return ax


def quarantine_bars(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes | None:
    """Quarantined rows by table and reason (nothing drawn when nothing was quarantined)."""
    if data.empty:
        return None
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.4 * len(data) + 1))
    labels = data["table"] + " · " + data["column"].astype(str) + " · " + data["reason"].astype(str)
    ax.barh(labels[::-1], data["rows"][::-1], color=RED)
    ax.set_xlabel("rows quarantined")
    ax.set_title("Quarantine: top reasons")
    return ax
