"""Pick a SKU × location and see its forecast, every candidate's forecast and its backtest."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from compass_nb.display import show
from compass_nb.forecast.cycle import CycleForecast
from compass_nb.viz import forecast as charts


def _draw(cycle: CycleForecast, unique_id: str) -> None:
    fig, ax = plt.subplots(figsize=(8, 3.2))
    charts.series_forecast(cycle.history, cycle.forecast, unique_id, ax=ax)
    fig.tight_layout()
    plt.show()
    res = cycle.result
    cands = res.candidates[res.candidates["unique_id"] == unique_id]
    names = [
        c
        for c in cands.columns
        if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c
    ]
    display(
        show(
            cands[["ds", *names]].assign(ds=cands["ds"].dt.strftime("%Y-%m")),
            caption="Every candidate's forecast (before reconciliation)",
            formats={n: "{:,.1f}" for n in names},
        )
    )
    display(
        show(
            res.scores[res.scores["unique_id"] == unique_id].sort_values("mae")[
                ["option", "mae", "n"]
            ],
            caption="Backtest MAE of each option",
            empty="Too little history for a backtest.",
        )
    )


def series_explorer(cycle: CycleForecast) -> widgets.VBox:
    """A dropdown of SKU × location series above the chart and tables of the chosen one."""
    ids = sorted(
        cycle.forecast.loc[cycle.forecast["level"] == "sku_location", "unique_id"].unique()
    )
    picker = widgets.Dropdown(options=ids, description="Series")
    out = widgets.Output()

    def update(change=None):
        with out:
            out.clear_output(wait=True)
            _draw(cycle, picker.value)

    picker.observe(update, names="value")
    if ids:
        update()
    return widgets.VBox([picker, out])
