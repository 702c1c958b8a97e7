"""Plan modelling: change a rate, the top tier or quotas and see cost and payout distribution."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import HTML, display

from compass_nb.comp import modelling
from compass_nb.comp.analysis import CompAnalysis
from compass_nb.viz import comp as charts


def _draw(a: CompAnalysis, rate: float, top: float, quota: float, currency: str) -> None:
    result = modelling.what_if(
        a.windows, a.plans, rate_scale=rate, top_rate_scale=top, quota_scale=quota
    )
    current, changed = result["current"].sum(), result["changed"].sum()
    change = changed / current - 1 if current else 0.0
    text = (
        f"Variable pay over {a.months[0]} to {a.months[-1]}: {current:,.0f} {currency} under the "
        f"current plan, {changed:,.0f} {currency} with the change ({change:+.1%})."
    )
    display(HTML(f"<p>{html.escape(text)}</p>"))
    fig, ax = plt.subplots(figsize=(8, 3.4))
    charts.payout_distribution(result, ax=ax)
    fig.tight_layout()
    plt.show()


def plan_modeller(a: CompAnalysis, currency: str = "EUR") -> widgets.VBox:
    """Sliders for every rate, the top tier's rate and quotas above a cost line and a payout histogram.

    Parameters
    ----------
    a
        The notebook's :func:`compass_nb.comp.analysis.analyse` result.
    """
    style = {"description_width": "initial"}
    rate = widgets.FloatSlider(
        value=1.0, min=0.5, max=1.5, step=0.05, description="All rates ×", style=style
    )
    top = widgets.FloatSlider(
        value=1.0, min=0.5, max=2.5, step=0.1, description="Top tier ×", style=style
    )
    quota = widgets.FloatSlider(
        value=1.0, min=0.7, max=1.5, step=0.05, description="Quotas ×", style=style
    )
    out = widgets.Output()

    def redraw(_=None) -> None:
        with out:
            out.clear_output(wait=True)
            _draw(a, rate.value, top.value, quota.value, currency)

    for slider in (rate, top, quota):
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([rate, top, quota]), out])


def show_modeller(a: CompAnalysis, currency: str = "EUR") -> None:
    """Display :func:`plan_modeller` (the notebook's widget cell)."""
    display(plan_modeller(a, currency))
