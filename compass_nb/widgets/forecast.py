"""Pick a SKU × location and see its forecast, every candidate's forecast and its backtest."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from compass_nb.display import show
from compass_nb.forecast.cycle import CycleForecast
from compass_nb.viz import forecast as charts

#: Series listed at once in the picker; the search box narrows the rest.
SHOWN = 200


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
            cands[["ds", *names]],
            caption="Every candidate's forecast (units, before reconciliation)",
            formats={n: "{:,.1f}" for n in names},
        )
    )
    display(
        show(
            res.scores[res.scores["unique_id"] == unique_id].sort_values("mae")[
                ["option", "mae", "n"]
            ],
            caption="Backtest MAE of each option (units)",
            formats={"mae": "{:,.1f}"},
            empty="Too little history for a backtest.",
        )
    )


def matching(ids: list[str], text: str) -> list[str]:
    """The series whose id holds every word of ``text`` (any case, any order)."""
    words = text.lower().split()
    return [i for i in ids if all(word in i.lower() for word in words)]


def series_explorer(cycle: CycleForecast) -> widgets.VBox:
    """A search box and a list of the SKU × location series above the chart and tables of
    the chosen one: type part of a SKU or a location (``DC-North 0042``) to narrow the list."""
    ids = sorted(
        cycle.forecast.loc[cycle.forecast["level"] == "sku_location", "unique_id"].unique()
    )
    search = widgets.Text(
        description="Search", placeholder="part of a SKU or location, e.g. DC-North"
    )
    picker = widgets.Select(
        options=ids[:SHOWN], description="Series", rows=8, layout=widgets.Layout(width="60%")
    )
    count = widgets.HTML()
    out = widgets.Output()

    def narrow(change=None):
        found = matching(ids, search.value)
        current = picker.value
        picker.options = found[:SHOWN]
        if current in found[:SHOWN]:
            picker.value = current
        more = f"; the first {SHOWN} listed, type more to narrow" if len(found) > SHOWN else ""
        count.value = f"{len(found):,} of {len(ids):,} series match{more}"

    def update(change=None):
        if picker.value is None:
            return
        with out:
            out.clear_output(wait=True)
            _draw(cycle, picker.value)

    search.observe(narrow, names="value")
    picker.observe(update, names="value")
    narrow()
    if ids:
        picker.value = ids[0]
        update()
    explorer = widgets.VBox([widgets.HBox([search, count]), picker, out])
    explorer.controls = {"search": search, "series": picker, "count": count}
    return explorer
